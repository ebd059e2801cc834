import type { EntityManager, Knex, MikroORM } from '@mikro-orm/postgresql';
import { sqlRows, twoTripTransaction, type SqlStatement } from '../db/sql-tx.js';
import { appendEvent, insertEventsStatement, type EventInput } from '../events/event-log.js';

/**
 * One statement of an operation's outcome, and the events its returned rows announce. `announce` may refuse the
 * outcome by throwing (a row that should have been there was not): the whole outcome is rolled back.
 */
export interface OutcomeStatement<R = never> extends SqlStatement {
  announce?(rows: R[]): EventInput[];
}

/**
 * Records an outcome in one transaction of two round trips (sql-tx.ts `twoTripTransaction`): its statements, then
 * the events they announce and the commit. The first statement is the guard: when it returns no row (the lease is
 * no longer ours), nothing is kept and the answer is null. Otherwise the answer is the guard's rows.
 */
export async function recordOutcome<G>(orm: MikroORM, guard: OutcomeStatement<G>, effects: readonly OutcomeStatement<unknown>[] = []): Promise<{ rows: G[]; announced: boolean } | null> {
  const statements = [guard, ...effects] as OutcomeStatement<unknown>[];
  return twoTripTransaction(orm, statements, (results) => {
    if (results[0]!.length === 0) return { value: null, rollback: true };
    const events = statements.flatMap((s, i) => s.announce?.(results[i]!) ?? []);
    return { value: { rows: results[0] as G[], announced: events.length > 0 }, then: events.length ? [insertEventsStatement(events)] : [] };
  });
}

/** Runs outcome statements one by one inside an ORM transaction (a person's decision), events in its unit of work. */
export async function applyInUnitOfWork(em: EntityManager, statements: readonly OutcomeStatement<unknown>[]): Promise<void> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('applyInUnitOfWork needs an entity manager inside a transaction');
  for (const s of statements) {
    const rows = await sqlRows<unknown>(trx, s.sql, s.params ?? []);
    for (const e of s.announce?.(rows) ?? []) appendEvent(em, e);
  }
}
