import { DomainError, ErrorCode } from '../errors.js';
import type { EventBus } from './event-bus.js';
import type { EventReader, LoggedEvent } from './event-reader.js';

export interface EventStreamSpec<T> {
  topics: readonly string[];
  /** Only this tenant's rows; absent: every tenant (admins). */
  tenantId?: string;
  /** Only this subject's rows (narrows the replay query too). */
  subjectId?: string;
  /** Top-level payload fields that must equal these strings, on replayed (in SQL) and live rows alike. */
  payloadEquals?: Readonly<Record<string, string>>;
  /** Replay the rows after this sequence from the database first; absent: start live, from now. */
  afterSequence?: bigint | null;
  map: (e: LoggedEvent) => T;
  /** Runs once when the stream ends, however it ends. */
  onClose?: () => void;
  /** Runs each time the subscriber falls too far behind the live feed and goes back to reading the log. */
  onFallBehind?: () => void;
}

export interface EventStreamLimits {
  /** Live events held in memory for one subscriber; beyond, it reads the log by its cursor instead. */
  maxQueue: number;
  /** Rows per replay query. */
  replayPage: number;
  /** A subscriber reading the log by cursor that takes nothing for this long is ended with SLOW_CONSUMER. */
  stallMs: number;
}

type Phase = 'replay' | 'seam' | 'live' | 'closed';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * One subscriber's view of the event log: an async iterator that replays matching rows after a cursor from the
 * database, page by page as the client consumes them, then continues with the live fan-out of the bus, without gap
 * or duplicate at the seam:
 *
 * 1. `replay`: pages of `seq > scanned` until a short page; nothing is buffered beyond one page.
 * 2. The tap is added; the bus hands it exactly the events after its position `L` at that moment. Rows in
 *    `(scanned, L]` (delivered by the bus before the tap existed) are read by a bounded `seam` replay, while live
 *    events wait in `held`. Live events at or below `scanned` (the replay already saw them) are dropped.
 * 3. `live`: the tap queues matching events for the consumer.
 *
 * Memory per subscriber is bounded by `maxQueue` events: a subscriber that falls further behind (a burst larger than
 * it can take at once, or a client that stopped reading) drops its queue and its tap and goes back to step 1 from the
 * last event it was given, reading the log at its own pace. If it then takes nothing for `stallMs` (the client does
 * not read its socket), it is ended with SLOW_CONSUMER and the sequence to resume after.
 *
 * Written by hand rather than as an async generator: `return()` must end the stream even while `next()` is waiting
 * for an event (a suspended generator would queue the return behind that wait, and the tap would leak).
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private phase: Phase;
  private scanned: bigint;
  private seamUpTo = 0n;
  private queue: LoggedEvent[] = [];
  private held: LoggedEvent[] = [];
  private untap: (() => void) | undefined;
  /** The consumer's pending `next()` while live with nothing queued: the tap hands it the next event directly. */
  private waiter: ((r: IteratorResult<T, undefined> | Promise<IteratorResult<T, undefined>>) => void) | undefined;
  /** `payloadEquals` as pairs, checked for every event of the topic. */
  private readonly fieldFilters: [string, string][];
  private failure: Error | undefined;
  /** The last event handed to the client (or the starting point): where it resumes. */
  private delivered: bigint;
  private pulling = false;
  private lastPull = Date.now();
  private stallTimer: NodeJS.Timeout | undefined;
  /** Times this subscriber fell behind the live feed and went back to reading the log (a query in flight then is void). */
  fallbacks = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly reader: EventReader,
    private readonly spec: EventStreamSpec<T>,
    private readonly limits: EventStreamLimits,
  ) {
    this.fieldFilters = Object.entries(spec.payloadEquals ?? {});
    if (spec.afterSequence == null) {
      this.scanned = bus.sequence;
      this.phase = 'live';
      this.startTap();
    } else {
      this.scanned = spec.afterSequence;
      this.phase = 'replay';
      this.armStall();
    }
    this.delivered = this.scanned;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  next(): Promise<IteratorResult<T, undefined>> {
    // The common case, an event waiting, without an async function's extra promises (once per subscriber and event).
    if (this.phase !== 'closed' && this.queue.length > 0) {
      const e = this.queue.shift()!;
      this.delivered = e.seq;
      this.lastPull = Date.now();
      return Promise.resolve({ value: this.spec.map(e), done: false });
    }
    if (this.phase === 'live') return this.waitLive();
    return this.pull();
  }

  private waitLive(): Promise<IteratorResult<T, undefined>> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private async pull(): Promise<IteratorResult<T, undefined>> {
    this.pulling = true;
    try {
      for (;;) {
        if (this.phase === 'closed') {
          const failure = this.failure;
          this.failure = undefined;
          if (failure) throw failure;
          return DONE;
        }
        const e = this.queue.shift();
        if (e) {
          this.delivered = e.seq;
          return { value: this.spec.map(e), done: false };
        }
        if (this.phase === 'live') return await this.waitLive();
        try {
          await this.replayPage();
        } catch (err) {
          // The stream ends with the error (the database is away): the client resubscribes with its last sequence.
          this.close();
          throw err;
        }
      }
    } finally {
      this.pulling = false;
      this.lastPull = Date.now();
    }
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  throw(e?: unknown): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }

  /** Ends the stream; with `failure`, the consumer's next `next()` rejects with it once. */
  close(failure?: Error): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.failure = failure;
    this.untap?.();
    this.untap = undefined;
    clearTimeout(this.stallTimer);
    this.queue = [];
    this.held = [];
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter && failure) {
      this.failure = undefined;
      waiter(Promise.reject(failure));
    } else waiter?.(DONE);
    this.spec.onClose?.();
  }

  private accepts(e: LoggedEvent): boolean {
    if (this.spec.tenantId !== undefined && e.tenantId !== this.spec.tenantId) return false;
    if (this.spec.subjectId !== undefined && e.subjectId !== this.spec.subjectId) return false;
    for (const [key, value] of this.fieldFilters) if (e.payload[key] !== value) return false;
    return true;
  }

  private startTap(): void {
    this.untap = this.bus.tap(this.spec.topics, (e) => this.onLive(e));
  }

  private onLive(e: LoggedEvent): void {
    if (this.phase === 'closed' || !this.accepts(e)) return;
    if (this.phase !== 'live') {
      if (this.held.length >= this.limits.maxQueue) return this.fallBehind();
      this.held.push(e);
      return;
    }
    if (e.seq <= this.scanned) return;
    const waiter = this.waiter;
    if (waiter) {
      // The consumer is waiting, so nothing is queued: hand the event over.
      this.waiter = undefined;
      this.scanned = e.seq;
      this.delivered = e.seq;
      this.lastPull = Date.now();
      waiter({ value: this.spec.map(e), done: false });
      return;
    }
    if (this.queue.length >= this.limits.maxQueue) return this.fallBehind();
    this.scanned = e.seq;
    this.queue.push(e);
  }

  /** Too far behind to hold in memory: forget the queue and the tap, and read the log from the last event given. */
  private fallBehind(): void {
    this.untap?.();
    this.untap = undefined;
    this.queue = [];
    this.held = [];
    this.scanned = this.delivered;
    this.phase = 'replay';
    this.fallbacks++;
    this.spec.onFallBehind?.();
    this.armStall();
  }

  /** While reading the log, a subscriber that takes nothing for `stallMs` is cut off. */
  private armStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.checkStall(), this.limits.stallMs);
    this.stallTimer.unref();
  }

  private checkStall(): void {
    if (this.phase !== 'replay' && this.phase !== 'seam') return;
    const idle = Date.now() - this.lastPull;
    if (this.pulling || idle < this.limits.stallMs) {
      this.stallTimer = setTimeout(() => this.checkStall(), this.pulling ? this.limits.stallMs : this.limits.stallMs - idle);
      this.stallTimer.unref();
      return;
    }
    const resumeAfter = this.delivered.toString();
    this.close(
      new DomainError(
        ErrorCode.SLOW_CONSUMER,
        `the subscriber fell more than ${this.limits.maxQueue} events behind and took none for ${this.limits.stallMs} ms, so it was cut off; subscribe again with afterSequence: "${resumeAfter}" to continue without loss`,
        { lastSequence: resumeAfter },
      ),
    );
  }

  private async replayPage(): Promise<void> {
    const page = this.limits.replayPage;
    const fallbacks = this.fallbacks;
    await this.reader.requireKept(this.scanned);
    const rows = await this.reader.read({
      after: this.scanned,
      upTo: this.phase === 'seam' ? this.seamUpTo : undefined,
      limit: page,
      topics: this.spec.topics,
      tenantId: this.spec.tenantId,
      subjectId: this.spec.subjectId,
      payloadEquals: this.spec.payloadEquals,
    });
    // Closed meanwhile, or fell behind (queue dropped, cursor reset): this page no longer continues the stream.
    if (this.phase === 'closed' || fallbacks !== this.fallbacks) return;
    for (const r of rows) {
      this.scanned = r.seq;
      if (this.accepts(r)) this.queue.push(r);
    }
    if (rows.length === page) return;
    if (this.phase === 'replay') {
      // Caught up with the table as of that query. From here the bus delivers what it has not handed out yet; what it
      // handed out before the tap existed (up to its position) is read once more, bounded.
      const position = this.bus.sequence;
      this.startTap();
      if (position > this.scanned) {
        this.phase = 'seam';
        this.seamUpTo = position;
        return;
      }
    }
    this.phase = 'live';
    clearTimeout(this.stallTimer);
    const held = this.held;
    this.held = [];
    for (const e of held) {
      if (e.seq <= this.scanned) continue;
      this.scanned = e.seq;
      this.queue.push(e);
    }
  }
}
