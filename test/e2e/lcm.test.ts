import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import type { LcmOperationFieldsFragment } from '../__generated__/graphql.js';
import {
  LcmBatchTerminate,
  LcmCancel,
  LcmDistribute,
  LcmFail,
  LcmInstanceById,
  LcmInstantiate,
  LcmOperate,
  LcmRemoveFromHost,
  LcmRetry,
  LcmRollback,
  LcmTerminate,
} from '../operations/lcm.js';
import { newHost, newPackage, readyToInstantiate, settled, SETTLED } from '../helpers/lcm-fixture.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let sim: SimPlugin;
/** Waits until the operation reaches one of `states` (by default a settled one), and returns it. */
const settledOp = (id: string, states: string[] = SETTLED): Promise<LcmOperationFieldsFragment> => settled(t, id, states, 15_000);

async function distributed(pkg: string, hostIds: string[]): Promise<LcmOperationFieldsFragment> {
  const d = await t.gql(LcmDistribute, { packageId: pkg, hostIds }, t.tokens.tenantA);
  assert.equal(d.errors, undefined, JSON.stringify(d.errors));
  assert.equal(d.data!.distributePackage.state, 'STARTING');
  return settledOp(d.data!.distributePackage.id);
}

async function instantiated(pkg: string, hostId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; op: LcmOperationFieldsFragment }> {
  const id = randomUUID();
  const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId, name: 'positioning', ...extra } }, t.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return { id, op: await settledOp(r.data!.instantiateApp.id) };
}

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('lcm', {
    ...pluginEnv(sim.address),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_RETRY_BASE_MS: '100',
    APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '1500',
    APPLCM_OPERATION_LEASE_MS: '3000',
  });
});
after(async () => {
  await t.close();
  await sim.stop();
});

