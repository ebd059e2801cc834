import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { SqlRunner } from './sql-tx.js';

const names = new Map<string, string>();

/** A name per statement text: the same text always gets the same one, another text never does. */
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (!name) names.set(sql, (name = `applcm_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  return name;
}

/**
 * `sqlRows` as a named prepared statement: each pooled connection parses and plans it once (after five executions
 * PostgreSQL keeps a generic plan), instead of on every call. For the hot statements whose text never changes and
 * whose planning costs more than running them (instantiate's checks and inserts in one statement). Only for texts
 * built from constants: every distinct text is a prepared statement on every connection for its lifetime.
 */
export async function preparedRows<T>(db: SqlRunner, sql: string, params: readonly unknown[]): Promise<T[]> {
  // knex hands `options` to the driver with the statement (pg's `name`).
  const raw = db.raw<{ rows: T[] }>(sql, params as Knex.RawBinding[]) as Knex.Raw<{ rows: T[] }> & { options(o: { name: string }): Knex.Raw<{ rows: T[] }> };
  const r = await raw.options({ name: nameOf(sql) });
  return r.rows;
}
