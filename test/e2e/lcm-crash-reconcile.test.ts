// Requirement (hardening R1b/R1c, P3): when the answer to an instantiate is lost after the plugin acted, the engine
// asks the plugin and records what the plugin really has: an instance that is there and healthy is INSTANTIATED
// without a second instantiate; one that is there but FAILED is not reported as a success. The plugin's answers are
// swallowed by a TCP proxy, then the connection is cut (as when the controller's link to the plugin drops).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmInstanceById, LcmRollback } from '../operations/lcm.js';
import { callsFor, instanceRows, pluginEnv, operationRows, readyToInstantiate, settled, startInstantiate } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let sim: SimPlugin;
let proxy: TcpProxy;

before(async () => {
  sim = await SimPlugin.start();
  proxy = await TcpProxy.start('127.0.0.1', sim.port);
  t = await startTestServer('lcmreconcile', {
    ...pluginEnv(proxy.address),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_LEASE_MS: '3000',
    APPLCM_OPERATION_RETRY_BASE_MS: '100',
    // No periodic health check while answers are swallowed: it would mark the plugin down.
    APPLCM_PLUGIN_HEALTH_INTERVAL_MS: '0',
  });
});

after(async () => {
  await t?.close();
  await proxy?.close();
  await sim?.stop();
});

/**
 * Starts an instantiate whose answer never arrives; once the plugin holds the instance, `meanwhile` runs (the VIM
 * changes it), then the connection is cut. Answers the ids.
 */
async function answerLost(meanwhile: (hostIp: string, instanceId: string) => void = () => undefined): Promise<{ opId: string; instanceId: string; hostIp: string }> {
  const { host, pkg } = await readyToInstantiate(t);
  proxy.blackholeResponses(true);
  let started: { opId: string; instanceId: string };
  try {
    started = await startInstantiate(t, pkg, host.id);
    await eventually(() => Promise.resolve(sim.instance(t.tenants.A, host.ip, started.instanceId) ? true : undefined), 10_000, 'the plugin to deploy the instance');
    meanwhile(host.ip, started.instanceId);
    const [row] = await operationRows(t.db.url, [started.opId]);
    assert.equal(row!.state, 'PROCESSING', 'the controller is still waiting for the answer');
  } finally {
    proxy.blackholeResponses(false);
    proxy.resetAll();
  }
  return { ...started, hostIp: host.ip };
}

describe('an instantiate whose answer was lost after the plugin acted', () => {
  it('the instance is there and running: reconciled as INSTANTIATED, instantiated once', async () => {
    const { opId, instanceId, hostIp } = await answerLost();
    const op = await settled(t, opId);
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
    assert.deepEqual(op.result, { reconciled: true });
    assert.equal(op.attempts, 2, 'the cut call, then the resumed run');
    assert.equal(callsFor(sim, 'instantiate', instanceId), 1, 'no second instantiate');
    assert.ok(callsFor(sim, 'instanceStatus', instanceId) >= 1, 'the plugin was asked');
    assert.equal(sim.instance(t.tenants.A, hostIp, instanceId)?.state, 'RUNNING');
    const [inst] = await instanceRows(t.db.url, [instanceId]);
    assert.equal(inst?.instantiation_state, 'INSTANTIATED');
  });

  it('the instance is there but FAILED: not reported as a success; it stops in FAILED_TEMP, and rollback removes it', async () => {
    const { opId, instanceId, hostIp } = await answerLost((ip, id) => sim.setInstanceState(t.tenants.A, ip, id, 'FAILED', 'ImagePullBackOff'));
    const op = await settled(t, opId);
    assert.equal(callsFor(sim, 'instantiate', instanceId), 1);
    assert.ok(callsFor(sim, 'instanceStatus', instanceId) >= 1, 'the plugin was asked');
    const viaApi = (await t.gql(LcmInstanceById, { id: instanceId }, t.tokens.tenantA)).data?.appInstance;
    assert.notEqual(op.state, 'COMPLETED', `the engine recorded a FAILED deployment as a success (result ${JSON.stringify(op.result)}, instance ${viaApi?.instantiationState})`);
    assert.equal(op.state, 'FAILED_TEMP');
    assert.match(`${op.error?.message}`, /FAILED|ImagePullBackOff/);
    assert.equal(viaApi?.instantiationState, 'NOT_INSTANTIATED');

    const rb = await t.gql(LcmRollback, { id: opId }, t.tokens.tenantA);
    assert.equal(rb.errors, undefined, JSON.stringify(rb.errors));
    assert.equal((await settled(t, opId)).state, 'ROLLED_BACK');
    assert.equal(sim.instance(t.tenants.A, hostIp, instanceId), undefined, 'the failed deployment was removed from the plugin');
    assert.deepEqual(await instanceRows(t.db.url, [instanceId]), []);
  });
});
