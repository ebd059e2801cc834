import type { Knex, MikroORM } from '@mikro-orm/postgresql';

/** Where a raw statement runs: the pool, or an open transaction. */
export type SqlRunner = Knex | Knex.Transaction;

/**
 * The rows of one parameterised statement (`?` placeholders, sent to PostgreSQL as bind parameters). The hot paths
 * of the engine use this instead of the ORM's unit of work, which costs several times the CPU of the statement
 * itself. knex spreads a JavaScript array into a list of placeholders: pass arrays as PostgreSQL literals (`{a,b}`).
 */
export async function sqlRows<T>(db: SqlRunner, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const r = await db.raw<{ rows: T[] }>(sql, params as Knex.RawBinding[]);
  return r.rows;
}

/** The pool's raw connection, for single statements outside a transaction. */
export const sqlPool = (orm: MikroORM): Knex => orm.em.getConnection().getKnex();

/**
 * A timestamp column of a raw row. The ORM registers PostgreSQL type parsers that leave timestamps as text
 * (`2026-01-01 10:00:00.123456+00`); a Date (another parser) passes through.
 */
export function pgDate(v: string | Date): Date {
  if (v instanceof Date) return v;
  const d = new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  if (Number.isNaN(d.getTime())) throw new Error(`unreadable timestamp ${JSON.stringify(v)}`);
  return d;
}

export const pgDateOrNull = (v: string | Date | null): Date | null => (v === null ? null : pgDate(v));

/** A statement with `?` placeholders and their values. */
export interface SqlStatement {
  sql: string;
  params?: readonly unknown[];
}

/** What a two-trip transaction does after reading the rows of its first statements. */
export type SqlDecision<T> = { value: T; then: SqlStatement[] } | { value: T; rollback: true };

/**
 * A transaction in two round trips instead of one per statement: `BEGIN` and the first statements go together,
 * then what `decide` makes of their rows — closing statements and `COMMIT`, or `ROLLBACK` — goes in the second.
 * On this machine a round trip to PostgreSQL costs more CPU (the socket write) than everything else a statement
 * does, and the engine's outcomes are several statements each. Several statements in one message need the simple
 * query protocol, so the values are inlined by the ORM's own escaping (as it does for every query it sends).
 * Throwing in `decide`, or any failure, rolls back.
 */
export async function twoTripTransaction<T>(orm: MikroORM, first: readonly SqlStatement[], decide: (rows: unknown[][]) => SqlDecision<T>): Promise<T> {
  return onConnection(orm, async (send, text) => {
    let decision: SqlDecision<T>;
    try {
      // The first result is BEGIN's.
      const rows = (await send(`begin;\n${text(first)}`)).slice(1);
      decision = decide(rows);
      if ('rollback' in decision) {
        await send('rollback');
        return decision.value;
      }
    } catch (e) {
      await send('rollback').catch(() => undefined);
      throw e;
    }
    // A failed COMMIT (or closing statement) rolls back by itself; the connection is idle again either way.
    await send(decision.then.length ? `${text(decision.then)};\ncommit` : 'commit').catch(async (e: unknown) => {
      await send('rollback').catch(() => undefined);
      throw e;
    });
    return decision.value;
  });
}

/** `BEGIN`, the statements and `COMMIT` in one round trip; answers the rows of each statement. Any failure rolls back. */
export async function oneTripTransaction(orm: MikroORM, statements: readonly SqlStatement[]): Promise<unknown[][]> {
  return onConnection(orm, async (send, text) => {
    try {
      return (await send(`begin;\n${text(statements)};\ncommit`)).slice(1, -1);
    } catch (e) {
      await send('rollback').catch(() => undefined);
      throw e;
    }
  });
}

type Send = (sql: string) => Promise<unknown[][]>;

/** Runs `fn` with one pooled connection, to which it sends several statements per message (values inlined). */
async function onConnection<T>(orm: MikroORM, fn: (send: Send, text: (stmts: readonly SqlStatement[]) => string) => Promise<T>): Promise<T> {
  const knex = sqlPool(orm);
  const platform = orm.em.getPlatform();
  const text = (stmts: readonly SqlStatement[]) => stmts.map((s) => platform.formatQuery(s.sql, [...(s.params ?? [])])).join(';\n');
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
  const conn = await client.acquireConnection();
  const send: Send = async (sql) => {
    const r = await knex.raw<{ rows: unknown[] } | { rows: unknown[] }[]>(sql).connection(conn);
    return (Array.isArray(r) ? r : [r]).map((x) => x.rows);
  };
  try {
    return await fn(send, text);
  } finally {
    await client.releaseConnection(conn);
  }
}
