import type { Knex } from '@mikro-orm/postgresql';

interface PgClient {
  __knexUid?: string;
  query<T>(config: { text: string; values: readonly unknown[] }): Promise<{ rows: T[] }>;
}

interface KnexPool {
  emit(event: 'query', statement: { __knexUid?: string; method: 'raw'; sql: string; bindings: readonly unknown[] }): void;
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<unknown>;
}

/**
 * The rows of one statement (`$1`… placeholders) on a connection of the ORM's pool, sent by the driver without knex's
 * raw-statement runner: for the hottest reads, where knex's placeholder rewriting, runner and events cost more than
 * the driver's own work. The connection is the pool's (its settings, type parsers and error handling); the statement
 * runs outside any transaction. Like every statement, it is announced as knex's `query` event.
 */
export async function pooledRows<T>(knex: Knex, text: string, values: readonly unknown[]): Promise<T[]> {
  const pool = knex.client as unknown as KnexPool;
  const connection = await pool.acquireConnection();
  try {
    pool.emit('query', { __knexUid: connection.__knexUid, method: 'raw', sql: text, bindings: values });
    return (await connection.query<T>({ text, values })).rows;
  } finally {
    await pool.releaseConnection(connection);
  }
}
