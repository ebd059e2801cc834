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

/**
 * Runs `fn` in a transaction on a raw connection. It begins through the ORM's connection, whose `begin` turns a
 * connection cut by a database restart into the driver's error (see PgConnection), so the caller sees the database
 * as unavailable instead of a knex "query already complete".
 */
export function sqlTransaction<T>(orm: MikroORM, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return orm.em.getConnection().transactional((trx) => fn(trx));
}

/** The pool's raw connection, for single statements outside a transaction. */
export const sqlPool = (orm: MikroORM): Knex => orm.em.getConnection().getKnex();

/**
 * A timestamp column of a raw row. The ORM registers PostgreSQL type parsers that leave timestamps as text
 * (`2026-11-29 17:26:30.963824+00`), which Date reads; a Date (another parser) passes through.
 */
export const pgDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));

export const pgDateOrNull = (v: string | Date | null): Date | null => (v === null ? null : pgDate(v));
