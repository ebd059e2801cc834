import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { ChangeFeed } from './change-feed.js';
import { EventBus } from './event-bus.js';
import { EventReader } from './event-reader.js';
import { EventRetention } from './event-retention.js';
import { EventSequencer } from './event-sequencer.js';
import { EventSubscriptions } from './event-subscriptions.js';
import { WorkloadWatcher } from './workload-watcher.js';

export interface EventSystemDeps {
  orm: MikroORM;
  plugins: PluginRegistry;
  log: Logger;
  config: Config['events'];
  maxPageSize: number;
  /** Real PostgreSQL to LISTEN on; null on the embedded database (PGlite delivers no NOTIFY between connections). */
  listenUrl: string | null;
}

/**
 * The event side of one server: the tailer (bus), the subscriptions and change feed reading the log, and the
 * workload watcher writing plugin reports into it.
 *
 * To wait until an event appended elsewhere has reached this server's subscribers: `await events.bus.sync()`
 * (everything committed before the call), or `await events.bus.delivered(seq)`.
 */
export class EventSystem {
  readonly reader: EventReader;
  readonly bus: EventBus;
  readonly watcher: WorkloadWatcher;
  readonly subscriptions: EventSubscriptions;
  readonly changes: ChangeFeed;
  readonly retention: EventRetention;

  constructor(d: EventSystemDeps) {
    const log = d.log.child({ component: 'events' });
    this.reader = new EventReader(d.orm);
    this.bus = new EventBus({ orm: d.orm, reader: this.reader, sequencer: new EventSequencer(d.orm), log, pollMs: d.config.pollMs, batchSize: d.config.batchSize, listenUrl: d.listenUrl });
    this.watcher = new WorkloadWatcher({ orm: d.orm, plugins: d.plugins, log, retryMinMs: d.config.watchRetryMs, retryMaxMs: Math.max(d.config.watchRetryMs, 30_000) });
    this.subscriptions = new EventSubscriptions(this.bus, this.reader, this.watcher, { maxQueue: d.config.subscriberQueue, replayPage: d.config.replayPage, stallMs: d.config.subscriberStallMs });
    this.changes = new ChangeFeed(this.reader, d.maxPageSize);
    this.retention = new EventRetention({ orm: d.orm, retentionS: d.config.retentionS, sweepMs: d.config.retentionSweepMs, log });
  }

  async start(): Promise<void> {
    await this.bus.start();
    this.retention.start();
  }

  /** After the WebSocket side closed: ends what is left, stops the watches, then the tailer. */
  async stop(): Promise<void> {
    this.subscriptions.closeAll();
    await this.retention.stop();
    await this.watcher.stop();
    await this.bus.stop();
  }
}
