import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { ErrorCode, type DomainError } from '../../src/errors.js';
import { CreateVmImage, DeleteVmImage, ImageUpdated, OperationProgress, VmImages } from '../operations/images.js';
import { LcmFail, LcmInstantiate, LcmRetry, LcmRollback, LcmTerminate } from '../operations/lcm.js';
import { activeImage, bearer, fileUrl, imageOf, readFromPlugin, sha256, startImageRig, startSnapshot, vmInstance, type ImageRig } from '../helpers/image-fixture.js';
import { readyToInstantiate, settled } from '../helpers/lcm-fixture.js';
import { sql } from '../helpers/test-db.js';
import type { TestServer } from '../helpers/test-server.js';
import { collect } from './subscriptions-support.js';

let rig: ImageRig;
let t: TestServer;

before(async () => {
  rig = await startImageRig('vmimages');
  t = rig.t;
});
after(async () => {
  await rig.close();
});

const target = (hostIp: string) => ({ accessToken: t.tokens.tenantA, tenantId: t.tenants.A, hostIp });

describe('VM images through GraphQL and REST', () => {
  it('snapshot → ACTIVE (progress and imageUpdated visible) → download whole → resume with a Range → delete', async () => {
    const inst = await vmInstance(t, { simDiskBytes: String(5 * 1024 * 1024 + 777), simSnapshotMs: '700' });
    const ws = t.ws(t.tokens.tenantA);
    const updates = collect(ws, ImageUpdated, { filter: { instanceId: inst.id } });
    const progress = collect(ws, OperationProgress, { filter: { type: 'CREATE_IMAGE' } });
    const foreign = collect(t.ws(t.tokens.tenantB), ImageUpdated, {});
    await new Promise((r) => setTimeout(r, 300));

    const { op, imageId } = await startSnapshot(t, inst.id, 'golden-1');
    assert.equal(op.state, 'STARTING');
    assert.equal(op.instanceId, inst.id);
    const creating = await imageOf(t, imageId);
    assert.equal(creating.status, 'CREATING');
    assert.equal(creating.instanceId, inst.id);
    assert.equal(creating.hostId, inst.host.id);
    const done = await settled(t, op.id, undefined, 30_000);
    assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
    const image = await imageOf(t, imageId);
    assert.equal(image.status, 'ACTIVE');
    assert.equal(image.sizeBytes, 5 * 1024 * 1024 + 777);
    assert.match(image.checksum!, /^[0-9a-f]{64}$/);
    assert.equal(done.result?.pluginImageId, image.pluginImageId);
    // The operation showed where the snapshot was while it ran.
    await progress.waitUntil((items) => items.some((i) => i.operationUpdated.operation.id === op.id && (i.operationUpdated.operation.progress as { status?: string } | null)?.status === 'saving'));

    // The whole file: the plugin's bytes, its checksum as the strong ETag.
    const whole = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-length'), String(image.sizeBytes));
    assert.equal(whole.headers.get('etag'), `"${image.checksum}"`);
    const bytes = Buffer.from(await whole.arrayBuffer());
    assert.equal(sha256(bytes), image.checksum);
    assert.ok(bytes.equals(await readFromPlugin(rig.direct, target(inst.host.ip), image.pluginImageId!)), 'the same bytes as the plugin streams');

    // An interrupted download, resumed where it stopped.
    const cut = new AbortController();
    const first = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA), signal: cut.signal });
    const got: Uint8Array[] = [];
    let n = 0;
    for await (const value of first.body as unknown as AsyncIterable<Uint8Array>) {
      got.push(value);
      n += value.length;
      if (n >= 2 * 1024 * 1024) break;
    }
    cut.abort();
    const rest = await fetch(fileUrl(t, imageId), { headers: { ...bearer(t.tokens.tenantA), range: `bytes=${n}-`, 'if-range': `"${image.checksum}"` } });
    assert.equal(rest.status, 206);
    assert.equal(rest.headers.get('content-range'), `bytes ${n}-${image.sizeBytes - 1}/${image.sizeBytes}`);
    assert.equal(rest.headers.get('content-length'), String(image.sizeBytes - n));
    const resumed = Buffer.concat([...got, Buffer.from(await rest.arrayBuffer())]);
    assert.ok(resumed.equals(bytes), 'resumed bytes equal the whole download');
    assert.equal(sha256(resumed), image.checksum);

    // Small ranges, a suffix, HEAD, and an If-Range that no longer matches (the whole file instead).
    const head = await fetch(fileUrl(t, imageId), { method: 'HEAD', headers: bearer(t.tokens.tenantA) });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(image.sizeBytes));
    const mid = await fetch(fileUrl(t, imageId), { headers: { ...bearer(t.tokens.tenantA), range: 'bytes=1048570-1048585' } });
    assert.equal(mid.status, 206);
    assert.ok(Buffer.from(await mid.arrayBuffer()).equals(bytes.subarray(1048570, 1048586)), 'a range across a chunk boundary');
    const tail = await fetch(fileUrl(t, imageId), { headers: { ...bearer(t.tokens.tenantA), range: 'bytes=-100' } });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 100)));
    const stale = await fetch(fileUrl(t, imageId), { headers: { ...bearer(t.tokens.tenantA), range: 'bytes=10-', 'if-range': '"0000"' } });
    assert.equal(stale.status, 200);
    assert.equal(Buffer.from(await stale.arrayBuffer()).length, bytes.length);

    // Listed with filters, then deleted from the plugin and the controller.
    const listed = await t.gql(VmImages, { filter: { instanceId: inst.id, status: 'ACTIVE' } }, t.tokens.tenantA);
    assert.deepEqual(listed.data!.vmImages.edges.map((e) => e.node.id), [imageId]);
    assert.equal(listed.data!.vmImages.totalCount, 1);
    const del = await t.gql(DeleteVmImage, { id: imageId }, t.tokens.tenantA);
    assert.equal(del.errors, undefined, JSON.stringify(del.errors));
    assert.equal(del.data!.deleteVmImage.type, 'DELETE_IMAGE');
    assert.equal((await settled(t, del.data!.deleteVmImage.id)).state, 'COMPLETED');
    assert.equal((await t.gql(VmImages, { filter: { instanceId: inst.id } }, t.tokens.tenantA)).data!.vmImages.totalCount, 0);
    await assert.rejects(rig.direct.queryVmImage(target(inst.host.ip), image.pluginImageId!), (e: DomainError) => e.code === ErrorCode.NOT_FOUND, 'the plugin no longer holds it');
    const afterDelete = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) });
    assert.equal(afterDelete.status, 404);

    const seen = await updates.waitUntil((items) => items.some((i) => i.imageUpdated.deleted));
    assert.deepEqual(
      seen.map((i) => (i.imageUpdated.deleted ? 'deleted' : i.imageUpdated.image.status)),
      ['CREATING', 'ACTIVE', 'DELETING', 'deleted'],
    );
    assert.equal(foreign.items.length, 0, "another tenant hears nothing of the tenant's images");
  });

  it('an idempotency key replays the snapshot; the same key for another request is a CONFLICT', async () => {
    const inst = await vmInstance(t);
    const vars = { appInstanceId: inst.id, vmId: 'server-1', name: 'keyed', key: `img-${randomUUID()}` };
    const a = await t.gql(CreateVmImage, vars, t.tokens.tenantA);
    const b = await t.gql(CreateVmImage, vars, t.tokens.tenantA);
    assert.equal(b.errors, undefined, JSON.stringify(b.errors));
    assert.equal(a.data!.createVmImage.id, b.data!.createVmImage.id);
    const other = await t.gql(CreateVmImage, { ...vars, name: 'other' }, t.tokens.tenantA);
    assert.equal(other.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal((await settled(t, a.data!.createVmImage.id)).state, 'COMPLETED');
    const rows = await sql(t.db.url, 'select 1 from vm_image where instance_id = $1', [inst.id]);
    assert.equal(rows.length, 1, 'one image for the replayed request');
    const delKey = `del-${randomUUID()}`;
    const imageId = String(a.data!.createVmImage.params.imageId);
    const d1 = await t.gql(DeleteVmImage, { id: imageId, key: delKey }, t.tokens.tenantA);
    const d2 = await t.gql(DeleteVmImage, { id: imageId, key: delKey }, t.tokens.tenantA);
    assert.equal(d2.errors, undefined, JSON.stringify(d2.errors));
    assert.equal(d1.data!.deleteVmImage.id, d2.data!.deleteVmImage.id);
    await settled(t, d1.data!.deleteVmImage.id);
  });
});

