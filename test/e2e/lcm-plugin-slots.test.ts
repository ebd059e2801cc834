// Requirement (hardening P11): many operations against one plugin do not all call it at once. The controller keeps at
// most APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS lifecycle calls in flight per plugin; the other operations wait, visibly
// (their progress says queued), and go on as slots free up. Waiting does not count against the call's deadline,
// and a cancelled waiting operation leaves the queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmCancel, LcmRetry } from '../operations/lcm.js';
import { callsFor, operationsIn, readyToInstantiate, settled, startInstantiate } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const SLOTS = 2;

let t: TestServer;
let sim: SimPlugin;
before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('lcmslots', { ...pluginEnv(sim.address), APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS: String(SLOTS) });
});
after(async () => {
  await t?.close();
  await sim?.stop();
});

const progressOf = async (ids: string[]) =>
  sql<{ id: string; state: string; progress: { step?: string; message?: string } | null }>(t.db.url, 'select id, state, progress from lcm_operation where id = any($1::uuid[])', [`{${ids.join(',')}}`]);

describe('a cap on the lifecycle calls in flight per plugin', () => {
  it('calls the plugin at most SLOTS at a time; the others queue visibly, run when a slot frees, and can be cancelled while waiting', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    // The first two instantiates reach the plugin and hang there, holding both slots.
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: SLOTS });
    const started = [];
    for (let i = 0; i < 5; i++) started.push(await startInstantiate(t, pkg, host.id, `slot${i}`));
    const ops = started.map((s) => s.opId);

    // Three wait for a slot: PROCESSING, progress "queued", and the plugin has seen only two calls.
    const queued = await eventually(
      async () => {
        const rows = await progressOf(ops);
        const waiting = rows.filter((r) => r.state === 'PROCESSING' && r.progress?.step === 'queued');
        return waiting.length === 3 ? waiting : undefined;
      },
      10_000,
      'three operations queued for a plugin slot',
    );
    assert.match(queued[0]!.progress!.message!, /free call slot/);
    assert.equal(sim.callCount('instantiate'), SLOTS);
    // The queue shows on /metrics too.
    assert.match(await (await fetch(`${t.url}/metrics`)).text(), /^applcm_plugin_calls_queued\{vim="k8s"\} 3$/m);
    // Still two after a while: the queue does not leak calls.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sim.callCount('instantiate'), SLOTS);

    // A queued operation can be cancelled while it waits: it leaves the queue without calling the plugin.
    const waitingId = queued[0]!.id;
    const waitingInstance = started.find((s) => s.opId === waitingId)!.instanceId;
    const c = await t.gql(LcmCancel, { id: waitingId }, t.tokens.tenantA);
    assert.equal(c.errors, undefined, JSON.stringify(c.errors));
    const cancelled = await settled(t, waitingId);
    assert.equal(cancelled.state, 'FAILED_TEMP');
    assert.equal(cancelled.error?.code, 'CANCELLED');
    assert.equal(callsFor(sim, 'instantiate', waitingInstance), 0);

    // Cancelling the two stalled calls frees their slots; the two still queued get them and complete.
    const stalled = ops.filter((id) => !queued.some((q) => q.id === id));
    for (const id of stalled) assert.equal((await t.gql(LcmCancel, { id }, t.tokens.tenantA)).errors, undefined);
    const rest = queued.slice(1).map((q) => q.id);
    const done = await operationsIn(t.db.url, rest, ['COMPLETED'], 15_000);
    assert.ok(done.every((r) => r.state === 'COMPLETED'));
    const after = await progressOf(rest);
    assert.ok(after.every((r) => r.progress === null), 'a finished operation shows no progress');

    // The cancelled ones are retried and complete: every instance is deployed once.
    for (const id of [...stalled, waitingId]) {
      const r = await t.gql(LcmRetry, { id }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    await operationsIn(t.db.url, ops, ['COMPLETED'], 15_000);
    for (const s of started) assert.ok(sim.instance(t.tenants.A, host.ip, s.instanceId), `instance ${s.instanceId} deployed`);
    assert.equal(sim.openResources.calls, 0, 'no call is left hanging on the plugin');
  });
});
