import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (started before the tests and before CI). */
export const ADMIN_DATABASE_URL = process.env.APPLCM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh database per test file, so files run in parallel without seeing each other's rows.
 * `adminUrl` picks another PostgreSQL server than the machine's (e.g. a scratch cluster).
 */
export async function createTestDatabase(label: string, adminUrl: string = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `applcm_t_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs one SQL statement against a test database (for checking rows behind the API). */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}
