import { DomainError, ErrorCode } from '../errors.js';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { badInput } from '../errors.js';

/** One row of the event log as read back: the tailer hands the same object to every subscriber, so it is never mutated. */
export interface LoggedEvent {
  /**
   * The event's `position`: its place in commit order, handed out after commit by the event sequencer. This, not the
   * `seq` drawn at insert, is what readers follow and what the API calls the sequence.
   */
  readonly seq: bigint;
  /** `seq` as the decimal string the API shows (a bigint does not fit a GraphQL Int). */
  readonly sequence: string;
  readonly topic: string;
  readonly tenantId: string | null;
  readonly subjectId: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
}

export interface EventQuery {
  /** Rows with a sequence greater than this. */
  after: bigint;
  /** …and at most this. */
  upTo?: bigint;
  limit: number;
  /** Only these topics (all when absent). */
  topics?: readonly string[];
  /** Only this tenant's rows (all tenants when absent: admins). */
  tenantId?: string;
  subjectId?: string;
  /** Top-level payload fields that must equal these strings (keys are chosen by our code, never by clients). */
  payloadEquals?: Readonly<Record<string, string>>;
}

interface Row {
  position: string;
  tenant_id: string | null;
  topic: string;
  subject_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date | string;
}

const MAX_SEQUENCE = 2n ** 63n - 1n;

/** A client's sequence cursor (`afterSequence`, `after`), or BAD_USER_INPUT naming `field`. */
export function parseSequence(value: string, field: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw badInput(field, `${field} must be a sequence returned by this API (a decimal number)`);
  const n = BigInt(value);
  if (n > MAX_SEQUENCE) throw badInput(field, `${field} is out of range`);
  return n;
}

const toEvent = (r: Row): LoggedEvent => ({
  seq: BigInt(r.position),
  sequence: r.position,
  topic: r.topic,
  tenantId: r.tenant_id,
  subjectId: r.subject_id,
  payload: r.payload,
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
});

/** Reads the event log by sequence: the tailer, subscription replays and the change feed share it. */
export class EventReader {
  /**
   * Its own fork for the tailer's reads. The global `orm.em` resolves to the transaction of the async context it is
   * called from, and the tailer is woken from inside committing transactions: reading through it would use a
   * transaction that has just completed.
   */
  private readonly em: EntityManager;

  constructor(orm: MikroORM) {
    this.em = orm.em.fork();
  }

  /**
   * Positioned rows in position order. Positions are handed out after commit, in order, to committed rows only (see
   * event-sequencer.ts), so a reader at position P never meets a row that later gets a smaller one: paging skips nothing.
   */
  async read(q: EventQuery, em: EntityManager = this.em): Promise<LoggedEvent[]> {
    const where = ['position > ?'];
    const params: unknown[] = [q.after.toString()];
    if (q.upTo !== undefined) {
      where.push('position <= ?');
      params.push(q.upTo.toString());
    }
    if (q.topics) {
      // MikroORM inlines parameters itself (arrays as lists), so one placeholder per topic.
      where.push(q.topics.length ? `topic in (${q.topics.map(() => '?').join(', ')})` : 'false');
      params.push(...q.topics);
    }
    if (q.tenantId !== undefined) {
      where.push('tenant_id = ?');
      params.push(q.tenantId);
    }
    if (q.subjectId !== undefined) {
      where.push('subject_id = ?');
      params.push(q.subjectId);
    }
    for (const [key, value] of Object.entries(q.payloadEquals ?? {})) {
      where.push('payload->>? = ?');
      params.push(key, value);
    }
    params.push(q.limit);
    // Ordered by the column, not by a text alias (which would sort "10" before "9").
    const rows = await em
      .getConnection()
      .execute<Row[]>(`select position::text as position, tenant_id, topic, subject_id, payload, created_at from event where ${where.join(' and ')} order by event.position limit ?`, params, 'all', em.getTransactionContext());
    return rows.map(toEvent);
  }

  /**
   * Refuses a cursor whose following events retention has removed (event-retention.ts): a reader continuing from it
   * would miss them without knowing. What is kept is a suffix of the log with contiguous positions, so the events
   * after `after` are all there exactly when `after` is at least the first kept position minus one.
   */
  async requireKept(after: bigint, em: EntityManager = this.em): Promise<void> {
    const row = await em.getConnection().execute<{ oldest: string | null }>('select min(position)::text as oldest from event where position is not null', [], 'get', em.getTransactionContext());
    if (row.oldest === null || after >= BigInt(row.oldest) - 1n) return;
    throw new DomainError(
      ErrorCode.CURSOR_EXPIRED,
      `events after sequence ${after} are no longer kept (the log keeps APPLCM_EVENT_RETENTION_S); read the current state, then continue after sequence ${BigInt(row.oldest) - 1n} or without a cursor`,
      { after: after.toString(), oldestSequence: row.oldest },
    );
  }

  /** The highest position handed out so far (0 for an empty log). */
  async head(em: EntityManager = this.em): Promise<bigint> {
    const row = await em.getConnection().execute<{ position: string }>('select coalesce(max(position), 0)::text as position from event where position is not null', [], 'get');
    return BigInt(row.position);
  }

  /** True while a committed event waits for its position (inserted at or before `seq`, when given). */
  async unpositioned(seq?: bigint, em: EntityManager = this.em): Promise<boolean> {
    const rows = await em
      .getConnection()
      .execute<{ one: number }[]>(`select 1 as one from event where position is null${seq === undefined ? '' : ' and seq <= ?'} limit 1`, seq === undefined ? [] : [seq.toString()], 'all');
    return rows.length > 0;
  }

  /** The highest `seq` drawn by a committed insert (0 for an empty log). */
  async lastInserted(em: EntityManager = this.em): Promise<bigint> {
    const row = await em.getConnection().execute<{ seq: string }>('select coalesce(max(seq), 0)::text as seq from event', [], 'get');
    return BigInt(row.seq);
  }
}
