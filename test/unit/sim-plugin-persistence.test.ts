import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { HealthResponse_Status, InstanceStatus_State, OperateRequest_Action, type InstanceStatus } from '../../src/generated/proto/applcm_plugin.js';
import type { DownloadVmImageResponse, UploadVmImageRequest } from '../../src/generated/proto/resourcemanager.js';
import { StreamReader, deadlineIn, unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import type { SimPluginOptions } from '../../src/plugins/sim/sim-options.js';
import {
  DEADLINE_MS,
  cfgMessages,
  identity,
  pieces,
  pkgMessages,
  rejectsWith,
  startSim,
  uploadConfig,
  uploadPackage,
  type Identity,
  type SimHarness,
} from '../helpers/sim-harness.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Files below `dir`, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const hostDirOf = (dataDir: string, id: Identity): string => path.join(dataDir, 'hosts', id.tenantId, id.hostIp);
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

const instantiate = (h: SimHarness, id: Identity, appInstanceId: string, appPackageId: string) =>
  unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.instantiate({ ...id, appInstanceId, appPackageId, parameters: { replicas: '1', env: 'x=y' }, akSkLcmGen: false }, md, o, cb));
const terminate = (h: SimHarness, id: Identity, appInstanceId: string) =>
  unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.terminate({ ...id, appInstanceId }, md, o, cb));
const query = (h: SimHarness, id: Identity, appInstanceId: string) =>
  unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.query({ ...id, appInstanceId }, md, o, cb));
const workloadEvents = (h: SimHarness, id: Identity, appInstanceId: string) =>
  unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.workloadEvents({ ...id, appInstanceId }, md, o, cb));
const instanceStatus = (h: SimHarness, id: Identity, appInstanceId: string) =>
  unary<InstanceStatus>(DEADLINE_MS, (md, o, cb) => h.ext.instanceStatus({ ...id, appInstanceId }, md, o, cb));
const packageStatus = (h: SimHarness, id: Identity, packageId: string) =>
  unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.queryPackageStatus({ ...id, packageId }, md, o, cb));
const deletePackage = (h: SimHarness, id: Identity, appPackageId: string) =>
  unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.deletePackage({ ...id, appPackageId }, md, o, cb));
const removeConfig = (h: SimHarness, id: Identity) => unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.removeConfig(id, md, o, cb));
const health = (h: SimHarness) => unary<{ status: HealthResponse_Status }>(DEADLINE_MS, (md, o, cb) => h.ext.health({}, md, o, cb));

async function createImage(h: SimHarness, id: Identity): Promise<string> {
  const r = await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) =>
    h.img.createVmImage({ ...id, image: { name: 'ubuntu', containerFormat: 'bare', diskFormat: 'qcow2', minRam: 512, minDisk: 4, properties: { os: 'linux' } } }, md, o, cb),
  );
  return (JSON.parse(r.response) as { imageId: string }).imageId;
}

const uploadImage = (h: SimHarness, id: Identity, imageId: string, bytes: Buffer) =>
  upload<UploadVmImageRequest, { status: string }>(DEADLINE_MS, (md, o, cb) => h.img.uploadVmImage(md, o, cb), [
    { data: { $case: 'accessToken', value: id.accessToken } },
    { data: { $case: 'hostIp', value: id.hostIp } },
    { data: { $case: 'tenantId', value: id.tenantId } },
    { data: { $case: 'imageId', value: imageId } },
    ...[...pieces(bytes, 512 * 1024)].map((c): UploadVmImageRequest => ({ data: { $case: 'content', value: c } })),
  ]);

const queryImage = async (h: SimHarness, id: Identity, imageId: string) =>
  JSON.parse((await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.img.queryVmImage({ ...id, imageId }, md, o, cb))).response) as Record<string, unknown>;

async function download(h: SimHarness, id: Identity, imageId: string): Promise<Buffer> {
  const r = new StreamReader<DownloadVmImageResponse>(h.img.downloadVmImage({ ...id, imageId }, { deadline: deadlineIn(DEADLINE_MS) }));
  const got: Buffer[] = [];
  for (;;) {
    try {
      got.push(Buffer.from((await r.next(DEADLINE_MS, 'download')).content));
    } catch {
      const end = await r.status(1000, 'download end');
      assert.equal(end.code, status.OK, end.details);
      return Buffer.concat(got);
    }
  }
}

/** The parts of an instance status that do not change by themselves (observedAt is the time of asking). */
const stable = (s: InstanceStatus) => ({ ...s, observedAt: '' });