describe('the lifecycle, end to end through GraphQL', () => {
  it('distribute → instantiate → stop/start → terminate → remove from host, each an operation', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    assert.equal(sim.package(t.tenants.A, host.ip, pkg)?.bytes !== undefined, true, 'the plugin holds the package');

    const { id, op } = await instantiated(pkg, host.id, { parameters: { region: 'xian', ak: 'AKEXAMPLE', sk: 'SKEXAMPLE' }, secretParameters: { dbPassword: 's3cret' } });
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
    assert.equal(op.type, 'INSTANTIATE');
    assert.equal(op.createdBy, t.tenants.A);
    const inst = (await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).data!.appInstance;
    assert.equal(inst.instantiationState, 'INSTANTIATED');
    assert.equal(inst.operationalState, 'STARTED');
    assert.deepEqual(inst.parameters, { region: 'xian' }, 'AK/SK and secret parameters are not readable');
    assert.ok(!JSON.stringify(op.params).includes('SKEXAMPLE') && !JSON.stringify(op.params).includes('s3cret'));
    const onPlugin = sim.instance(t.tenants.A, host.ip, id);
    assert.deepEqual(onPlugin?.parameters, { region: 'xian', ak: 'AKEXAMPLE', sk: 'SKEXAMPLE', dbPassword: 's3cret' }, 'the plugin gets every parameter');

    const stop = await t.gql(LcmOperate, { id, action: 'STOP' }, t.tokens.tenantA);
    assert.equal((await settledOp(stop.data!.operateApp.id)).state, 'COMPLETED');
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).data!.appInstance.operationalState, 'STOPPED');
    assert.equal(sim.instance(t.tenants.A, host.ip, id)?.state, 'STOPPED');
    const start = await t.gql(LcmOperate, { id, action: 'START' }, t.tokens.tenantA);
    assert.equal((await settledOp(start.data!.operateApp.id)).state, 'COMPLETED');
    assert.equal(sim.instance(t.tenants.A, host.ip, id)?.state, 'RUNNING');

    const term = await t.gql(LcmTerminate, { id, options: { mode: 'GRACEFUL', timeoutSeconds: 5 } }, t.tokens.tenantA);
    assert.equal(term.errors, undefined, JSON.stringify(term.errors));
    assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
    assert.equal(sim.instance(t.tenants.A, host.ip, id), undefined);
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');

    const rm = await t.gql(LcmRemoveFromHost, { packageId: pkg, hostId: host.id }, t.tokens.tenantA);
    assert.equal((await settledOp(rm.data!.removePackageFromHost.id)).state, 'COMPLETED');
    assert.equal(sim.package(t.tenants.A, host.ip, pkg), undefined);
    const rows = await sql(t.db.url, 'select 1 from package_distribution where package_id = $1', [pkg]);
    assert.equal(rows.length, 0);

    // Every change is in the event log, in order.
    const topics = await sql<{ topic: string; state: string }>(t.db.url, `select topic, payload->>'state' as state from event where subject_id = $1 and topic = 'operation.updated' order by seq`, [op.id]);
    assert.deepEqual(topics.map((r) => r.state), ['STARTING', 'PROCESSING', 'COMPLETED']);
  });

  it('generates the AK/SK when none is given, and never shows them', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const { id, op } = await instantiated(pkg, host.id);
    assert.equal(op.state, 'COMPLETED');
    const p = sim.instance(t.tenants.A, host.ip, id)!.parameters;
    assert.match(p.ak!, /^[A-Za-z0-9+/=]{20}$/);
    assert.match(p.sk!, /^[A-Za-z0-9+/=]{64}$/);
    assert.equal(op.params.akSkGenerated, true);
    const dump = JSON.stringify(await sql(t.db.url, `select payload from event where subject_id = $1`, [id]));
    assert.ok(!dump.includes(p.sk!), 'the event log holds no secret');
  });

  it('refuses what cannot be done, each with its code, before anything runs', async () => {
    const host = await newHost(t);
    const pkg = await newPackage(t);
    const notDistributed = await t.gql(LcmInstantiate, { input: { packageId: pkg, hostId: host.id, name: 'x' } }, t.tokens.tenantA);
    assert.equal(notDistributed.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(notDistributed.errors?.[0]?.extensions?.reason, 'NOT_DISTRIBUTED');
    const cases: [Record<string, unknown>, string][] = [
      [{ packageId: pkg, hostId: randomUUID(), name: 'x' }, 'NOT_FOUND'],
      [{ packageId: 'nope', hostId: host.id, name: 'x' }, 'NOT_FOUND'],
      [{ packageId: pkg, hostId: host.id, name: 'bad name!' }, 'BAD_USER_INPUT'],
      [{ packageId: pkg, hostId: host.id, name: 'x', parameters: { n: 5 } }, 'BAD_USER_INPUT'],
      [{ packageId: pkg, hostId: host.id, name: 'x', accessKey: 'only-ak' }, 'BAD_USER_INPUT'],
      [{ packageId: pkg, hostId: host.id, name: 'x', appInstanceId: 'not-a-uuid' }, 'BAD_USER_INPUT'],
    ];
    for (const [input, code] of cases) {
      const r = await t.gql(LcmInstantiate, { input: input as never }, t.tokens.tenantA);
      assert.equal(r.errors?.[0]?.extensions?.code, code, `${JSON.stringify(input)}: ${JSON.stringify(r.errors)}`);
    }
    const guest = await t.gql(LcmDistribute, { packageId: pkg, hostIds: [host.id] }, t.tokens.guestA);
    assert.equal(guest.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const otherTenant = await t.gql(LcmDistribute, { packageId: pkg, hostIds: [host.id] }, t.tokens.tenantB);
    assert.equal(otherTenant.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const noPlugin = await newHost(t, 'edgevm');
    const missing = await t.gql(LcmDistribute, { packageId: pkg, hostIds: [noPlugin.id] }, t.tokens.tenantA);
    assert.equal(missing.errors?.[0]?.extensions?.code, 'PLUGIN_UNAVAILABLE');
    const ops = await sql(t.db.url, 'select 1 from lcm_operation where package_id = $1', [pkg]);
    assert.equal(ops.length, 0, 'no operation was recorded for a refused request');
  });

  it('refuses a disabled package, a second operation on a busy instance (naming it), and another tenant', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const r = await t.gql(LcmInstantiate, { input: { packageId: pkg, hostId: host.id, name: 'busy' } }, t.tokens.tenantA);
    const op = r.data!.instantiateApp;
    const id = op.instanceId!;
    const second = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
    assert.equal(second.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(second.errors?.[0]?.extensions?.operationId, op.id);
    const foreign = await t.gql(LcmTerminate, { id }, t.tokens.tenantB);
    assert.equal(foreign.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    await settledOp(op.id);
    await sql(t.db.url, `update app_package set operational_state = 'DISABLED' where id = $1`, [pkg]);
    const disabled = await t.gql(LcmInstantiate, { input: { packageId: pkg, hostId: host.id, name: 'x' } }, t.tokens.tenantA);
    assert.equal(disabled.errors?.[0]?.extensions?.reason, 'PACKAGE_DISABLED');
  });
});

describe('exactly once', () => {
  it('50 concurrent instantiateApp calls for one instance id: one operation, one deployment', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const id = randomUUID();
    const before = sim.callCount('instantiate');
    const input = { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'once', parameters: { a: '1' } };
    const results = await Promise.all(Array.from({ length: 50 }, () => t.gql(LcmInstantiate, { input }, t.tokens.tenantA)));
    for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors) + JSON.stringify(t.logs.filter((l) => (l.level as number) >= 50).slice(0, 1)));
    const ids = new Set(results.map((r) => r.data!.instantiateApp.id));
    assert.equal(ids.size, 1, 'every caller got the same operation');
    assert.equal((await settledOp([...ids][0]!)).state, 'COMPLETED');
    assert.equal(sim.callCount('instantiate') - before, 1, 'the plugin deployed once');
    const count = await sql<{ n: string }>(t.db.url, 'select count(*) as n from lcm_operation where instance_id = $1', [id]);
    assert.equal(count[0]!.n, '1');
    const different = await t.gql(LcmInstantiate, { input: { ...input, parameters: { a: '2' } } }, t.tokens.tenantA);
    assert.equal(different.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(different.errors?.[0]?.extensions?.reason, 'INSTANCE_EXISTS');
  });

  it('an idempotency key replays the original operation', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const input = { packageId: pkg, hostId: host.id, name: 'keyed' };
    const a = await t.gql(LcmInstantiate, { input, key: 'inst-key-1' }, t.tokens.tenantA);
    const b = await t.gql(LcmInstantiate, { input, key: 'inst-key-1' }, t.tokens.tenantA);
    assert.equal(b.errors, undefined, JSON.stringify(b.errors));
    assert.equal(a.data!.instantiateApp.id, b.data!.instantiateApp.id);
    await settledOp(a.data!.instantiateApp.id);
  });
});

