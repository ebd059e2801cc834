import { AsyncResource } from 'node:async_hooks';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/logger.js';
import { commitSignalOf } from './commit-signal.js';
import type { EventReader, LoggedEvent } from './event-reader.js';
import type { EventSequencer } from './event-sequencer.js';
import { PgListener } from './pg-listener.js';

/** The channel the event_notify trigger signals on every commit that inserted events. */
export const EVENT_CHANNEL = 'applcm_events';

export type EventTap = (e: LoggedEvent) => void;

export interface EventBusOptions {
  orm: MikroORM;
  reader: EventReader;
  /** Hands committed events their positions before each read (any replica's bus may; one at a time). */
  sequencer?: EventSequencer;
  log: Logger;
  /** Safety poll: the longest an event waits when both the in-process signal and NOTIFY missed it. */
  pollMs: number;
  /** Rows read per query; a wake reads until a short page. */
  batchSize: number;
  /** PostgreSQL to LISTEN on; absent on the embedded database, which delivers no NOTIFY between connections. */
  listenUrl?: string | null;
  /** Backoff of the read loop and of the listener after failures. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface Waiter {
  seq: bigint;
  resolve: () => void;
}

/**
 * One per server: follows the event table by position and fans each new row out to in-memory taps. Whatever the
 * number of subscribers, a wake costs one sequencer run and one query (more only while a backlog is read in pages);
 * with no subscriber at all, only the sequencer run.
 *
 * It wakes on (a) an in-process signal after any commit that inserted events, (b) `LISTEN applcm_events` on
 * real PostgreSQL (other replicas' commits; the connection reconnects with backoff), (c) a slow safety poll. Wakes
 * that arrive while a read runs collapse into one more read.
 *
 * Positions are handed out after commit, in order, to committed rows only (event-sequencer.ts), so reading
 * `position > last` never passes over a row positioned later: taps see every event exactly once, in order.
 */
/** The shortest time between two sequencer runs of this replica. */
const SEQUENCER_MIN_INTERVAL_MS = 10;

export class EventBus {
  private position = -1n;
  private lastRunAt = -Infinity;
  private readonly byTopic = new Map<string, Set<EventTap>>();
  private tapCount = 0;
  private dirty = false;
  private reading: Promise<void> | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private listener: PgListener | undefined;
  private offCommit: (() => void) | undefined;
  private stopped = false;
  /** Reads done so far (one per wake with news or not), for tests and diagnostics. */
  reads = 0;
  /**
   * The bus's own async context. Commit signals arrive inside the committing request's context (its transaction, its
   * log bindings); the read loop they start must not run in it.
   */
  private readonly scope = new AsyncResource('applcm.EventBus');

  constructor(private readonly o: EventBusOptions) {}

  /** Starts from the current end of the log: events committed before start are replayed by cursor, never pushed. */
  async start(): Promise<void> {
    this.position = await this.o.reader.head();
    this.offCommit = commitSignalOf(this.o.orm).onCommit(() => this.scope.runInAsyncScope(() => this.wake()));
    if (this.o.listenUrl) {
      this.listener = new PgListener({ url: this.o.listenUrl, channel: EVENT_CHANNEL, onNotify: () => this.wake(), log: this.o.log, minBackoffMs: this.o.retryMinMs, maxBackoffMs: this.o.retryMaxMs });
      this.listener.start();
      await this.listener.ready();
    }
    this.pollTimer = setInterval(() => this.scope.runInAsyncScope(() => this.wake()), this.o.pollMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.offCommit?.();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.listener?.stop();
    await this.reading;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  /** The sequence of the last event handed to taps: a tap added now receives exactly the events after it. */
  get sequence(): bigint {
    return this.position;
  }

  /** Taps currently registered (each live subscription holds one). */
  get taps(): number {
    return this.tapCount;
  }

  /** The LISTEN connection, when there is one (tests use it to cut the connection). */
  get pgListener(): PgListener | undefined {
    return this.listener;
  }

  /**
   * Calls `fn` synchronously for every event of `topics` delivered from now on, in sequence order. `fn` must be
   * cheap and must not throw (it runs inside the fan-out loop). Returns the function that removes the tap.
   */
  tap(topics: readonly string[], fn: EventTap): () => void {
    for (const t of topics) {
      let set = this.byTopic.get(t);
      if (!set) this.byTopic.set(t, (set = new Set()));
      set.add(fn);
    }
    this.tapCount++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.tapCount--;
      for (const t of topics) {
        const set = this.byTopic.get(t);
        set?.delete(fn);
        if (set?.size === 0) this.byTopic.delete(t);
      }
    };
  }

  /** Asks for a read soon; wakes during a read collapse into one more read after it. */
  wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.reading ??= this.readLoop().finally(() => {
      this.reading = undefined;
    });
  }

  /** Resolves once every event up to `seq` has been handed to the taps. */
  delivered(seq: bigint): Promise<void> {
    if (this.position >= seq || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Resolves once every event committed before the call has been positioned and handed to the taps; returns its position. */
  async sync(): Promise<bigint> {
    const inserted = await this.o.reader.lastInserted();
    for (;;) {
      this.wake();
      await this.reading;
      if (this.stopped || !(await this.o.reader.unpositioned(inserted))) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const head = await this.o.reader.head();
    this.wake();
    await this.delivered(head);
    return head;
  }

  private async readLoop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        // Under load commits arrive faster than runs: pacing the runs lets each position many rows at once instead of
        // one run per commit (a single commit after a quiet spell is positioned at once).
        const wait = this.lastRunAt + SEQUENCER_MIN_INTERVAL_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.lastRunAt = performance.now();
        const run = this.o.sequencer ? await this.o.sequencer.run() : null;
        if (this.stopped) return;
        // Nobody listens and nobody waits: what this run positioned needs no read. Its last position is the end of
        // the log (every earlier one was handed out before it), so a tap added now starts after it, as after a read.
        if (run?.last != null && this.tapCount === 0 && this.waiters.length === 0) {
          if (run.last > this.position) this.position = run.last;
          this.failures = 0;
          continue;
        }
        for (;;) {
          this.reads++;
          const rows = await this.o.reader.read({ after: this.position, limit: this.o.batchSize });
          if (this.stopped) return;
          this.fanOut(rows);
          if (rows.length < this.o.batchSize) break;
        }
        this.failures = 0;
      } catch (e) {
        // The database is away: try again with backoff (the poll keeps waking us too, without harm).
        const delay = Math.min((this.o.retryMinMs ?? 250) * 2 ** this.failures++, this.o.retryMaxMs ?? 10_000);
        this.o.log.warn({ err: (e as Error).message, retryInMs: delay }, 'reading the event log failed');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.scope.runInAsyncScope(() => this.wake()), delay);
        this.retryTimer.unref();
        return;
      }
    }
  }

  private fanOut(rows: LoggedEvent[]): void {
    for (const e of rows) {
      this.position = e.seq;
      const taps = this.byTopic.get(e.topic);
      if (!taps) continue;
      for (const fn of taps) {
        try {
          fn(e);
        } catch (err) {
          this.o.log.error({ err, seq: e.sequence }, 'event tap failed');
        }
      }
    }
    if (this.waiters.length && rows.length) {
      const still: Waiter[] = [];
      for (const w of this.waiters) {
        if (this.position >= w.seq) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
  }
}
