// Requirement (hardening R1a-R1c, invariant I5): a controller killed with SIGKILL while instantiates run leaves
// nothing stuck and nothing deployed twice. The controller is `applcm serve` in a child process; the plugin is a
// simulator in this process, behind a TCP proxy that can swallow its answers. At the moment of the kill, the
// operations are in three situations:
//   R1a  committed and not yet claimed (the worker was at its concurrency limit): STARTING;
//   R1b  claimed, the plugin call in flight, the plugin has not acted (a stalled call): PROCESSING;
//   R1c  claimed, the plugin acted, its answer never reached the controller (answers swallowed): PROCESSING.
// A second controller on the same database takes them over once their leases lapse and asks the plugin before
// acting again: R1c is reconciled without a second instantiate, R1b is instantiated (once), R1a runs normally.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmOperationById, LcmRetry } from '../operations/lcm.js';
import { startController, type ControllerProcess } from '../helpers/controller-process.js';
import {
  callsFor,
  heldBy,
  identities,
  instanceRows,
  pluginEnv,
  operationRows,
  operationsIn,
  readyToInstantiate,
  startInstantiate,
  unsettledOperations,
  type Identities,
} from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-db.js';
import { generateTestKeys, type TestKeys } from '../helpers/test-keys.js';

/** Claimed by the first controller (its worker concurrency); the rest wait STARTING (R1a). */
const CLAIMED = 16;
/** Of the claimed, the first ones to reach the plugin stall there (R1b); the others are deployed (R1c). */
const STALLED = 8;
const TOTAL = 24;
const LEASE_MS = 2000;

let keys: TestKeys;
let sim: SimPlugin;
let proxy: TcpProxy;
/** Every token the plugin was shown, each checked against the test key. */
const tokensSeen = new Set<string>();
const children: ControllerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  keys = generateTestKeys();
  const publicKey = createPublicKey(keys.publicKeyPem);
  sim = await SimPlugin.start({
    verifyToken: async (token) => {
      tokensSeen.add(token);
      await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
      return true;
    },
  });
  proxy = await TcpProxy.start('127.0.0.1', sim.port);
});

after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await proxy?.close();
  await sim?.stop();
});

interface Crash {
  db: TestDatabase;
  ids: Identities;
  hostIp: string;
  env: Record<string, string>;
  dataDir: string;
  opIds: string[];
  instanceIds: string[];
  /** Instance ids by the situation their operation was in at the kill. */
  r1a: string[];
  r1b: string[];
  r1c: string[];
  /** Per instance id, the plugin calls made before the kill. */
  instantiatesBefore: Map<string, number>;
}

async function controller(c: Pick<Crash, 'db' | 'ids' | 'dataDir'>, env: Record<string, string>): Promise<ControllerProcess> {
  const child = await startController({ databaseUrl: c.db.url, ids: c.ids, dataDir: c.dataDir, env });
  children.push(child);
  return child;
}

/**
 * Starts a controller, brings TOTAL instantiates into the three situations, kills it with SIGKILL and checks the
 * rows it left: R1b and R1c PROCESSING under its lease, R1a STARTING.
 */
