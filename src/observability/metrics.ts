import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server; a registry per instance keeps tests and embedded plugins apart. */
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'applcm_' });
  }
}
