import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import pg from 'pg';
import { RegisterHost } from '../operations/hosts.js';
import { fixture, uploadPackage } from './package-client.js';
import type { TestServer } from './test-server.js';

// Rows the LCM engine will write, written directly: instances and operations for the read-side tests and bench.
// Timestamps are given with millisecond precision, as the ORM writes them (cursors carry milliseconds).

export interface InstanceRow {
  id?: string;
  tenantId: string;
  packageId: string;
  hostId: string;
  name: string;
  instantiationState?: 'NOT_INSTANTIATED' | 'INSTANTIATED';
  operationalState?: 'STARTED' | 'STOPPED' | null;
  parameters?: Record<string, string>;
  createdAt: Date;
}

export interface OperationRow {
  id?: string;
  tenantId: string;
  type: string;
  state: string;
  instanceId?: string | null;
  packageId?: string | null;
  hostId?: string | null;
  params?: Record<string, unknown>;
  error?: { code: string; message: string; details?: Record<string, unknown> } | null;
  createdAt: Date;
}

/** Runs `fn` with one connection to the test database. */
export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Inserts instances in batches of 1000 rows; returns their ids in order. */
export async function insertInstances(url: string, rows: InstanceRow[]): Promise<string[]> {
  const ids = rows.map((r) => r.id ?? randomUUID());
  await withDb(url, async (c) => {
    for (let start = 0; start < rows.length; start += 1000) {
      const batch = rows.slice(start, start + 1000);
      const values: unknown[] = [];
      const tuples = batch.map((r, i) => {
        const b = values.length;
        values.push(ids[start + i], r.tenantId, r.packageId, r.hostId, r.name, r.instantiationState ?? 'INSTANTIATED', r.operationalState === undefined ? 'STARTED' : r.operationalState, JSON.stringify(r.parameters ?? {}), r.createdAt);
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 9})`;
      });
      await c.query(
        `insert into app_instance (id, tenant_id, package_id, host_id, name, instantiation_state, operational_state, parameters, created_at, updated_at) values ${tuples.join(', ')}`,
        values,
      );
    }
  });
  return ids;
}

export async function insertOperations(url: string, rows: OperationRow[]): Promise<string[]> {
  const ids = rows.map((r) => r.id ?? randomUUID());
  await withDb(url, async (c) => {
    const values: unknown[] = [];
    const tuples = rows.map((r, i) => {
      const b = values.length;
      values.push(ids[i], r.tenantId, r.type, r.state, r.instanceId ?? null, r.packageId ?? null, r.hostId ?? null, JSON.stringify(r.params ?? {}), r.error ? JSON.stringify(r.error) : null, r.createdAt);
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10}, $${b + 10})`;
    });
    if (tuples.length) {
      await c.query(`insert into lcm_operation (id, tenant_id, type, state, instance_id, package_id, host_id, params, error, created_at, updated_at) values ${tuples.join(', ')}`, values);
    }
  });
  return ids;
}

let ipSeq = 0;
/** A fresh IPv4 address per host registered in this process. */
export const nextIp = (): string => {
  ipSeq += 1;
  return `10.77.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
};

export async function registerHost(t: TestServer, token: string, name: string, vim = 'k8s') {
  const r = await t.gql(RegisterHost, { input: { ip: nextIp(), name, vim } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.registerHost;
}

/** Onboards a real fixture package for a tenant through the upload endpoint; returns its id. */
export async function onboardPackage(t: TestServer, packageId: string, tenant: 'A' | 'B', file = 'appo-test-posiu.csar'): Promise<string> {
  const up = await uploadPackage(t, fixture(file), { token: tenant === 'A' ? t.tokens.tenantA : t.tokens.tenantB, tenantId: t.tenants[tenant], fields: { packageId } });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  return packageId;
}

/** Counts the SQL statements the server's ORM runs while `fn` runs (the test server shares this process). */
export async function countQueries<T>(t: TestServer, fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  // Every statement reaches knex, whether the ORM built it or a service wrote it (sql-tx.ts).
  const knex = t.orm.em.getConnection().getKnex();
  const queries: string[] = [];
  const listener = (q: { sql: string }) => queries.push(q.sql);
  knex.on('query', listener);
  try {
    return { result: await fn(), queries };
  } finally {
    knex.off('query', listener);
  }
}
