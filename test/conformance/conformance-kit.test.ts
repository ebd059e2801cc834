import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { runPluginCheck } from '../../src/plugins/conformance/cli.js';
import { conformanceChecks } from '../../src/plugins/conformance/checks.js';
import { runConformance } from '../../src/plugins/conformance/run-conformance.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';

// The kit must fail plugins that break the contract, and say how: a simulator with injected faults stands in
// for a plugin that misbehaves in one precise way.

const CONFIG_CHECK = 'config: uploadConfig in several chunks, removeConfig idempotent';
const HEALTH_CHECK = 'extensions: health answers SERVING';
const KPI_CHECK = 'instance: queryKPI answers JSON with data';
const TOKEN_CHECK = 'errors: empty access token is UNAUTHENTICATED';

describe('conformance kit', () => {
  let sim: SimPlugin;
  before(async () => {
    sim = await SimPlugin.start();
  });
  after(() => sim.stop());

  const run = (only: string[], deadlineMs?: number) => runConformance({ address: sim.address, accessToken: 'tok', only, deadlineMs });

  it('names its checks uniquely, so one can be run alone', async () => {
    const names = conformanceChecks.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.length >= 20, `${names.length} checks`);
    await assert.rejects(run(['no such check']), /unknown conformance checks: no such check/);
  });

  it('fails a removeConfig that is not idempotent, naming the call and the code', async () => {
    sim.injectFault({ rpc: 'removeConfig', kind: 'fail', code: status.NOT_FOUND, message: 'no such config' });
    try {
      const [r] = await run([CONFIG_CHECK]);
      assert.equal(r?.ok, false);
      assert.match(r?.error ?? '', /removeConfig.*NOT_FOUND \(no such config\)/);
    } finally {
      sim.clearFaults();
    }
  });

  it('fails a plugin that is not serving, with its reason', async () => {
    sim.setHealthy(false, 'database down');
    try {
      const [r] = await run([HEALTH_CHECK]);
      assert.equal(r?.ok, false);
      assert.match(r?.error ?? '', /NOT_SERVING \(database down\)/);
    } finally {
      sim.setHealthy(true);
    }
  });

  it('fails a plugin that hangs, at the call deadline', async () => {
    sim.injectFault({ rpc: 'queryKPI', kind: 'stall' });
    try {
      const started = Date.now();
      const [r] = await run([KPI_CHECK], 300);
      assert.equal(r?.ok, false);
      assert.match(r?.error ?? '', /queryKPI: DEADLINE_EXCEEDED/);
      assert.ok(Date.now() - started < 3000);
    } finally {
      sim.clearFaults();
    }
  });

  it('fails a plugin that accepts an empty token', async () => {
    sim.injectFault({ rpc: 'query', kind: 'fail', code: status.NOT_FOUND, times: 1 });
    try {
      const [r] = await run([TOKEN_CHECK]);
      assert.equal(r?.ok, false);
      assert.match(r?.error ?? '', /query with an empty token: expected UNAUTHENTICATED, got NOT_FOUND/);
    } finally {
      sim.clearFaults();
    }
  });

  it('cleans up after itself: no configuration, package or instance left in the plugin', async () => {
    const tenantId = '6f1c8f70-52b4-4d8e-9a8b-3cf1f1a7c001';
    const results = await runConformance({ address: sim.address, accessToken: 'tok', tenantId, hostIp: '192.0.2.77' });
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
    assert.equal(sim.config(tenantId, '192.0.2.77'), undefined);
    const touched = sim.calls.filter((c) => c.tenantId === tenantId && c.rpc === 'instantiate' && c.id);
    assert.ok(touched.length > 0);
    for (const c of touched) assert.equal(sim.instance(tenantId, '192.0.2.77', c.id!), undefined, `instance ${c.id} left behind`);
    const packages = sim.calls.filter((c) => c.tenantId === tenantId && c.rpc === 'uploadPackage' && c.id);
    for (const c of packages) assert.equal(sim.package(tenantId, '192.0.2.77', c.id!), undefined, `package ${c.id} left behind`);
    assert.deepEqual(sim.openResources, { watchers: 0, calls: 0 });
  });

  it('plugin-check prints one line per check and answers the exit code', async () => {
    const lines: string[] = [];
    assert.equal(await runPluginCheck(sim.address, { token: 'tok' }, (l) => lines.push(l)), 0);
    assert.equal(lines.length, conformanceChecks.length + 1);
    assert.ok(lines.slice(0, -1).every((l) => l.startsWith('ok   ')), lines.join('\n'));
    assert.match(lines.at(-1)!, new RegExp(`^${conformanceChecks.length} passed, 0 failed`));

    sim.setHealthy(false, 'maintenance');
    try {
      const failing: string[] = [];
      assert.equal(await runPluginCheck(sim.address, { token: 'tok' }, (l) => failing.push(l)), 1);
      assert.ok(failing.includes(`FAIL ${HEALTH_CHECK}: health: NOT_SERVING (maintenance), expected SERVING`), failing.join('\n'));
    } finally {
      sim.setHealthy(true);
    }
  });

  it('plugin-check refuses half a client certificate pair before dialling', async () => {
    const lines: string[] = [];
    assert.equal(await runPluginCheck(sim.address, { token: 'tok', certFile: '/nonexistent.crt' }, (l) => lines.push(l)), 2);
    assert.match(lines[0] ?? '', /certFile and keyFile must be given together/);
  });
});