describe('when the plugin misbehaves', () => {
  it('a failing instantiate stops in FAILED_TEMP; retry completes it', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'helm: chart render failed', times: 1 });
    const { id, op } = await instantiated(pkg, host.id);
    assert.equal(op.state, 'FAILED_TEMP');
    assert.equal(op.error?.code, 'PLUGIN_ERROR');
    assert.match(op.error.message, /helm: chart render failed/);
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).data!.appInstance.instantiationState, 'NOT_INSTANTIATED');
    const retried = await t.gql(LcmRetry, { id: op.id }, t.tokens.tenantA);
    assert.equal(retried.data!.retryOperation.state, 'STARTING');
    assert.equal((await settledOp(op.id)).state, 'COMPLETED');
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).data!.appInstance.instantiationState, 'INSTANTIATED');
  });

  it('rollback of a failed instantiate removes what the plugin may hold and the instance; fail gives up', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'boom', times: 1 });
    const a = await instantiated(pkg, host.id);
    assert.equal(a.op.state, 'FAILED_TEMP');
    const terminates = sim.callCount('terminate');
    await t.gql(LcmRollback, { id: a.op.id }, t.tokens.tenantA);
    assert.equal((await settledOp(a.op.id)).state, 'ROLLED_BACK');
    assert.equal(sim.callCount('terminate') - terminates, 1);
    assert.equal((await t.gql(LcmInstanceById, { id: a.id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');

    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'boom', times: 1 });
    const b = await instantiated(pkg, host.id);
    const failed = await t.gql(LcmFail, { id: b.op.id }, t.tokens.tenantA);
    assert.equal(failed.data!.failOperation.state, 'FAILED');
    const again = await t.gql(LcmFail, { id: b.op.id }, t.tokens.tenantA);
    assert.equal(again.errors?.[0]?.extensions?.code, 'CONFLICT');
    // The given-up instance can still be cleaned up by terminate.
    const term = await t.gql(LcmTerminate, { id: b.id }, t.tokens.tenantA);
    assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
  });

  it('a stalled plugin: the deadline passes, the engine asks the plugin, finds nothing, and tries again', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const before = sim.callCount('instantiate');
    const { id, op } = await instantiated(pkg, host.id);
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
    assert.equal(op.attempts, 2);
    assert.equal(sim.callCount('instantiate') - before, 2);
    assert.ok(sim.callCount('instanceStatus') > 0, 'the outcome was asked, not guessed');
    assert.equal(sim.instance(t.tenants.A, host.ip, id)?.state, 'RUNNING');
  });

  it('a plugin that stays down: retried with backoff, then FAILED_TEMP naming it', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.UNAVAILABLE, message: 'connection refused', times: 3 });
    const { op } = await instantiated(pkg, host.id);
    assert.equal(op.state, 'FAILED_TEMP');
    assert.equal(op.error?.code, 'PLUGIN_UNAVAILABLE');
    assert.equal(op.attempts, 3, 'APPLCM_OPERATION_MAX_ATTEMPTS (3) attempts');
  });

  it('cancel: a running operation is interrupted at once and stops in FAILED_TEMP with CANCELLED', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'terminate', kind: 'stall', times: 1 });
    const { id } = await instantiated(pkg, host.id);
    const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
    const opId = term.data!.terminateApp.id;
    await settledOp(opId, ['PROCESSING']);
    const started = Date.now();
    const c = await t.gql(LcmCancel, { id: opId }, t.tokens.tenantA);
    assert.equal(c.errors, undefined, JSON.stringify(c.errors));
    const done = await settledOp(opId, ['FAILED_TEMP']);
    assert.equal(done.error?.code, 'CANCELLED');
    assert.ok(Date.now() - started < 1000, `cancelled in ${Date.now() - started} ms`);
    assert.ok(sim.instance(t.tenants.A, host.ip, id), 'the instance is still there');
  });

  it('distribution to two hosts where one fails: explicit partial result; retry redoes only that host', async () => {
    const pkg = await newPackage(t);
    const h1 = await newHost(t);
    const h2 = await newHost(t);
    sim.injectFault({ rpc: 'uploadPackage', kind: 'fail', code: status.INTERNAL, message: 'disk full', times: 1 });
    const uploads = sim.callCount('uploadPackage');
    const op = await distributed(pkg, [h1.id, h2.id]);
    assert.equal(op.state, 'FAILED_TEMP');
    const hosts = (op.result as { hosts: { hostId: string; state: string; error: string | null }[] }).hosts;
    assert.deepEqual(hosts.map((h) => h.state).sort(), ['DISTRIBUTED', 'ERROR']);
    assert.match(hosts.find((h) => h.state === 'ERROR')!.error!, /disk full/);
    await t.gql(LcmRetry, { id: op.id }, t.tokens.tenantA);
    const done = await settledOp(op.id);
    assert.equal(done.state, 'COMPLETED');
    assert.deepEqual((done.result as { hosts: { state: string }[] }).hosts.map((h) => h.state), ['DISTRIBUTED', 'DISTRIBUTED']);
    assert.equal(sim.callCount('uploadPackage') - uploads, 3, 'the host that had it was not sent it again');
  });

  it('batchTerminate: each instance gets its operation or its own error', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const a = await instantiated(pkg, host.id);
    const b = await instantiated(pkg, host.id);
    const r = await t.gql(LcmBatchTerminate, { ids: [a.id, b.id, randomUUID()] }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const items = r.data!.batchTerminate;
    assert.equal(items.filter((i) => i.operation).length, 2);
    assert.equal(items[2]!.error?.code, 'NOT_FOUND');
    for (const i of items.slice(0, 2)) assert.equal((await settledOp(i.operation!.id)).state, 'COMPLETED');
  });
});