describe('SimPlugin persistence in a given data dir', () => {
  let dataDir: string;
  const open: SimHarness[] = [];
  /** Starts a simulator on the test's data dir (closed after the test if the test did not). */
  const start = async (o: SimPluginOptions = {}): Promise<SimHarness> => {
    const h = await startSim({ dataDir, ...o });
    open.push(h);
    return h;
  };
  const restart = async (h: SimHarness, o: SimPluginOptions = {}): Promise<SimHarness> => {
    await h.close();
    return start(o);
  };

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-sim-persist-'));
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the same after a restart: config, packages, instances (DEPLOYING comes back RUNNING), images', async () => {
    // A long deploy step: the second instance is still DEPLOYING when the plugin stops.
    let h = await start({ deployDelayMs: 60_000 });
    const id = identity();
    const config = Buffer.from('apiVersion: v1\nusers:\n- name: admin\n  user: {token: s3cr3t}\n');
    const pkg = randomBytes(300 * 1024);
    await uploadConfig(h, cfgMessages(id, config));
    await uploadPackage(h, pkgMessages(id, 'pkg-a', pkg));
    const degraded = randomUUID();
    const deploying = randomUUID();
    assert.equal((await instantiate(h, id, degraded, 'pkg-a')).status, 'Success');
    assert.equal((await instantiate(h, id, deploying, 'pkg-a')).status, 'Success');
    h.sim.setInstanceState(id.tenantId, id.hostIp, degraded, 'DEGRADED', 'CrashLoopBackOff');
    h.sim.emitWorkloadEvent(id.tenantId, id.hostIp, degraded, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container' });
    const imageId = await createImage(h, id);
    const image = randomBytes(1536 * 1024);
    assert.equal((await uploadImage(h, id, imageId, image)).status, 'Success');
    const queuedImageId = await createImage(h, id);

    const before = {
      query: (await query(h, id, degraded)).response,
      events: (await workloadEvents(h, id, degraded)).response,
      status: stable(await instanceStatus(h, id, degraded)),
      image: await queryImage(h, id, imageId),
      queued: await queryImage(h, id, queuedImageId),
      pkg: h.sim.package(id.tenantId, id.hostIp, 'pkg-a'),
    };
    assert.equal((await instanceStatus(h, id, deploying)).state, InstanceStatus_State.DEPLOYING);

    h = await restart(h);

    assert.deepEqual(h.sim.config(id.tenantId, id.hostIp), config);
    assert.equal((await packageStatus(h, id, 'pkg-a')).response, 'Distributed');
    assert.deepEqual(h.sim.package(id.tenantId, id.hostIp, 'pkg-a'), before.pkg);
    assert.equal(before.pkg?.sha256, sha256(pkg));
    assert.deepEqual(fs.readFileSync(before.pkg.path), pkg);

    assert.equal((await query(h, id, degraded)).response, before.query);
    assert.equal((await workloadEvents(h, id, degraded)).response, before.events);
    assert.match(before.events, /Back-off restarting failed container/);
    assert.deepEqual(stable(await instanceStatus(h, id, degraded)), before.status);
    assert.equal(before.status.state, InstanceStatus_State.DEGRADED);
    assert.equal(before.status.workloads[0]?.containers[0]?.restarts, 1);
    assert.deepEqual(h.sim.instance(id.tenantId, id.hostIp, degraded), { appPackageId: 'pkg-a', parameters: { replicas: '1', env: 'x=y' }, state: 'DEGRADED' });

    const back = await instanceStatus(h, id, deploying);
    assert.equal(back.state, InstanceStatus_State.RUNNING, 'an instance DEPLOYING at stop has deployed by the restart');
    assert.match((await workloadEvents(h, id, deploying)).response, /Started container app/);

    assert.deepEqual(await queryImage(h, id, imageId), before.image);
    assert.equal(before.image['status'], 'active');
    assert.equal(before.image['checksum'], sha256(image));
    assert.deepEqual(await download(h, id, imageId), image);
    assert.deepEqual(await queryImage(h, id, queuedImageId), before.queued);
    assert.equal(before.queued['status'], 'queued');

    // It keeps working on what it loaded: retries stay idempotent, terminate works, and that is kept too.
    assert.equal((await instantiate(h, id, deploying, 'pkg-a')).status, 'Success');
    await rejectsWith(instantiate(h, id, deploying, 'pkg-b'), status.ALREADY_EXISTS);
    assert.equal((await terminate(h, id, degraded)).status, 'Success');
    await rejectsWith(query(h, id, degraded), status.NOT_FOUND);

    h = await restart(h);
    await rejectsWith(query(h, id, degraded), status.NOT_FOUND);
    assert.equal((await instanceStatus(h, id, deploying)).state, InstanceStatus_State.RUNNING);
    assert.equal((await terminate(h, id, deploying)).status, 'Success');
    assert.deepEqual(await download(h, id, imageId), image);
  });

  it('keeps an instance stopped by operate stopped across a restart, and starts it afterwards', async () => {
    let h = await start();
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(h, pkgMessages(id, 'pkg-a', Buffer.from('bytes')));
    const inst = randomUUID();
    await instantiate(h, id, inst, 'pkg-a');
    const operate = (action: OperateRequest_Action) =>
      unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.ext.operate({ ...id, appInstanceId: inst, action }, md, o, cb));
    assert.equal((await operate(OperateRequest_Action.STOP)).status, 'Success');
    h = await restart(h);
    const stopped = await instanceStatus(h, id, inst);
    assert.deepEqual([stopped.state, stopped.reason, stopped.workloads.length], [InstanceStatus_State.STOPPED, 'stopped by operate', 0]);
    assert.equal((await operate(OperateRequest_Action.START)).status, 'Success');
    h = await restart(h);
    assert.equal((await instanceStatus(h, id, inst)).state, InstanceStatus_State.RUNNING);
  });

  it('keeps the config in a 0600 file in 0700 directories, and leaves no temp files', async () => {
    const h = await start();
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('first')));
    await uploadConfig(h, cfgMessages(id, Buffer.from('kubeconfig with a token')));
    const dir = hostDirOf(dataDir, id);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'config')), Buffer.from('kubeconfig with a token'));
    assert.equal(mode(path.join(dir, 'config')), 0o600);
    assert.equal(mode(path.join(dir, 'state.json')), 0o600);
    for (const d of [path.join(dataDir, 'hosts'), path.dirname(dir), dir]) assert.equal(mode(d), 0o700, d);
    assert.deepEqual(filesUnder(dataDir), [`hosts/${id.tenantId}/${id.hostIp}/config`, `hosts/${id.tenantId}/${id.hostIp}/state.json`]);
  });

  it('writes every change of many concurrent calls: all of them are there after a restart', async () => {
    let h = await start();
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(h, pkgMessages(id, 'pkg-a', Buffer.from('bytes')));
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(ids.map((i) => instantiate(h, id, i, 'pkg-a')));
    await Promise.all(ids.slice(0, 10).map((i) => terminate(h, id, i)));
    assert.deepEqual(filesUnder(path.join(dataDir, 'hosts')).filter((f) => f.endsWith('.tmp')), []);
    h = await restart(h);
    for (const i of ids.slice(0, 10)) await rejectsWith(query(h, id, i), status.NOT_FOUND);
    for (const i of ids.slice(10)) assert.equal((await instanceStatus(h, id, i)).state, InstanceStatus_State.RUNNING);
  });

  it('keeps removals: a deleted package, a removed config, a deleted image, and a host with nothing left has no files', async () => {
    let h = await start();
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(h, pkgMessages(id, 'pkg-a', Buffer.from('a')));
    await uploadPackage(h, pkgMessages(id, 'pkg-b', Buffer.from('b')));
    const imageId = await createImage(h, id);
    await uploadImage(h, id, imageId, Buffer.from('disk'));
    assert.equal((await deletePackage(h, id, 'pkg-a')).status, 'Success');
    assert.equal((await unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.img.deleteVmImage({ ...id, imageId }, md, o, cb))).status, 'Success');

    h = await restart(h);
    await rejectsWith(packageStatus(h, id, 'pkg-a'), status.NOT_FOUND);
    assert.equal((await packageStatus(h, id, 'pkg-b')).response, 'Distributed');
    await rejectsWith(queryImage(h, id, imageId), status.NOT_FOUND);
    assert.equal((await removeConfig(h, id)).status, 'Success');
    assert.equal(fs.existsSync(path.join(hostDirOf(dataDir, id), 'config')), false, 'the credentials are gone from disk');

    h = await restart(h);
    assert.equal(h.sim.config(id.tenantId, id.hostIp), undefined);
    assert.equal((await packageStatus(h, id, 'pkg-b')).response, 'Distributed', 'packages need no configuration');
    assert.equal((await deletePackage(h, id, 'pkg-b')).status, 'Success');
    assert.deepEqual(filesUnder(dataDir), [], 'nothing left for the host, so no state, no config, no package');
  });

  it('on start removes package and image files no state refers to, staged uploads and temp files', async () => {
    let h = await start();
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(h, pkgMessages(id, 'pkg-kept', Buffer.from('kept')));
    await uploadPackage(h, pkgMessages(id, 'pkg-gone', Buffer.from('gone')));
    const kept = h.sim.package(id.tenantId, id.hostIp, 'pkg-kept')!.path;
    const gone = h.sim.package(id.tenantId, id.hostIp, 'pkg-gone')!.path;
    await h.close();

    // What a crash mid-upload, the in-memory version of the simulator, or a crash mid-write leave behind.
    const strayTenant = randomUUID();
    const orphans = [
      path.join(path.dirname(kept), 'pkg-orphan'),
      path.join(dataDir, 'packages', strayTenant, '10.9.9.9', 'old-package'),
      path.join(dataDir, 'images', strayTenant, '10.9.9.9', randomUUID()),
      path.join(dataDir, 'tmp', `${randomUUID()}.part`),
      path.join(hostDirOf(dataDir, id), `state.json.${randomUUID()}.tmp`),
    ];
    for (const f of orphans) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, 'stray');
    }
    // A package whose file went missing is not answered as distributed.
    fs.rmSync(gone);

    h = await start();
    for (const f of orphans) assert.equal(fs.existsSync(f), false, `${path.relative(dataDir, f)} removed`);
    assert.equal(fs.existsSync(path.join(dataDir, 'packages', strayTenant)), false, 'and the directories they left empty');
    assert.equal(fs.existsSync(path.join(dataDir, 'images', strayTenant)), false);
    assert.deepEqual(fs.readFileSync(kept), Buffer.from('kept'));
    assert.equal((await packageStatus(h, id, 'pkg-kept')).response, 'Distributed');
    await rejectsWith(packageStatus(h, id, 'pkg-gone'), status.NOT_FOUND);
  });

  it('skips a corrupt or unreadable state file and keeps serving every other host', async () => {
    let h = await start();
    const good = identity();
    const garbled = { ...identity(), hostIp: '10.0.0.1' };
    const misshapen = { ...identity(), hostIp: '10.0.0.2' };
    const unreadable = { ...identity(), hostIp: '10.0.0.3' };
    for (const id of [good, garbled, misshapen, unreadable]) {
      await uploadConfig(h, cfgMessages(id, Buffer.from(`cfg of ${id.hostIp}`)));
      await uploadPackage(h, pkgMessages(id, 'pkg-a', Buffer.from('bytes')));
    }
    await h.close();
    const stateOf = (id: Identity): string => path.join(hostDirOf(dataDir, id), 'state.json');
    fs.writeFileSync(stateOf(garbled), '{"version":1,"tenantId":');
    fs.writeFileSync(stateOf(misshapen), JSON.stringify({ version: 1, tenantId: misshapen.tenantId, hostIp: misshapen.hostIp, packages: { '../../escape': { bytes: 1, sha256: 'x' } } }));
    fs.rmSync(stateOf(unreadable));
    fs.mkdirSync(stateOf(unreadable)); // reading it fails (EISDIR), whoever runs the test

    h = await start();
    assert.equal((await health(h)).status, HealthResponse_Status.SERVING);
    assert.equal((await packageStatus(h, good, 'pkg-a')).response, 'Distributed');
    for (const id of [garbled, misshapen, unreadable]) {
      await rejectsWith(packageStatus(h, id, 'pkg-a'), status.NOT_FOUND);
      // The config is a file of its own and still good.
      assert.deepEqual(h.sim.config(id.tenantId, id.hostIp), Buffer.from(`cfg of ${id.hostIp}`));
      assert.ok(fs.existsSync(`${stateOf(id)}.corrupt`), 'the unusable state is kept aside, not loaded again');
      // The host works again: a new upload is stored and kept.
      await uploadPackage(h, pkgMessages(id, 'pkg-new', Buffer.from('new')));
    }
    h = await restart(h);
    for (const id of [garbled, misshapen, unreadable]) assert.equal((await packageStatus(h, id, 'pkg-new')).response, 'Distributed');
  });
});

describe('SimPlugin without a data dir', () => {
  it('keeps state in memory only and leaves nothing behind after stop', async () => {
    const h = await startSim({ deployDelayMs: 60_000 });
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('cfg')));
    await uploadPackage(h, pkgMessages(id, 'pkg-a', Buffer.from('bytes')));
    await instantiate(h, id, randomUUID(), 'pkg-a');
    const imageId = await createImage(h, id);
    await uploadImage(h, id, imageId, Buffer.from('disk'));
    // <dataDir>/packages/<tenant>/<host>/<id>
    const dataDir = path.resolve(h.sim.package(id.tenantId, id.hostIp, 'pkg-a')!.path, '../../../..');
    assert.match(path.basename(dataDir), /^applcm-sim-/);
    assert.equal(fs.existsSync(path.join(dataDir, 'hosts')), false, 'no config or state written');
    await h.close();
    assert.equal(fs.existsSync(dataDir), false);
  });
});
