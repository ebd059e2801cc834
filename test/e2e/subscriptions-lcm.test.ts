// The subscriptions against the real engine: what a dashboard sees of a distribution, an instantiation and a
// termination driven through the lifecycle mutations, live and replayed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { RegisterHost } from '../operations/hosts.js';
import { LcmDistribute, LcmInstantiate, LcmTerminate } from '../operations/lcm.js';
import { UploadHostConfig } from '../operations/plugins.js';
import { AppInstanceUpdated, AppInstanceUpdatedWithRows, OperationUpdated, PackageDistributionUpdated, WorkloadEvents } from '../operations/subscriptions.js';
import { fixture, uploadPackage } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { collect, eventually, headSequence } from './subscriptions-support.js';

let t: TestServer;
let sim: SimPlugin;

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('subslcm', { ...pluginEnv(sim.address), APPLCM_WORKER_POLL_MS: '200' });
});
after(async () => {
  await t?.close();
  await sim?.stop();
});

const FINAL = ['COMPLETED', 'FAILED', 'FAILED_TEMP', 'ROLLED_BACK'];
/** Rank of an operation state in the state machine, to check that updates never go backwards. */
const RANK: Record<string, number> = { STARTING: 0, PROCESSING: 1, FAILED_TEMP: 2, ROLLING_BACK: 3, COMPLETED: 4, FAILED: 4, ROLLED_BACK: 4 };

describe('subscriptions over the engine', () => {
  it('a dashboard follows distribute → instantiate → terminate in commit order, and a replay shows the same', async () => {
    const head = await headSequence(t);
    const reg = await t.gql(RegisterHost, { input: { ip: '10.61.0.1', name: 'subs-edge' } }, t.tokens.tenantA);
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    const host = reg.data!.registerHost;
    assert.equal((await t.gql(UploadHostConfig, { hostId: host.id, content: 'apiVersion: v1\nkind: Config\n' }, t.tokens.tenantA)).errors, undefined);
    const packageId = `pkg${randomUUID().slice(0, 8)}`;
    const up = await uploadPackage(t, fixture('positioning-service.csar'), { token: t.tokens.tenantA, tenantId: t.tenants.A, fields: { packageId } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const instanceId = randomUUID();

    const ws = t.ws(t.tokens.tenantA);
    const ops = collect(ws, OperationUpdated, {});
    const dists = collect(ws, PackageDistributionUpdated, { filter: { packageId } });
    const insts = collect(ws, AppInstanceUpdated, { filter: { id: instanceId } });
    const withRows = collect(ws, AppInstanceUpdatedWithRows, { filter: { id: instanceId } });
    const other = collect(t.ws(t.tokens.tenantB), OperationUpdated, {});
    await eventually(() => t.server.events.subscriptions.size === 5, 5000, 'subscribed');

    const d = await t.gql(LcmDistribute, { packageId, hostIds: [host.id] }, t.tokens.tenantA);
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
    const distributeOp = d.data!.distributePackage.id;
    await ops.waitUntil((items) => items.some((i) => i.operationUpdated.operation.id === distributeOp && FINAL.includes(i.operationUpdated.operation.state)));
    await dists.waitUntil((items) => items.some((i) => i.packageDistributionUpdated.state === 'DISTRIBUTED'));
    assert.equal(dists.items.at(-1)!.packageDistributionUpdated.hostId, host.id);

    const inst = await t.gql(LcmInstantiate, { input: { appInstanceId: instanceId, packageId, hostId: host.id, name: 'positioning' } }, t.tokens.tenantA);
    assert.equal(inst.errors, undefined, JSON.stringify(inst.errors));
    const instantiateOp = inst.data!.instantiateApp.id;
    await insts.waitUntil((items) => items.some((i) => i.appInstanceUpdated.appInstance.instantiationState === 'INSTANTIATED'));
    const workload = collect(ws, WorkloadEvents, { appInstanceId: instanceId });
    const [running] = await workload.waitFor(1);
    assert.equal(running!.workloadEvents.state, 'RUNNING');
    await ops.waitUntil((items) => items.some((i) => i.operationUpdated.operation.id === instantiateOp && FINAL.includes(i.operationUpdated.operation.state)));

    const term = await t.gql(LcmTerminate, { id: instanceId }, t.tokens.tenantA);
    assert.equal(term.errors, undefined, JSON.stringify(term.errors));
    await insts.waitUntil((items) => items.some((i) => i.appInstanceUpdated.deleted));

    // Every operation's states arrive in commit order, never backwards (STARTING, PROCESSING, COMPLETED).
    const byOp = new Map<string, string[]>();
    for (const i of ops.items) byOp.set(i.operationUpdated.operation.id, [...(byOp.get(i.operationUpdated.operation.id) ?? []), i.operationUpdated.operation.state]);
    for (const [id, states] of byOp) {
      for (let k = 1; k < states.length; k++) assert.ok(RANK[states[k]!]! >= RANK[states[k - 1]!]!, `${id}: ${states.join(' → ')}`);
    }
    assert.equal(byOp.get(instantiateOp)!.at(-1), 'COMPLETED');
    assert.equal(byOp.get(instantiateOp)![0], 'STARTING');
    const lastInst = insts.items.at(-1)!.appInstanceUpdated;
    assert.equal(lastInst.deleted, true);
    assert.equal(lastInst.packageId, packageId);
    assert.equal(lastInst.hostId, host.id);
    // The instance's package and host fields read the rows by the ids the snapshot carries.
    assert.ok(withRows.errors.length === 0, JSON.stringify(withRows.errors));
    const row = withRows.items.find((i) => i.appInstanceUpdated.appInstance.host.id === host.id);
    assert.equal(row?.appInstanceUpdated.appInstance.package.id, packageId);
    assert.equal(row?.appInstanceUpdated.appInstance.host.ip, '10.61.0.1');
    assert.equal(other.items.length, 0, 'tenant B saw none of it');

    // A dashboard that connects later and replays from before it all sees the same, in the same order.
    const replay = collect(t.ws(t.tokens.tenantA), OperationUpdated, { after: head.toString() });
    await replay.waitFor(ops.items.length);
    assert.deepEqual(replay.items.map((i) => i.operationUpdated.sequence), ops.items.map((i) => i.operationUpdated.sequence));
    for (const c of [ops, dists, insts, withRows, other, workload, replay]) c.unsubscribe();
  });
});
