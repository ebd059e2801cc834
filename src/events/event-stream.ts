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
}

export interface EventStreamLimits {
  /** Events waiting for a slow client; one more ends the stream with SLOW_CONSUMER. */
  maxQueue: number;
  /** Rows per replay query. */
  replayPage: number;
}

type Phase = 'replay' | 'seam' | 'live' | 'closed';

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * One subscriber's view of the event log: an async iterator that first replays matching rows after a cursor from
 * the database, page by page as the client consumes them, then continues with the live fan-out of the bus, without
 * gap or duplicate at the seam:
 *
 * 1. `replay`: pages of `seq > scanned` until a short page; nothing is buffered beyond one page.
 * 2. The tap is added; the bus hands it exactly the events after its position `L` at that moment. Rows in
 *    `(scanned, L]` (delivered by the bus before the tap existed) are read by a bounded `seam` replay, while live
 *    events wait in `held`. Live events at or below `scanned` (the replay already saw them) are dropped.
 * 3. `live`: the tap queues matching events for the consumer, at most `maxQueue`; a client that falls further behind
 *    is cut off with SLOW_CONSUMER (and the sequence to resume after), so memory stays bounded.
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
  private wakeConsumer: (() => void) | undefined;
  private failure: Error | undefined;
  /** What the client has been sent: the sequence to resume after. */
  private lastSequence: string;

  constructor(
    private readonly bus: EventBus,
    private readonly reader: EventReader,
    private readonly spec: EventStreamSpec<T>,
    private readonly limits: EventStreamLimits,
  ) {
    if (spec.afterSequence == null) {
      this.scanned = bus.sequence;
      this.lastSequence = this.scanned.toString();
      this.phase = 'live';
      this.startTap();
    } else {
      this.scanned = spec.afterSequence;
      this.lastSequence = this.scanned.toString();
      this.phase = 'replay';
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.phase === 'closed') {
        const failure = this.failure;
        this.failure = undefined;
        if (failure) throw failure;
        return DONE;
      }
      const e = this.queue.shift();
      if (e) {
        this.lastSequence = e.sequence;
        return { value: this.spec.map(e), done: false };
      }
      if (this.phase === 'live') {
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        continue;
      }
      try {
        await this.replayPage();
      } catch (err) {
        // The stream ends with the error (the database is away): the client resubscribes with its last sequence.
        this.close();
        throw err;
      }
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
    this.queue = [];
    this.held = [];
    this.wake();
    this.spec.onClose?.();
  }

  private accepts(e: LoggedEvent): boolean {
    if (this.spec.tenantId !== undefined && e.tenantId !== this.spec.tenantId) return false;
    if (this.spec.subjectId !== undefined && e.subjectId !== this.spec.subjectId) return false;
    for (const key in this.spec.payloadEquals) if (e.payload[key] !== this.spec.payloadEquals[key]) return false;
    return true;
  }

  private startTap(): void {
    this.untap = this.bus.tap(this.spec.topics, (e) => this.onLive(e));
  }

  private onLive(e: LoggedEvent): void {
    if (this.phase === 'closed' || !this.accepts(e)) return;
    if (this.phase !== 'live') {
      if (this.held.length >= this.limits.maxQueue) return this.overflow();
      this.held.push(e);
      return;
    }
    if (e.seq <= this.scanned) return;
    this.scanned = e.seq;
    if (this.queue.length >= this.limits.maxQueue) return this.overflow();
    this.queue.push(e);
    this.wake();
  }

  private overflow(): void {
    this.close(
      new DomainError(
        ErrorCode.SLOW_CONSUMER,
        `the subscriber fell more than ${this.limits.maxQueue} events behind and was cut off; subscribe again with afterSequence: "${this.lastSequence}" to continue without loss`,
        { lastSequence: this.lastSequence },
      ),
    );
  }

  private wake(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  private async replayPage(): Promise<void> {
    const page = this.limits.replayPage;
    const rows = await this.reader.read({
      after: this.scanned,
      upTo: this.phase === 'seam' ? this.seamUpTo : undefined,
      limit: page,
      topics: this.spec.topics,
      tenantId: this.spec.tenantId,
      subjectId: this.spec.subjectId,
      payloadEquals: this.spec.payloadEquals,
    });
    if (this.phase === 'closed') return;
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
    const held = this.held;
    this.held = [];
    for (const e of held) {
      if (e.seq <= this.scanned) continue;
      this.scanned = e.seq;
      this.queue.push(e);
    }
  }
}
