import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server; a registry per instance keeps tests and embedded plugins apart. */
/** What the engine and event gauges show, read at scrape time. */
export interface EngineState {
  operationsRunning: number;
  subscriptions: number;
  eventPosition: bigint;
  subscriberFallbacks: number;
  eventsRemoved: number;
  queuedCalls: { vim: string; queued: number }[];
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'applcm_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'applcm_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by type, root field and outcome',
    labelNames: ['transport', 'operation_type', 'root_field', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly wsConnections = new Gauge({
    name: 'applcm_graphql_ws_connections',
    help: 'Open graphql-ws connections',
    registers: [this.registry],
  });

  readonly wsOperations = new Counter({
    name: 'applcm_graphql_ws_operations_total',
    help: 'Operations started over graphql-ws by type and root field',
    labelNames: ['operation_type', 'root_field'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'applcm_auth_failures_total',
    help: 'Rejected credentials by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  /** Where the plugin gauge reads from at scrape time (the server points it at its registry). */
  pluginStates: () => { vim: string; endpoint: string; healthy: boolean | null }[] = () => [];

  readonly pluginUp = new Gauge({
    name: 'applcm_plugin_up',
    help: 'Whether the plugin of a VIM type passed its last health check (1), failed it (0) or was not checked yet (-1)',
    labelNames: ['vim', 'endpoint'] as const,
    registers: [this.registry],
    collect: () => {
      this.pluginUp.reset();
      for (const p of this.pluginStates()) this.pluginUp.set({ vim: p.vim, endpoint: p.endpoint }, p.healthy === null ? -1 : p.healthy ? 1 : 0);
    },
  });

  /** Where the engine and event gauges read from at scrape time (the server points it at its parts). */
  engineState: () => EngineState = () => ({ operationsRunning: 0, subscriptions: 0, eventPosition: 0n, subscriberFallbacks: 0, eventsRemoved: 0, queuedCalls: [] });

  readonly operationsRunning = this.scraped('applcm_operations_running', 'Operations this replica works on now', (s) => s.operationsRunning);
  readonly subscriptionsOpen = this.scraped('applcm_subscriptions_open', 'Open GraphQL subscriptions on this replica', (s) => s.subscriptions);
  readonly eventPosition = this.scraped('applcm_event_log_position', 'The event log position this replica has handed to its subscribers', (s) => Number(s.eventPosition));
  readonly subscriberFallbacks = this.scraped('applcm_subscriber_fallbacks', 'Times a subscriber fell behind the live feed and read on from the log (since start)', (s) => s.subscriberFallbacks);
  readonly eventsRemoved = this.scraped('applcm_events_removed', 'Events removed past retention by this replica (since start)', (s) => s.eventsRemoved);

  readonly pluginCallsQueued = new Gauge({
    name: 'applcm_plugin_calls_queued',
    help: 'Lifecycle calls waiting for a free call slot of the plugin (APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS)',
    labelNames: ['vim'] as const,
    registers: [this.registry],
    collect: () => {
      this.pluginCallsQueued.reset();
      for (const q of this.engineState().queuedCalls) this.pluginCallsQueued.set({ vim: q.vim }, q.queued);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'applcm_' });
  }

  /** A gauge whose value is read from the engine state when scraped. */
  private scraped(name: string, help: string, value: (s: EngineState) => number): Gauge {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => gauge.set(value(this.engineState())),
    });
    return gauge;
  }
}
