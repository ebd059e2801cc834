import type { MikroORM } from '@mikro-orm/postgresql';

/** The advisory lock that makes one sequencer at a time, across every replica on the database. */
const SEQUENCER_LOCK = 7317002;
const BATCH = 10_000;

const ASSIGN_SQL = `
with base as (select coalesce(max(position), 0) as b from event where position is not null),
todo as (select seq, row_number() over (order by seq) as rn from event where position is null order by seq limit ${BATCH})
update event e set position = base.b + todo.rn from todo, base where e.seq = todo.seq
returning e.position`;

/**
 * Gives committed events their `position`, the order readers follow. Transactions append events concurrently and
 * commit in any order, so `seq` (drawn at insert) cannot be followed without skipping a row that commits late; a
 * position is handed out only to rows already committed, after every position handed out before, by one sequencer
 * at a time (a transaction-scoped advisory lock). Positions therefore only grow, a reader at position P has seen
 * every event that will ever have a position at most P, and no commit waits for another's.
 */
export class EventSequencer {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Positions what is committed and unpositioned. Answers how many rows it positioned, or null when another
   * replica's sequencer holds the lock (it positions them, and its commit wakes every reader).
   */
  async run(): Promise<number | null> {
    return this.orm.em.fork().transactional(async (em) => {
      const conn = em.getConnection();
      const ctx: unknown = em.getTransactionContext();
      const [lock] = await conn.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`, [], 'all', ctx);
      if (!lock?.locked) return null;
      let total = 0;
      for (;;) {
        const rows = await conn.execute<{ position: string }[]>(ASSIGN_SQL, [], 'all', ctx);
        total += rows.length;
        if (rows.length < BATCH) break;
      }
      // Readers on other replicas learn of the new positions at commit.
      if (total > 0) await conn.execute(`select pg_notify('applcm_events', '')`, [], 'all', ctx);
      return total;
    });
  }
}