async function crashMidInstantiate(label: string, withServiceToken: boolean): Promise<Crash> {
  const db = await createTestDatabase(label);
  cleanups.push(() => db.drop());
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `applcm-${label}-`));
  cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
  const ids = await identities(keys);
  const env: Record<string, string> = {
    ...pluginEnv(proxy.address),
    APPLCM_OPERATION_LEASE_MS: String(LEASE_MS),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_RETRY_BASE_MS: '200',
    // No periodic health check: one during the blackhole would mark the plugin down and refuse the mutations.
    APPLCM_PLUGIN_HEALTH_INTERVAL_MS: '0',
    ...(withServiceToken ? { APPLCM_PLUGIN_ACCESS_TOKEN: ids.tokens.admin } : {}),
  };
  const first = await controller({ db, ids, dataDir }, { ...env, APPLCM_WORKER_CONCURRENCY: String(CLAIMED) });
  const { host, pkg } = await readyToInstantiate(first);

  proxy.blackholeResponses(true);
  sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: STALLED });
  const started = await Promise.all(Array.from({ length: TOTAL }, (_, i) => startInstantiate(first, pkg, host.id, `crash${i}`)));
  const opIds = started.map((s) => s.opId);
  const instanceIds = started.map((s) => s.instanceId);

  // Wait until every claimed operation is where it should be at the kill: the stalled calls held by the plugin,
  // the others deployed there, the unclaimed ones still STARTING.
  await eventually(
    async () => {
      const rows = await operationRows(db.url, opIds);
      const processing = rows.filter((r) => r.state === 'PROCESSING' && r.lease_owner !== null).length;
      const starting = rows.filter((r) => r.state === 'STARTING').length;
      const deployed = heldBy(sim, ids.tenants.A, host.ip, instanceIds).length;
      return processing === CLAIMED && starting === TOTAL - CLAIMED && deployed === CLAIMED - STALLED && sim.openResources.calls === STALLED ? true : undefined;
    },
    15_000,
    `${CLAIMED} operations PROCESSING (${STALLED} stalled on the plugin, ${CLAIMED - STALLED} deployed there) and ${TOTAL - CLAIMED} STARTING`,
  );
  const r1c = heldBy(sim, ids.tenants.A, host.ip, instanceIds);
  const claimed = (await operationRows(db.url, opIds)).filter((r) => r.state === 'PROCESSING').map((r) => r.instance_id!);
  const r1b = claimed.filter((id) => !r1c.includes(id));
  const r1a = instanceIds.filter((id) => !claimed.includes(id));
  const instantiatesBefore = new Map(instanceIds.map((id) => [id, callsFor(sim, 'instantiate', id)]));
  for (const id of [...r1b, ...r1c]) assert.equal(instantiatesBefore.get(id), 1, 'each claimed operation called the plugin once');
  for (const id of r1a) assert.equal(instantiatesBefore.get(id), 0);

  const killed = await first.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  proxy.blackholeResponses(false);
  sim.clearFaults();

  // What the dead controller left: its leases on the claimed operations, nothing finished.
  const left = await operationRows(db.url, opIds);
  const workerIds = new Set(left.filter((r) => r.state === 'PROCESSING').map((r) => r.lease_owner));
  assert.equal(workerIds.size, 1, 'one worker held the claimed operations');
  assert.equal(left.filter((r) => r.state === 'PROCESSING').length, CLAIMED);
  assert.equal(left.filter((r) => r.state === 'STARTING').length, TOTAL - CLAIMED);
  const instances = await instanceRows(db.url, instanceIds);
  assert.ok(instances.every((i) => i.instantiation_state === 'NOT_INSTANTIATED'), 'no instance was recorded as instantiated before the kill');

  return { db, ids, hostIp: host.ip, env, dataDir, opIds, instanceIds, r1a, r1b, r1c, instantiatesBefore };
}

/** The last operation.updated event of each operation, as a subscriber replaying the log would see it. */
async function lastAnnouncedStates(dbUrl: string, opIds: string[]): Promise<Map<string, string>> {
  const rows = await sql<{ subject_id: string; state: string }>(
    dbUrl,
    `select distinct on (subject_id) subject_id, payload->>'state' as state from event where topic = 'operation.updated' and subject_id = any($1::text[]) order by subject_id, seq desc`,
    [opIds],
  );
  return new Map(rows.map((r) => [r.subject_id, r.state]));
}

/** Storage after recovery: every instance deployed once on the plugin and INSTANTIATED in the database. */
async function assertDeployedOnce(c: Crash): Promise<void> {
  assert.deepEqual(await unsettledOperations(c.db.url), [], 'invariant I5: no operation left STARTING/PROCESSING/ROLLING_BACK');
  const held = heldBy(sim, c.ids.tenants.A, c.hostIp, c.instanceIds);
  assert.equal(held.length, TOTAL, 'the plugin holds every instance');
  for (const id of c.instanceIds) assert.equal(sim.instance(c.ids.tenants.A, c.hostIp, id)!.state, 'RUNNING');
  const instantiatedIds = new Set(sim.calls.filter((x) => x.rpc === 'instantiate' && x.tenantId === c.ids.tenants.A && x.hostIp === c.hostIp).map((x) => x.id!.toLowerCase()));
  assert.deepEqual([...instantiatedIds].sort(), [...c.instanceIds].sort(), 'the plugin was asked to deploy these instances and no other');
  for (const id of c.instanceIds) assert.ok(callsFor(sim, 'instantiate', id) <= 2, `instance ${id}: ${callsFor(sim, 'instantiate', id)} instantiate calls`);
  const rows = await instanceRows(c.db.url, c.instanceIds);
  assert.equal(rows.length, TOTAL);
  for (const r of rows) {
    assert.equal(r.instantiation_state, 'INSTANTIATED', `instance ${r.id}`);
    assert.equal(r.operational_state, 'STARTED', `instance ${r.id}`);
  }
  const announced = await lastAnnouncedStates(c.db.url, c.opIds);
  for (const id of c.opIds) assert.equal(announced.get(id), 'COMPLETED', `the last event of operation ${id}`);
}

