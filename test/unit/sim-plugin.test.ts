import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { WatchInstanceEvent } from '../../src/generated/proto/applcm_plugin.js';
import { StreamReader, deadlineIn, unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import {
  DEADLINE_MS,
  cfgMessages,
  deploy,
  identity,
  pkgMessages,
  rejectsWith,
  startSim,
  uploadConfig,
  uploadPackage,
  type Identity,
  type SimHarness,
} from '../helpers/sim-harness.js';

const kpi = (h: SimHarness, id: Identity, deadline: number | Date = DEADLINE_MS) =>
  unary<{ response: string }>(deadline, (md, o, cb) => h.lcm.queryKpi(id, md, o, cb));

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Files below `dir`, recursively (what the simulator left on disk). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('SimPlugin fault injection', () => {
  let h: SimHarness;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-sim-test-'));
    h = await startSim({ dataDir });
  });
  after(async () => {
    await h.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fail answers the injected code and message, for `times` calls only', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    h.sim.injectFault({ rpc: 'queryKPI', kind: 'fail', code: status.RESOURCE_EXHAUSTED, message: 'over quota', times: 2 });
    for (let i = 0; i < 2; i++) {
      const e = await rejectsWith(kpi(h, id), status.RESOURCE_EXHAUSTED);
      assert.equal(e.details, 'over quota');
    }
    assert.ok(JSON.parse((await kpi(h, id)).response), 'the third call is served');
    assert.equal(h.sim.callCount('queryKPI'), 3);
    const last = h.sim.calls.filter((c) => c.rpc === 'queryKPI').at(-1);
    assert.equal(last?.tenantId, id.tenantId);
    assert.equal(last?.hostIp, id.hostIp);
  });

  it("fail defaults to INTERNAL; '*' matches every rpc until clearFaults", async () => {
    const id = identity();
    h.sim.injectFault({ rpc: '*', kind: 'fail' });
    await rejectsWith(kpi(h, id), status.INTERNAL);
    await rejectsWith(
      unary(DEADLINE_MS, (md, o, cb) => h.ext.health({}, md, o, cb)),
      status.INTERNAL,
    );
    h.sim.clearFaults();
    await rejectsWith(kpi(h, id), status.FAILED_PRECONDITION);
  });

  it('stall leaves the call unanswered until the client deadline, and holds nothing afterwards', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    h.sim.injectFault({ rpc: 'queryKPI', kind: 'stall', times: 1 });
    const started = Date.now();
    await rejectsWith(kpi(h, id, 300), status.DEADLINE_EXCEEDED);
    const took = Date.now() - started;
    assert.ok(took >= 280 && took < 2000, `ended after ${took} ms`);
    await sleep(50);
    assert.equal(h.sim.openResources.calls, 0, 'the stalled call was let go when its deadline passed');
    assert.ok(JSON.parse((await kpi(h, id)).response), 'times: 1 — the next call is served');
  });

  it('drop of a client stream after N bytes: the client sees an error, nothing is stored, no temp file stays', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    h.sim.injectFault({ rpc: 'uploadPackage', kind: 'drop', afterBytes: 512 * 1024, times: 1 });
    const e = await rejectsWith(uploadPackage(h, pkgMessages(id, 'pkg-drop', randomBytes(2 * 1024 * 1024))), status.INTERNAL);
    assert.match(e.details, /RST_STREAM/);
    assert.equal(h.sim.package(id.tenantId, id.hostIp, 'pkg-drop'), undefined);
    await sleep(50);
    // Persisted configs and state files live beside them; no package file and no staged upload may.
    assert.deepEqual([...filesUnder(path.join(dataDir, 'packages')), ...filesUnder(path.join(dataDir, 'tmp'))], [], 'neither a package nor a staging file');
    const entry = h.sim.calls.filter((c) => c.rpc === 'uploadPackage').at(-1);
    assert.deepEqual([entry?.tenantId, entry?.id], [id.tenantId, 'pkg-drop'], 'the log names what the stream was about');
  });

  it('drop of a unary call resets its stream: the client sees an error, never a success', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    h.sim.injectFault({ rpc: 'queryKPI', kind: 'drop', times: 1 });
    const e = await rejectsWith(kpi(h, id), status.INTERNAL);
    assert.match(e.details, /RST_STREAM/);
    assert.ok(JSON.parse((await kpi(h, id)).response), 'the channel still serves the next call');
  });

  it('drop of uploadConfig part-way keeps no configuration', async () => {
    const id = identity();
    h.sim.injectFault({ rpc: 'uploadConfig', kind: 'drop', afterBytes: 100_000, times: 1 });
    await rejectsWith(uploadConfig(h, cfgMessages(id, randomBytes(300_000))), status.INTERNAL);
    assert.equal(h.sim.config(id.tenantId, id.hostIp), undefined);
  });

  it('stall of a client stream after N bytes ends at the deadline with nothing stored', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    h.sim.injectFault({ rpc: 'uploadPackage', kind: 'stall', afterBytes: 256 * 1024, times: 1 });
    await rejectsWith(uploadPackage(h, pkgMessages(id, 'pkg-stall', randomBytes(1024 * 1024)), 400), status.DEADLINE_EXCEEDED);
    await sleep(50);
    assert.equal(h.sim.package(id.tenantId, id.hostIp, 'pkg-stall'), undefined);
    assert.equal(h.sim.openResources.calls, 0);
  });

  it('drop of a watch stream after N messages: the client gets them, then an error, and no watcher stays', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    h.sim.injectFault({ rpc: 'watchInstance', kind: 'drop', afterMessages: 2, times: 1 });
    const reader = new StreamReader<WatchInstanceEvent>(h.ext.watchInstance({ ...id, appInstanceId, includeEvents: false, heartbeatMs: 30 }, { deadline: deadlineIn(DEADLINE_MS) }));
    assert.equal((await reader.next(1000, 'first')).event?.$case, 'status');
    assert.equal((await reader.next(1000, 'second')).event?.$case, 'heartbeat');
    const end = await reader.status(1000, 'dropped watch');
    assert.notEqual(end.code, status.OK);
    assert.equal(end.code, status.INTERNAL, end.details);
    assert.deepEqual(h.sim.openResources, { watchers: 0, calls: 0 });
  });

  it('fail of a server stream after N messages ends it with the injected status', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    h.sim.injectFault({ rpc: 'watchInstance', kind: 'fail', code: status.UNAVAILABLE, message: 'vim lost', afterMessages: 1, times: 1 });
    const reader = new StreamReader<WatchInstanceEvent>(h.ext.watchInstance({ ...id, appInstanceId, includeEvents: false, heartbeatMs: 0 }, { deadline: deadlineIn(DEADLINE_MS) }));
    assert.equal((await reader.next(1000, 'first')).event?.$case, 'status');
    const end = await reader.status(1000, 'failed watch');
    assert.deepEqual([end.code, end.details], [status.UNAVAILABLE, 'vim lost']);
    assert.equal(h.sim.openResources.watchers, 0);
  });

  it('rejects malformed faults', () => {
    assert.throws(() => h.sim.injectFault({ rpc: 'query', kind: 'fail', times: 0 }), /times/);
    assert.throws(() => h.sim.injectFault({ rpc: 'query', kind: 'drop', afterBytes: -1 }), /afterBytes/);
  });
});

