// Shared setup of the LCM crash, replica and restart suites: a host with its config on the plugin, a package
// uploaded and distributed to it, instantiate operations started and waited for, and the rows behind them. Copied
// from (not shared with) test/e2e/lcm.test.ts, generalised to any server reachable over HTTP: an in-process test
// server or an `applcm serve` child process.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import yauzl from 'yauzl';
import type { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import type { SimRpc } from '../../src/plugins/sim/sim-options.js';
import type { LcmOperationFieldsFragment } from '../__generated__/graphql.js';
import { RegisterHost } from '../operations/hosts.js';
import { LcmDistribute, LcmInstantiate, LcmOperationById } from '../operations/lcm.js';
import { UploadHostConfig } from '../operations/plugins.js';
import { buildZip, type RawZipEntry } from './hostile-archives.js';
import { eventually, fixture, uploadPackage } from './package-client.js';
import { sql } from './test-db.js';
import type { GraphQLResponse } from './test-server.js';
import { tokenFor, type TestKeys } from './test-keys.js';

export type Gql = <TData, TVars>(doc: TypedDocumentNode<TData, TVars> | string, variables?: TVars, token?: string | null) => Promise<GraphQLResponse<TData>>;

/** What the fixture needs of a server: its URL, a GraphQL caller and tokens of tenant A. A TestServer is one. */
export interface LcmApi {
  url: string;
  tokens: { admin: string; tenantA: string };
  tenants: { A: string };
  gql: Gql;
}

/** A GraphQL caller over HTTP for a server at `url` (`url()` when the server behind it changes, e.g. a restarted child). */
export function httpGql(url: () => string, defaultToken: string): Gql {
  return async (doc, variables, token = defaultToken) => {
    const res = await fetch(`${url()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as { data?: never; errors?: never };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
}

/** Tenants and tokens signed with `keys`, the same for every process that trusts them. */
export interface Identities {
  keys: TestKeys;
  tenants: { A: string; admin: string };
  tokens: { admin: string; tenantA: string };
}

export async function identities(keys: TestKeys): Promise<Identities> {
  const tenants = { A: randomUUID(), admin: randomUUID() };
  return { keys, tenants, tokens: { admin: await tokenFor(keys, 'admin', tenants.admin), tenantA: await tokenFor(keys, 'tenant', tenants.A) } };
}

export { pluginEnv } from './plugin-env.js';

let ipSeq = 1;

/** A host of tenant A; a k8s host (the default) with its kubeconfig on the plugin. */
export async function newHost(api: LcmApi, vim = 'k8s'): Promise<{ id: string; ip: string }> {
  const n = ipSeq++;
  const r = await api.gql(RegisterHost, { input: { ip: `10.61.${Math.floor(n / 250)}.${(n % 250) + 1}`, name: `crash-edge-${n}`, vim } }, api.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const host = r.data!.registerHost;
  if (vim !== 'k8s') return host;
  const c = await api.gql(UploadHostConfig, { hostId: host.id, content: 'apiVersion: v1\nkind: Config\n' }, api.tokens.tenantA);
  assert.equal(c.errors, undefined, JSON.stringify(c.errors));
  return host;
}

/** Uploads a package file through the streaming REST endpoint as tenant A; answers the package id. */
export async function newPackage(api: LcmApi, file = fixture('positioning-service.csar')): Promise<string> {
  const up = await uploadPackage(api, file, { fields: { packageId: `pkg${randomUUID().slice(0, 8)}` } });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  return String(up.body.packageId);
}

export const SETTLED = ['COMPLETED', 'FAILED_TEMP', 'FAILED', 'ROLLED_BACK'];

/** Polls the operation over GraphQL until it reaches one of `states`, and returns it. */
export async function settled(api: LcmApi, id: string, states: string[] = SETTLED, timeoutMs = 20_000): Promise<LcmOperationFieldsFragment> {
  return eventually(
    async () => {
      const r = await api.gql(LcmOperationById, { id }, api.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const op = r.data!.operation;
      return states.includes(op.state) ? op : undefined;
    },
    timeoutMs,
    `operation ${id} to reach ${states.join('/')}`,
  );
}

/** Starts a distribution (without waiting for it). */
export async function startDistribution(api: LcmApi, pkg: string, hostIds: string[]): Promise<string> {
  const d = await api.gql(LcmDistribute, { packageId: pkg, hostIds }, api.tokens.tenantA);
  assert.equal(d.errors, undefined, JSON.stringify(d.errors));
  return d.data!.distributePackage.id;
}

/** A package distributed to a fresh host, ready to instantiate. */
export async function readyToInstantiate(api: LcmApi): Promise<{ host: { id: string; ip: string }; pkg: string }> {
  const host = await newHost(api);
  const pkg = await newPackage(api);
  const d = await settled(api, await startDistribution(api, pkg, [host.id]));
  assert.equal(d.state, 'COMPLETED', JSON.stringify(d.error));
  return { host, pkg };
}

/** Starts an instantiate (without waiting for it); answers the operation and instance ids. */
export async function startInstantiate(api: LcmApi, pkg: string, hostId: string, name = 'crashapp'): Promise<{ opId: string; instanceId: string }> {
  const instanceId = randomUUID();
  const r = await api.gql(LcmInstantiate, { input: { appInstanceId: instanceId, packageId: pkg, hostId, name } }, api.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return { opId: r.data!.instantiateApp.id, instanceId };
}

// ---- rows behind the API ---------------------------------------------------------------------------------------

export interface OperationRow {
  id: string;
  type: string;
  state: string;
  instance_id: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  error: { code: string; message: string; details: Record<string, unknown> | null } | null;
  result: Record<string, unknown> | null;
}

export const operationRows = (dbUrl: string, ids: string[]): Promise<OperationRow[]> =>
  sql<OperationRow>(dbUrl, 'select id, type, state, instance_id, attempts, lease_owner, lease_expires_at, error, result from lcm_operation where id = any($1::uuid[]) order by created_at', [ids]);

/** Operations in a state some worker still has to move (invariant I5 asks that none stays there). */
export const unsettledOperations = (dbUrl: string): Promise<OperationRow[]> =>
  sql<OperationRow>(dbUrl, `select id, type, state, instance_id, attempts, lease_owner, lease_expires_at, error, result from lcm_operation where state in ('STARTING', 'PROCESSING', 'ROLLING_BACK')`);

export interface InstanceRow {
  id: string;
  instantiation_state: string;
  operational_state: string | null;
}

export const instanceRows = (dbUrl: string, ids: string[]): Promise<InstanceRow[]> =>
  sql<InstanceRow>(dbUrl, 'select id, instantiation_state, operational_state from app_instance where id = any($1::uuid[])', [ids]);

/** Waits until every one of `ids` is in one of `states` in the database; returns the rows. */
export async function operationsIn(dbUrl: string, ids: string[], states: string[], timeoutMs = 30_000): Promise<OperationRow[]> {
  let last: OperationRow[] = [];
  try {
    return await eventually(
      async () => {
        last = await operationRows(dbUrl, ids);
        return last.length === ids.length && last.every((r) => states.includes(r.state)) ? last : undefined;
      },
      timeoutMs,
      `${ids.length} operations to reach ${states.join('/')}`,
    );
  } catch (e) {
    const tally = last.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: (acc[r.state] ?? 0) + 1 }), {});
    throw new Error(`${(e as Error).message}; they are ${JSON.stringify(tally)}`);
  }
}

// ---- the plugin's side -----------------------------------------------------------------------------------------

/** How many calls of `rpc` about `id` (instance, package) the simulator received. */
export const callsFor = (sim: SimPlugin, rpc: SimRpc, id: string): number => sim.calls.filter((c) => c.rpc === rpc && c.id?.toLowerCase() === id.toLowerCase()).length;

/** How many instances the simulator holds for (tenant, host), among `ids`. */
export const heldBy = (sim: SimPlugin, tenantId: string, hostIp: string, ids: string[]): string[] => ids.filter((id) => sim.instance(tenantId, hostIp, id) !== undefined);

// ---- a package big enough to be caught mid-stream --------------------------------------------------------------

async function zipEntries(file: string): Promise<{ name: string; data: Buffer }[]> {
  const out: { name: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push({ name: e.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  });
  return out;
}

/**
 * The positioning-service package plus a stored, incompressible image of `mib` MiB (as VM packages carry), written
 * to `dir`. Answers the file and its size.
 */
export async function bigPackage(dir: string, mib: number): Promise<{ file: string; bytes: number }> {
  const entries: RawZipEntry[] = (await zipEntries(fixture('positioning-service.csar'))).map((e) => ({ name: e.name, data: e.data, method: 8 }));
  const image = randomBytes(mib * 1024 * 1024);
  entries.push({ name: 'Image/disk.img', data: image, method: 0, crc32: zlib.crc32(image) });
  const zip = buildZip(entries);
  const file = path.join(dir, `big-${mib}mib.csar`);
  fs.writeFileSync(file, zip);
  return { file, bytes: zip.length };
}