describe('SIGKILL of the controller in the middle of instantiates', () => {
  it('with a service token: a new controller takes every operation over, reconciles what the plugin did, deploys nothing twice', async () => {
    const c = await crashMidInstantiate('lcmcrash', true);
    assert.equal(c.r1a.length, TOTAL - CLAIMED);
    assert.equal(c.r1b.length, STALLED);
    assert.equal(c.r1c.length, CLAIMED - STALLED);

    const second = await controller(c, c.env);
    const rows = await operationsIn(c.db.url, c.opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
    for (const r of rows) assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
    for (const r of rows) assert.equal(r.lease_owner, null);

    // R1c: the plugin was asked, found the instance, and was not asked to deploy it again.
    for (const id of c.r1c) {
      const op = rows.find((r) => r.instance_id === id)!;
      assert.equal(op.attempts, 2, `R1c ${id}: claimed by each controller once`);
      assert.deepEqual(op.result, { reconciled: true }, `R1c ${id}: reconciled, not redone`);
      assert.equal(callsFor(sim, 'instantiate', id), 1, `R1c ${id}: one instantiate in all`);
      assert.ok(callsFor(sim, 'instanceStatus', id) >= 1, `R1c ${id}: the plugin was asked`);
    }
    // R1b: the plugin was asked, had nothing, and deployed it with the one new call.
    for (const id of c.r1b) {
      const op = rows.find((r) => r.instance_id === id)!;
      assert.equal(op.attempts, 2, `R1b ${id}`);
      assert.equal(op.result, null, `R1b ${id}: deployed by the second controller`);
      assert.equal(callsFor(sim, 'instantiate', id), 2, `R1b ${id}: the stalled call and one more`);
      assert.ok(callsFor(sim, 'instanceStatus', id) >= 1, `R1b ${id}: the plugin was asked first`);
    }
    // R1a: never started before the kill, so run as new.
    for (const id of c.r1a) {
      const op = rows.find((r) => r.instance_id === id)!;
      assert.equal(op.attempts, 1, `R1a ${id}`);
      assert.equal(callsFor(sim, 'instantiate', id), 1, `R1a ${id}`);
    }
    await assertDeployedOnce(c);
    assert.ok(tokensSeen.has(c.ids.tokens.admin), 'the resumed operations presented the configured service token');

    // The API says the same as the rows.
    const viaApi = await second.gql(LcmOperationById, { id: c.opIds[0]! }, c.ids.tokens.tenantA);
    assert.equal(viaApi.data?.operation.state, 'COMPLETED');
    const stop = await second.kill('SIGTERM');
    assert.equal(stop.code, 0, second.stderr());
  });

  let noToken: Crash | undefined;
  const instantiatesAfterRetry = new Map<string, number>();

  it('without a service token: resumed operations stop in FAILED_TEMP (NO_TOKEN_TO_RESUME) touching nothing; the user retry completes them', async () => {
    const c = await crashMidInstantiate('lcmcrashnotoken', false);
    noToken = c;
    const second = await controller(c, c.env);
    const rows = await operationsIn(c.db.url, c.opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
    for (const r of rows) {
      assert.equal(r.state, 'FAILED_TEMP', `operation ${r.id}`);
      assert.equal(r.error?.code, 'UNAUTHENTICATED');
      assert.equal(r.error?.details?.reason, 'NO_TOKEN_TO_RESUME', JSON.stringify(r.error));
      assert.match(r.error.message, /APPLCM_PLUGIN_ACCESS_TOKEN/);
    }
    for (const id of c.instanceIds) assert.equal(callsFor(sim, 'instantiate', id), c.instantiatesBefore.get(id), `instance ${id}: no plugin call without a token`);
    for (const id of c.instanceIds) assert.equal(callsFor(sim, 'instanceStatus', id), 0, `instance ${id}: the plugin was not even asked`);
    assert.equal(heldBy(sim, c.ids.tenants.A, c.hostIp, c.instanceIds).length, CLAIMED - STALLED, 'the plugin holds what it held at the kill, no more');
    const viaApi = await second.gql(LcmOperationById, { id: c.opIds[0]! }, c.ids.tokens.tenantA);
    assert.equal(viaApi.data?.operation.error?.details?.reason, 'NO_TOKEN_TO_RESUME');

    for (const id of c.opIds) {
      const r = await second.gql(LcmRetry, { id }, c.ids.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      assert.equal(r.data!.retryOperation.state, 'STARTING');
    }
    const done = await operationsIn(c.db.url, c.opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
    for (const r of done) assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
    assert.ok(tokensSeen.has(c.ids.tokens.tenantA), 'the retries presented the user token');
    for (const id of c.instanceIds) instantiatesAfterRetry.set(id, callsFor(sim, 'instantiate', id));
    await assertDeployedOnce(c);
    const stop = await second.kill('SIGTERM');
    assert.equal(stop.code, 0, second.stderr());
  });

  it('the user retry of an interrupted instantiate asks the plugin before deploying again (no second instantiate of what it holds)', () => {
    assert.ok(noToken, 'runs after the previous test');
    // The R1c instances were on the plugin before the kill; the retry must find them there, not instantiate again.
    for (const id of noToken.r1c) {
      assert.ok(callsFor(sim, 'instanceStatus', id) >= 1, `instance ${id}: the retry did not ask the plugin whether it holds the instance`);
      assert.equal(instantiatesAfterRetry.get(id), 1, `instance ${id}: the plugin already held it, yet the retry sent instantiate again (${instantiatesAfterRetry.get(id)} calls)`);
    }
  });
});
