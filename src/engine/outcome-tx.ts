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

/** An outcome: its guard (the first statement) and the effects that go with it. */
export interface Outcome {
  guard: OutcomeStatement<unknown>;
  effects: readonly OutcomeStatement<unknown>[];
}

/**
 * Records outcomes in one transaction of two round trips (sql-tx.ts `twoTripTransaction`): their statements, then
 * the events they announce and the commit. Each outcome's first statement is its guard: when any guard returns no
 * row (the lease is no longer ours), nothing is kept and the answer is null. Otherwise the answer is each guard's
 * rows, in order, and whether events were committed.
 */
export async function recordOutcomes(orm: MikroORM, outcomes: readonly Outcome[]): Promise<{ guards: unknown[][]; announced: boolean } | null> {
  return twoTripTransaction(orm, outcomes.flatMap((o) => [o.guard, ...o.effects]), (results) => {
    let at = 0;
    const guards: unknown[][] = [];
    const events: EventInput[] = [];
    for (const o of outcomes) {
      const own = results.slice(at, at + 1 + o.effects.length);
      at += own.length;
      if (own[0]!.length === 0) return { value: null, rollback: true };
      guards.push(own[0]!);
      events.push(...[o.guard, ...o.effects].flatMap((s, i) => s.announce?.(own[i]!) ?? []));
    }
    return { value: { guards, announced: events.length > 0 }, then: events.length ? [insertEventsStatement(events)] : [] };
  });
}

/** One outcome (see recordOutcomes): the guard's rows, or null when the guard matched nothing and nothing was kept. */
export async function recordOutcome<G>(orm: MikroORM, guard: OutcomeStatement<G>, effects: readonly OutcomeStatement<unknown>[] = []): Promise<{ rows: G[]; announced: boolean } | null> {
  const r = await recordOutcomes(orm, [{ guard: guard, effects }]);
  return r && { rows: r.guards[0] as G[], announced: r.announced };
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