describe('refusals, each with its code, leaving nothing behind', () => {
  it('unknown instance, another tenant’s instance, a guest, bad input, an instance not instantiated', async () => {
    const inst = await vmInstance(t);
    const cases: [Record<string, string>, string, string | null][] = [
      [{ appInstanceId: randomUUID(), vmId: 'vm1', name: 'x' }, t.tokens.tenantA, 'NOT_FOUND'],
      [{ appInstanceId: 'not-a-uuid', vmId: 'vm1', name: 'x' }, t.tokens.tenantA, 'NOT_FOUND'],
      [{ appInstanceId: inst.id, vmId: 'vm1', name: 'x' }, t.tokens.tenantB, 'NOT_FOUND'],
      [{ appInstanceId: inst.id, vmId: 'vm1', name: 'x' }, t.tokens.guestA, 'FORBIDDEN'],
      [{ appInstanceId: inst.id, vmId: '', name: 'x' }, t.tokens.tenantA, 'BAD_USER_INPUT'],
      [{ appInstanceId: inst.id, vmId: 'vm 1; rm -rf /', name: 'x' }, t.tokens.tenantA, 'BAD_USER_INPUT'],
      [{ appInstanceId: inst.id, vmId: 'vm1', name: 'bad name!' }, t.tokens.tenantA, 'BAD_USER_INPUT'],
      [{ appInstanceId: inst.id, vmId: 'vm1', name: 'x'.repeat(200) }, t.tokens.tenantA, 'BAD_USER_INPUT'],
    ];
    for (const [vars, token, code] of cases) {
      const r = await t.gql(CreateVmImage, vars as never, token);
      assert.equal(r.errors?.[0]?.extensions?.code, code, `${JSON.stringify(vars)}: ${JSON.stringify(r.errors)}`);
    }

    // An instance whose instantiate was given up is NOT_INSTANTIATED: it has no VM to snapshot.
    const { host, pkg } = await readyToInstantiate(t);
    rig.sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'nova: no valid host', times: 1 });
    const failedId = randomUUID();
    const r = await t.gql(LcmInstantiate, { input: { appInstanceId: failedId, packageId: pkg, hostId: host.id, name: 'broken' } }, t.tokens.tenantA);
    const failedOp = await settled(t, r.data!.instantiateApp.id);
    assert.equal(failedOp.state, 'FAILED_TEMP');
    await t.gql(LcmFail, { id: failedOp.id }, t.tokens.tenantA);
    const notInstantiated = await t.gql(CreateVmImage, { appInstanceId: failedId, vmId: 'vm1', name: 'x' }, t.tokens.tenantA);
    assert.equal(notInstantiated.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(notInstantiated.errors?.[0]?.extensions?.reason, 'NOT_INSTANTIATED');

    const rows = await sql(t.db.url, 'select 1 from vm_image where instance_id = any($1::uuid[])', [[inst.id, failedId]]);
    assert.equal(rows.length, 0, 'no image row for a refused request');
    const ops = await sql(t.db.url, `select 1 from lcm_operation where type = 'CREATE_IMAGE' and instance_id = any($1::uuid[])`, [[inst.id, failedId]]);
    assert.equal(ops.length, 0, 'no operation for a refused request');
  });

  it("another tenant's image is NOT_FOUND everywhere (read, list, download, delete)", async () => {
    const { image } = await activeImage(t);
    const read = await t.gql(CreateVmImage, { appInstanceId: image.instanceId!, vmId: 'v', name: 'n' }, t.tokens.tenantB);
    assert.equal(read.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const byId = await t.gql(VmImages, { filter: { instanceId: image.instanceId } }, t.tokens.tenantB);
    assert.equal(byId.data!.vmImages.totalCount, 0);
    const one = await t.gql(`query($id: ID!) { vmImage(id: $id) { id } }`, { id: image.id }, t.tokens.tenantB);
    assert.equal(one.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const del = await t.gql(DeleteVmImage, { id: image.id }, t.tokens.tenantB);
    assert.equal(del.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    // Under its own tenant in the path: not found; under the owner's: not its tenant.
    const own = await fetch(fileUrl(t, image.id, t.tenants.B), { headers: bearer(t.tokens.tenantB) });
    assert.equal(own.status, 404);
    assert.equal(((await own.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const theirs = await fetch(fileUrl(t, image.id, t.tenants.A), { headers: bearer(t.tokens.tenantB) });
    assert.equal(theirs.status, 403);
    // An admin downloading under the wrong tenant does not find it either.
    const wrongPath = await fetch(fileUrl(t, image.id, t.tenants.B), { headers: bearer(t.tokens.admin) });
    assert.equal(wrongPath.status, 404);
    const noToken = await fetch(fileUrl(t, image.id));
    assert.equal(noToken.status, 401);
    assert.equal((await imageOf(t, image.id)).status, 'ACTIVE', 'still there for its owner');
  });

  it('not yet active: no download, no delete, no second snapshot, no terminate while the VM is copied', async () => {
    const inst = await vmInstance(t, { simSnapshotMs: '4000' });
    const { op, imageId } = await startSnapshot(t, inst.id);
    await settled(t, op.id, ['PROCESSING']);
    const dl = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) });
    assert.equal(dl.status, 409);
    const body = (await dl.json()) as { error: { code: string; reason: string; status: string } };
    assert.deepEqual([body.error.code, body.error.reason, body.error.status], ['CONFLICT', 'IMAGE_NOT_ACTIVE', 'CREATING']);
    const del = await t.gql(DeleteVmImage, { id: imageId }, t.tokens.tenantA);
    assert.equal(del.errors?.[0]?.extensions?.reason, 'IMAGE_NOT_READY');
    const second = await t.gql(CreateVmImage, { appInstanceId: inst.id, vmId: 'vm2', name: 'second' }, t.tokens.tenantA);
    assert.equal(second.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(second.errors?.[0]?.extensions?.operationId, op.id);
    const term = await t.gql(LcmTerminate, { id: inst.id }, t.tokens.tenantA);
    assert.equal(term.errors?.[0]?.extensions?.operationId, op.id);
    assert.equal((await settled(t, op.id, undefined, 30_000)).state, 'COMPLETED');
  });

  it('deleting twice: CONFLICT while the first delete runs, NOT_FOUND once it is done', async () => {
    const { image } = await activeImage(t);
    // The plugin holds the first delete until the call's deadline; the engine then retries it.
    rig.sim.injectFault({ rpc: 'deleteVmImage', kind: 'stall', times: 1 });
    const first = await t.gql(DeleteVmImage, { id: image.id }, t.tokens.tenantA);
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.equal((await imageOf(t, image.id)).status, 'DELETING');
    const again = await t.gql(DeleteVmImage, { id: image.id }, t.tokens.tenantA);
    assert.equal(again.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(again.errors?.[0]?.extensions?.reason, 'ALREADY_DELETING');
    assert.equal(again.errors?.[0]?.extensions?.operationId, first.data!.deleteVmImage.id);
    const dl = await fetch(fileUrl(t, image.id), { headers: bearer(t.tokens.tenantA) });
    assert.equal(dl.status, 409, 'no download of an image being deleted');
    const done = await settled(t, first.data!.deleteVmImage.id, undefined, 30_000);
    assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
    assert.ok(done.attempts >= 2, 'the timed-out delete was tried again');
    const third = await t.gql(DeleteVmImage, { id: image.id }, t.tokens.tenantA);
    assert.equal(third.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});

describe('when the plugin fails mid-snapshot', () => {
  it('a killed snapshot: FAILED_TEMP with the reason, never ACTIVE; failOperation → FAILED and ERROR; delete cleans the plugin', async () => {
    const inst = await vmInstance(t, { simSnapshotFail: 'yes', simDiskBytes: String(4 * 1024 * 1024) });
    const { op, imageId } = await startSnapshot(t, inst.id);
    const failed = await settled(t, op.id, undefined, 30_000);
    assert.equal(failed.state, 'FAILED_TEMP');
    assert.equal(failed.error?.code, 'PLUGIN_ERROR');
    assert.match(failed.error.message, /killed/);
    const image = await imageOf(t, imageId);
    assert.equal(image.status, 'CREATING', 'not ACTIVE while its operation waits for a decision');
    const dl = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) });
    assert.equal(dl.status, 409);

    const given = await t.gql(LcmFail, { id: op.id }, t.tokens.tenantA);
    assert.equal(given.data!.failOperation.state, 'FAILED');
    const errored = await imageOf(t, imageId);
    assert.equal(errored.status, 'ERROR');
    const pluginImageId = errored.pluginImageId!;
    assert.equal((await rig.direct.queryVmImage(target(inst.host.ip), pluginImageId)).status, 'killed');
    const del = await t.gql(DeleteVmImage, { id: imageId }, t.tokens.tenantA);
    assert.equal((await settled(t, del.data!.deleteVmImage.id)).state, 'COMPLETED');
    await assert.rejects(rig.direct.queryVmImage(target(inst.host.ip), pluginImageId), (e: DomainError) => e.code === ErrorCode.NOT_FOUND);
    assert.equal((await sql(t.db.url, 'select 1 from vm_image where id = $1', [imageId])).length, 0);
  });

  it('a rollback removes the half-made image from the plugin and the controller', async () => {
    const inst = await vmInstance(t, { simSnapshotFail: 'yes' });
    const { op, imageId } = await startSnapshot(t, inst.id);
    assert.equal((await settled(t, op.id, undefined, 30_000)).state, 'FAILED_TEMP');
    const pluginImageId = (await imageOf(t, imageId)).pluginImageId!;
    const rb = await t.gql(LcmRollback, { id: op.id }, t.tokens.tenantA);
    assert.equal(rb.errors, undefined, JSON.stringify(rb.errors));
    assert.equal((await settled(t, op.id, ['ROLLED_BACK', 'FAILED_TEMP'], 30_000)).state, 'ROLLED_BACK');
    await assert.rejects(rig.direct.queryVmImage(target(inst.host.ip), pluginImageId), (e: DomainError) => e.code === ErrorCode.NOT_FOUND);
    assert.equal((await sql(t.db.url, 'select 1 from vm_image where id = $1', [imageId])).length, 0);
    const gone = await t.gql(`query($id: ID!) { vmImage(id: $id) { id } }`, { id: imageId }, t.tokens.tenantA);
    assert.equal(gone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('an image service that errs while the snapshot runs: FAILED_TEMP; a retry follows the same snapshot to ACTIVE', async () => {
    const inst = await vmInstance(t, { simSnapshotMs: '1500' });
    rig.sim.injectFault({ rpc: 'queryVmImage', kind: 'fail', code: status.INTERNAL, message: 'glance: 500 Internal Server Error', times: 1 });
    const { op, imageId } = await startSnapshot(t, inst.id);
    const failed = await settled(t, op.id, undefined, 30_000);
    assert.equal(failed.state, 'FAILED_TEMP');
    assert.match(failed.error!.message, /glance: 500/);
    const creates = rig.sim.callCount('createVmImage');
    const retried = await t.gql(LcmRetry, { id: op.id }, t.tokens.tenantA);
    assert.equal(retried.errors, undefined, JSON.stringify(retried.errors));
    const done = await settled(t, op.id, ['COMPLETED', 'FAILED_TEMP'], 30_000);
    assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
    assert.equal(rig.sim.callCount('createVmImage'), creates, 'the retry did not snapshot again');
    const image = await imageOf(t, imageId);
    assert.equal(image.status, 'ACTIVE');
    const bytes = Buffer.from(await (await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) })).arrayBuffer());
    assert.equal(sha256(bytes), image.checksum);
  });
});
