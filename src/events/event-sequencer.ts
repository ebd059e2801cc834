import type { MikroORM } from '@mikro-orm/postgresql';
import { oneTripTransaction, type SqlStatement } from '../db/sql-tx.js';

/** The advisory lock that makes one sequencer at a time, across every replica on the database. */
const SEQUENCER_LOCK = 7317002;
const BATCH = 10_000;

/** Takes the lock (waiting for another replica's run to commit), so the next statement sees every position before. */
const LOCK_SQL = `select pg_advisory_xact_lock(${SEQUENCER_LOCK})`;

/**
 * The unpositioned rows are found with a plain scan of `event_unpositioned_idx` in `seq` order, never a bitmap scan.
 * Every positioned row leaves a dead entry in that partial index (its old version had no position); a plain index
 * scan marks the entries of dead rows as it passes them (the next scan skips them without reading the table, and
 * inserts clear them from full pages), where a bitmap scan visits every one of them on every run until a vacuum. The
 * planner, misled by the dead entries, picks the bitmap scan: under load the run then costs milliseconds per thousand
 * events in the log, growing until a vacuum.
 */
const PLAN: SqlStatement[] = ['enable_bitmapscan', 'enable_seqscan', 'enable_sort'].map((s) => ({ sql: `set local ${s} = off` }));

/** Positions up to BATCH committed rows after the current end, and tells other replicas when it positioned any. */
const ASSIGN_SQL = `
with base as (select coalesce(max(position), 0) as b from event where position is not null),
todo as (select seq, row_number() over (order by seq) as rn from event where position is null order by seq limit ${BATCH}),
assigned as (update event e set position = base.b + todo.rn from todo, base where e.seq = todo.seq returning e.position),
notified as (select pg_notify('applcm_events', '') from (select 1 from assigned limit 1) any_assigned)
select (select count(*) from assigned)::int as positioned, (select max(position) from assigned)::text as last, (select count(*) from notified)::int as notified`;

export interface SequencerRun {
  /** Rows positioned by this run. */
  positioned: number;
  /** The last position handed out by this run (null when it positioned nothing). */
  last: bigint | null;
}

/**
 * Gives committed events their `position`, the order readers follow. Transactions append events concurrently and
 * commit in any order, so `seq` (drawn at insert) cannot be followed without skipping a row that commits late; a
 * position is handed out only to rows already committed, after every position handed out before, by one sequencer
 * at a time (a transaction-scoped advisory lock). Positions therefore only grow, a reader at position P has seen
 * every event that will ever have a position at most P, and no commit waits for another's.
 *
 * A run is one round trip (BEGIN, lock, assign, COMMIT in one message): it runs after every commit that appended
 * events, so its cost is paid hundreds of times a second under load. In READ COMMITTED each statement of the message
 * takes its own snapshot, so the assignment, after the lock, sees the positions of a run that held it before.
 */
export class EventSequencer {
  constructor(private readonly orm: MikroORM) {}

  async run(): Promise<SequencerRun> {
    let positioned = 0;
    let last: bigint | null = null;
    for (;;) {
      const rows = (await oneTripTransaction(this.orm, [...PLAN, { sql: LOCK_SQL }, { sql: ASSIGN_SQL }])).at(-1);
      const r = (rows as { positioned: number; last: string | null }[])[0]!;
      positioned += r.positioned;
      if (r.last !== null) last = BigInt(r.last);
      if (r.positioned < BATCH) return { positioned, last };
    }
  }
}
