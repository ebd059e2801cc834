import { AsyncResource } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AppInstance, type MecHost } from '../db/entities/index.js';
import { instanceStatus_StateToJSON, type WatchInstanceEvent } from '../generated/proto/applcm_plugin.js';
import type { Logger } from '../observability/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { pluginTarget } from '../plugins/plugin-target.js';
import { appendEvent } from './event-log.js';
import type { WorkloadEventSnapshot } from './snapshots.js';

export interface WorkloadWatcherOptions {
  orm: MikroORM;
  plugins: PluginRegistry;
  log: Logger;
  /** First reconnect delay after the plugin stream ended or failed; doubles up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
}

/** Second key of the per-instance advisory lock that serialises workload.event writes (first key: this number). */
const WORKLOAD_LOCK = 7317003;
/** Rows looked at to recognise a status or event that is already in the log (a reconnect, or another replica). */
const RECENT_ROWS = 50;

interface Subject {
  id: string;
  tenantId: string;
  host: Pick<MecHost, 'id' | 'ip' | 'vim' | 'tenantId'>;
}

function snapshotOf(subject: Subject, m: WatchInstanceEvent): WorkloadEventSnapshot | null {
  const base = { appInstanceId: subject.id, hostId: subject.host.id };
  const ev = m.event;
  if (ev?.$case === 'status') {
    return { ...base, kind: 'STATUS', state: instanceStatus_StateToJSON(ev.value.state), reason: ev.value.reason, observedAt: ev.value.observedAt || new Date().toISOString() };
  }
  if (ev?.$case === 'workloadEvent') {
    const w = ev.value;
    return {
      ...base,
      kind: 'EVENT',
      objectKind: w.kind,
      objectName: w.name,
      type: w.type,
      reason: w.reason,
      message: w.message,
      count: w.count,
      observedAt: w.lastSeen || w.firstSeen || new Date().toISOString(),
    };
  }
  return null; // heartbeats only say the stream is alive
}

/** True when `s` repeats what the log already says: the latest status, or one of the recent workload events. */
function alreadyLogged(s: WorkloadEventSnapshot, recent: WorkloadEventSnapshot[]): boolean {
  if (s.kind === 'STATUS') {
    const last = recent.find((r) => r.kind === 'STATUS');
    return last !== undefined && last.state === s.state && (last.reason ?? '') === (s.reason ?? '');
  }
  return recent.some(
    (r) => r.kind === 'EVENT' && r.objectKind === s.objectKind && r.objectName === s.objectName && r.reason === s.reason && r.message === s.message && r.count === s.count && r.observedAt === s.observedAt,
  );
}

/**
 * While subscribers of `workloadEvents` exist on this replica for an instance, one plugin `watchInstance` stream per
 * instance turns what the plugin reports into `workload.event` rows of the event log. Subscriptions read the log, not
 * the stream, so a resumed subscription replays and other replicas' subscribers see the same events.
 */
export class WorkloadWatcher {
  private readonly watches = new Map<string, InstanceWatch>();
  private stopped = false;
  /** Watches run in the watcher's async context, not in that of the subscription that happened to start them. */
  private readonly scope = new AsyncResource('applcm.WorkloadWatcher');

  constructor(private readonly o: WorkloadWatcherOptions) {}

  /**
   * Holds the watch of an instance open (starting it if needed) until the returned release is called. The token is
   * the subscriber's, forwarded to the plugin as the original controller does; the newest holder's is used.
   */
  acquire(appInstanceId: string, accessToken: string): () => void {
    if (this.stopped) return () => undefined;
    let watch = this.watches.get(appInstanceId);
    if (!watch) {
      watch = this.scope.runInAsyncScope(
        () =>
          new InstanceWatch(appInstanceId, this.o, () => {
            if (this.watches.get(appInstanceId) === watch) this.watches.delete(appInstanceId);
          }),
      );
      this.watches.set(appInstanceId, watch);
    }
    return watch.hold(accessToken);
  }

  /** Instances watched now. */
  get size(): number {
    return this.watches.size;
  }

  /** Holders (subscriptions) of an instance's watch: 0 when it is not watched. */
  holders(appInstanceId: string): number {
    return this.watches.get(appInstanceId)?.holderCount ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(all.map((w) => w.stop()));
  }
}

class InstanceWatch {
  private readonly holdersByKey = new Map<number, string>();
  private nextKey = 0;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;

  constructor(
    private readonly id: string,
    private readonly o: WorkloadWatcherOptions,
    private readonly onEnd: () => void,
  ) {
    this.done = this.run().finally(() => this.onEnd());
  }

  get holderCount(): number {
    return this.holdersByKey.size;
  }

  hold(token: string): () => void {
    const key = this.nextKey++;
    this.holdersByKey.set(key, token);
    return () => {
      if (!this.holdersByKey.delete(key)) return;
      if (this.holdersByKey.size === 0) void this.stop();
    };
  }

  stop(): Promise<void> {
    this.abort.abort();
    return this.done;
  }

  private token(): string {
    return [...this.holdersByKey.values()].at(-1) ?? '';
  }

  private async load(): Promise<Subject | null> {
    const inst = await this.o.orm.em.fork().findOne(AppInstance, { id: this.id }, { populate: ['host'] });
    return inst && { id: inst.id, tenantId: inst.tenantId, host: { id: inst.host.id, ip: inst.host.ip, vim: inst.host.vim, tenantId: inst.host.tenantId } };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const log = this.o.log.child({ appInstanceId: this.id });
    let delay = this.o.retryMinMs;
    while (!signal.aborted) {
      try {
        const subject = await this.load();
        if (!subject) {
          log.info('app instance is gone; its workload watch ends');
          return;
        }
        const client = await this.o.plugins.clientFor(subject.host.vim);
        const stream = client.watchInstance(pluginTarget(subject.host, this.token()), this.id, { includeEvents: true, signal });
        for await (const m of stream) {
          delay = this.o.retryMinMs;
          const snapshot = snapshotOf(subject, m);
          // Written one at a time, in the order received: the stream waits (gRPC flow control) meanwhile.
          if (snapshot && !signal.aborted) await this.append(subject, snapshot);
        }
        if (!signal.aborted) log.debug('workload watch stream ended; reconnecting');
      } catch (e) {
        if (signal.aborted) return;
        log.warn({ err: (e as Error).message, retryInMs: delay }, 'workload watch failed; retrying');
      }
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      delay = Math.min(delay * 2, this.o.retryMaxMs);
    }
  }

  /**
   * Appends the snapshot unless it repeats the log. The per-instance lock makes check and insert one step, also
   * against another replica watching the same instance.
   */
  private async append(subject: Subject, s: WorkloadEventSnapshot): Promise<void> {
    await this.o.orm.em.fork().transactional(async (em: EntityManager) => {
      const conn = em.getConnection();
      const trx: unknown = em.getTransactionContext();
      await conn.execute('select pg_advisory_xact_lock(?, hashtext(?))', [WORKLOAD_LOCK, subject.id], 'get', trx);
      const recent = await conn.execute<{ payload: WorkloadEventSnapshot }[]>(
        `select payload from event where tenant_id = ? and topic = 'workload.event' and subject_id = ? order by seq desc limit ${RECENT_ROWS}`,
        [subject.tenantId, subject.id],
        'all',
        trx,
      );
      if (alreadyLogged(s, recent.map((r) => r.payload))) return;
      appendEvent(em, { topic: 'workload.event', tenantId: subject.tenantId, subjectId: subject.id, payload: { ...s } });
    });
  }
}
