// An instantiate whose outcome is unknown (its call passed the deadline) is reconciled with the plugin's answer, and
// an instance the plugin reports DEPLOYING (a helm install still in flight) is not taken for deployed: the engine
// calls instantiate again, which the plugin protocol makes wait for the install in flight, instead of recording an
// instance INSTANTIATED that helm may still roll back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PluginClient } from '../../src/plugins/plugin-client.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmInstanceById } from '../operations/lcm.js';
import { callsFor, readyToInstantiate, settled, startInstantiate } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let sim: SimPlugin;
let direct: PluginClient;
before(async () => {
  sim = await SimPlugin.start();
  direct = new PluginClient({ vim: 'k8s', address: sim.address });
  t = await startTestServer('lcmdeploying', { ...pluginEnv(sim.address), APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '1000', APPLCM_OPERATION_RETRY_BASE_MS: '200' });
});
after(async () => {
  direct?.close();
  await t?.close();
  await sim?.stop();
});

describe('an instance the plugin still deploys', () => {
  it('is deployed by calling instantiate again, not recorded as INSTANTIATED while DEPLOYING', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const { opId, instanceId } = await startInstantiate(t, pkg, host.id, 'deploying');
    // The engine's call hangs. Meanwhile the instance appears on the plugin, still deploying (as a helm install
    // that is slower than the controller's deadline would).
    await eventually(() => Promise.resolve(callsFor(sim, 'instantiate', instanceId) === 1 || undefined), 5000, 'the stalled instantiate');
    await direct.instantiate({ accessToken: t.tokens.tenantA, tenantId: t.tenants.A, hostIp: host.ip }, { appInstanceId: instanceId, appPackageId: pkg, parameters: {}, akSkLcmGen: false });
    sim.setInstanceState(t.tenants.A, host.ip, instanceId, 'DEPLOYING');

    const op = await settled(t, opId, undefined, 15_000);
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
    // Not reconciled from a DEPLOYING answer: the engine called instantiate again once the deadline passed.
    assert.deepEqual(op.result, null);
    assert.equal(callsFor(sim, 'instantiate', instanceId), 3, 'the stalled call, the other caller, and the engine again');
    const inst = await t.gql(LcmInstanceById, { id: instanceId }, t.tokens.tenantA);
    assert.equal(inst.data?.appInstance.instantiationState, 'INSTANTIATED');
  });
});
