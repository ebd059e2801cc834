import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PluginClient } from '../../src/plugins/plugin-client.js';
import { pluginTarget } from '../../src/plugins/plugin-target.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { RegisterHost } from '../operations/hosts.js';
import { UploadHostConfig } from '../operations/plugins.js';
import { WorkloadEvents } from '../operations/subscriptions.js';
import { sql } from '../helpers/test-db.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, wsExecute, type TestServer } from '../helpers/test-server.js';
import { collect, eventually } from './subscriptions-support.js';

let t: TestServer;
let sim: SimPlugin;
let plugin: PluginClient;
let host: { id: string; ip: string };
const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n';

before(async () => {
  sim = await SimPlugin.start({ vimTypes: ['k8s'] });
  t = await startTestServer('subswork', { ...pluginEnv(sim.address), APPLCM_WORKLOAD_WATCH_RETRY_MS: '50' });
  plugin = new PluginClient({ vim: 'k8s', address: sim.address });
  const r = await t.gql(RegisterHost, { input: { ip: '10.77.0.1', name: 'watch-edge' } }, t.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  host = { id: r.data!.registerHost.id, ip: r.data!.registerHost.ip };
  const up = await t.gql(UploadHostConfig, { hostId: host.id, content: kubeconfig }, t.tokens.tenantA);
  assert.equal(up.errors, undefined, JSON.stringify(up.errors));
  await sql(t.db.url, "insert into app_package (id, app_id, tenant_id, name, onboarding_state) values ('pkg-w', 'app-w', $1, 'watched', 'ONBOARDED')", [t.tenants.A]);
  await plugin.uploadPackage(pluginTarget({ tenantId: t.tenants.A, ip: host.ip }, 'token'), 'pkg-w', [Buffer.from('package bytes')]);
});
after(async () => {
  plugin?.close();
  await t?.close();
  await sim?.stop();
});

/** An instance deployed on the simulator, and its row as the engine would have written it. */
async function deployInstance(): Promise<string> {
  const id = randomUUID();
  await plugin.instantiate(pluginTarget({ tenantId: t.tenants.A, ip: host.ip }, 'token'), { appInstanceId: id, appPackageId: 'pkg-w', parameters: {}, akSkLcmGen: false });
  await sql(t.db.url, "insert into app_instance (id, tenant_id, package_id, host_id, name, instantiation_state, operational_state) values ($1, $2, 'pkg-w', $3, 'w', 'INSTANTIATED', 'STARTED')", [id, t.tenants.A, host.id]);
  return id;
}

const statusRows = async (id: string) =>
  (await sql<{ state: string }>(t.db.url, "select payload->>'state' as state from event where topic = 'workload.event' and subject_id = $1 and payload->>'kind' = 'STATUS' order by event.seq", [id])).map((r) => r.state);

const watcher = () => t.server.events.watcher;

describe('workloadEvents', () => {
  it('watches the instance on its plugin while subscribed, logging status changes and workload events', async () => {
    const id = await deployInstance();
    const c = collect(t.ws(t.tokens.tenantA), WorkloadEvents, { appInstanceId: id });
    const [first] = await c.waitFor(1);
    assert.equal(first!.workloadEvents.kind, 'STATUS');
    assert.equal(first!.workloadEvents.state, 'RUNNING');
    assert.equal(first!.workloadEvents.appInstanceId, id);
    assert.equal(first!.workloadEvents.hostId, host.id);
    assert.equal(watcher().holders(id), 1);

    sim.setInstanceState(t.tenants.A, host.ip, id, 'DEGRADED', 'container web restarting');
    sim.emitWorkloadEvent(t.tenants.A, host.ip, id, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' });
    const items = await c.waitFor(3);
    assert.deepEqual(items.slice(1).map((i) => [i.workloadEvents.kind, i.workloadEvents.state, i.workloadEvents.reason]), [
      ['STATUS', 'DEGRADED', 'container web restarting'],
      ['EVENT', null, 'BackOff'],
    ]);
    const ev = items[2]!.workloadEvents;
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, 'Back-off restarting failed container');
    assert.ok(ev.objectKind);
    assert.ok(!Number.isNaN(Date.parse(ev.observedAt)));

    // A second subscriber shares the watch, and replays the history from the log before going live.
    const guest = collect(t.ws(t.tokens.guestA), WorkloadEvents, { appInstanceId: id, after: '0' });
    await guest.waitFor(3);
    assert.deepEqual(guest.items.map((i) => i.workloadEvents.sequence), items.map((i) => i.workloadEvents.sequence));
    assert.equal(watcher().holders(id), 2);
    assert.equal(sim.openResources.watchers, 1, 'one plugin stream for both subscribers');
    sim.setInstanceState(t.tenants.A, host.ip, id, 'RUNNING');
    await c.waitFor(4);
    await guest.waitFor(4);

    c.unsubscribe();
    await eventually(() => watcher().holders(id) === 1, 5000, 'first subscriber released');
    guest.unsubscribe();
    await eventually(() => watcher().size === 0 && sim.openResources.watchers === 0, 5000, 'watch closed with the last subscriber');
    assert.deepEqual(await statusRows(id), ['RUNNING', 'DEGRADED', 'RUNNING']);
  });

  it('reconnects when the plugin stream breaks, without logging the same status twice', async () => {
    const id = await deployInstance();
    const calls = sim.callCount('watchInstance');
    // The next two watch streams are cut right after their first message (the current status).
    sim.injectFault({ rpc: 'watchInstance', kind: 'drop', afterMessages: 1, times: 2 });
    const c = collect(t.ws(t.tokens.tenantA), WorkloadEvents, { appInstanceId: id });
    await c.waitFor(1);
    await eventually(() => sim.callCount('watchInstance') >= calls + 3 && sim.openResources.watchers === 1, 5000, 'third stream open');
    sim.setInstanceState(t.tenants.A, host.ip, id, 'STOPPED', 'stopped by operate');
    await c.waitFor(2);
    assert.deepEqual(c.items.map((i) => i.workloadEvents.state), ['RUNNING', 'STOPPED']);
    assert.deepEqual(await statusRows(id), ['RUNNING', 'STOPPED']);
    sim.clearFaults();
    c.unsubscribe();
    await eventually(() => watcher().size === 0, 5000, 'watch closed');
  });

  it('ends the watch when the instance is gone, and refuses instances the caller cannot see', async () => {
    const id = await deployInstance();
    const c = collect(t.ws(t.tokens.tenantA), WorkloadEvents, { appInstanceId: id });
    await c.waitFor(1);
    await sql(t.db.url, 'delete from app_instance where id = $1', [id]);
    await plugin.terminate(pluginTarget({ tenantId: t.tenants.A, ip: host.ip }, 'token'), id);
    const [, gone] = await c.waitFor(2);
    assert.equal(gone!.workloadEvents.state, 'ABSENT');
    await eventually(() => watcher().size === 0 && sim.openResources.watchers === 0, 5000, 'watch ended with the instance');
    c.unsubscribe();

    const other = await deployInstance();
    for (const [token, instance] of [
      [t.tokens.tenantB, other],
      [t.tokens.tenantA, randomUUID()],
      [t.tokens.tenantA, 'not-a-uuid'],
    ] as const) {
      const r = await wsExecute(t.ws(token), WorkloadEvents, { appInstanceId: instance });
      assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND', instance);
    }
    assert.equal(watcher().size, 0, 'a refused subscription starts no watch');
    const bad = await wsExecute(t.ws(t.tokens.tenantA), WorkloadEvents, { appInstanceId: other, after: 'x' });
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(watcher().size, 0);
  });
});