describe('SimPlugin store', () => {
  let h: SimHarness;
  before(async () => {
    h = await startSim();
  });
  after(() => h.close());

  it('keeps the concatenated config, and the sha256 and size of a multi-chunk package as sent', async () => {
    const id = identity();
    const cfg = randomBytes(200_000);
    assert.equal((await uploadConfig(h, cfgMessages(id, cfg, 64 * 1024))).status, 'Success');
    assert.deepEqual(h.sim.config(id.tenantId, id.hostIp), cfg);
    const pkg = randomBytes(3 * 1024 * 1024 + 5);
    assert.equal((await uploadPackage(h, pkgMessages(id, 'pkg-1', pkg))).status, 'Success');
    const stored = h.sim.package(id.tenantId, id.hostIp, 'pkg-1');
    assert.deepEqual({ bytes: stored?.bytes, sha256: stored?.sha256 }, { bytes: pkg.length, sha256: sha256(pkg) });
    assert.ok(fs.readFileSync(stored!.path).equals(pkg), 'the file holds exactly the bytes sent');
    // Same id again replaces it.
    const again = randomBytes(1000);
    await uploadPackage(h, pkgMessages(id, 'pkg-1', again));
    assert.equal(h.sim.package(id.tenantId, id.hostIp, 'pkg-1')?.sha256, sha256(again));
    await unary(DEADLINE_MS, (md, o, cb) => h.lcm.deletePackage({ ...id, appPackageId: 'pkg-1' }, md, o, cb));
    assert.equal(h.sim.package(id.tenantId, id.hostIp, 'pkg-1'), undefined);
    assert.equal(fs.existsSync(stored!.path), false, 'deletePackage removes the file');
  });

  it('refuses a config over 5 MiB with RESOURCE_EXHAUSTED and keeps the previous one', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('small')));
    await rejectsWith(uploadConfig(h, cfgMessages(id, randomBytes(5 * 1024 * 1024 + 1), 1024 * 1024)), status.RESOURCE_EXHAUSTED);
    assert.equal(h.sim.config(id.tenantId, id.hostIp)?.toString(), 'small');
  });

  it('a cancelled package upload stores nothing', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await rejectsWith(
      upload(DEADLINE_MS, (md, o, cb) => h.lcm.uploadPackage(md, o, cb), pkgMessages(id, 'pkg-c', randomBytes(2 * 1024 * 1024)), { cancelAfter: 8 }),
      status.CANCELLED,
    );
    await sleep(50);
    assert.equal(h.sim.package(id.tenantId, id.hostIp, 'pkg-c'), undefined);
  });

  it('instantiate records the instance once; the query JSON has the original k8s plugin shape', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id, 'pkg-q');
    assert.deepEqual(h.sim.instance(id.tenantId, id.hostIp, appInstanceId), { appPackageId: 'pkg-q', parameters: { a: '1' }, state: 'RUNNING' });
    const before = h.sim.callCount('instantiate');
    await unary(DEADLINE_MS, (md, o, cb) => h.lcm.instantiate({ ...id, appInstanceId, appPackageId: 'pkg-q', parameters: {}, akSkLcmGen: false }, md, o, cb));
    assert.equal(h.sim.callCount('instantiate'), before + 1);
    assert.deepEqual(h.sim.instance(id.tenantId, id.hostIp, appInstanceId)?.parameters, { a: '1' }, 'the retry did not deploy again');
    const q = JSON.parse((await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.query({ ...id, appInstanceId }, md, o, cb))).response) as Record<string, unknown>;
    const short = appInstanceId.slice(0, 8);
    assert.deepEqual(q, {
      pods: [{ podstatus: 'Running', podname: `${short}-0`, containers: [{ containername: 'app', metricsusage: { cpuusage: '10', memusage: String(32 * 1024 * 1024), diskusage: '0' } }] }],
      services: [{ serviceName: `${short}-svc`, type: 'ClusterIP', ports: [{ port: '80', targetPort: '8080', nodePort: '0', protocol: 'TCP', name: 'http' }] }],
      cpupercent: 0,
      mempercent: 0,
    });
    const k = JSON.parse((await kpi(h, id)).response) as { data: { cpuusage: { used: number } }; retCode: number; message: string; params: null };
    assert.deepEqual([k.retCode, k.message, k.params, k.data.cpuusage.used], [0, 'success', null, 0.01]);
  });

  it('refuses a token the verifier rejects with PERMISSION_DENIED, an empty one with UNAUTHENTICATED', async () => {
    const strict = await startSim({ verifyToken: (t) => Promise.resolve(t === 'good') });
    try {
      const id = identity();
      await rejectsWith(kpi(strict, { ...id, accessToken: 'bad' }), status.PERMISSION_DENIED);
      await rejectsWith(kpi(strict, { ...id, accessToken: '' }), status.UNAUTHENTICATED);
      await rejectsWith(kpi(strict, { ...id, accessToken: 'good' }), status.FAILED_PRECONDITION);
    } finally {
      await strict.close();
    }
  });

  it('removes its own data dir on stop, and ends stalled calls then', async () => {
    const s = await startSim();
    const id = identity();
    await uploadConfig(s, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(s, pkgMessages(id, 'pkg-x', Buffer.from('x')));
    const dir = path.dirname(path.dirname(path.dirname(path.dirname(s.sim.package(id.tenantId, id.hostIp, 'pkg-x')!.path))));
    assert.ok(fs.existsSync(dir));
    s.sim.injectFault({ rpc: 'queryKPI', kind: 'stall' });
    const stalled = rejectsWith(kpi(s, id, 60_000), status.UNAVAILABLE);
    await sleep(50);
    const started = Date.now();
    await s.close();
    await stalled;
    assert.ok(Date.now() - started < 900, 'stop did not wait for the stalled call');
    assert.equal(fs.existsSync(dir), false);
  });
});
