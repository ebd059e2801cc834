// The original lcmcontroller's VM image routes (applcm-original.md §1.6) on the controller's VM images: create waits
// for the snapshot operation, get and delete, and the file by `chunk_num` streamed from the plugin (1 MiB chunks; in
// order, the image is read from the plugin once). What the shim creates GraphQL reads (`vmImage`) and vice versa.
// The plugin is the simulator behind a loopback proxy that counts the bytes it sends.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pluginTarget } from '../../src/plugins/plugin-target.js';
import { IMAGE_CHUNK_BYTES } from '../../src/rest/lcmcontroller/image.routes.js';
import { DeleteVmImage } from '../operations/images.js';
import { activeImage, bearer, fileUrl, imageOf, readFromPlugin, sha256, startImageRig, startSnapshot, vmInstance, type ImageRig } from '../helpers/image-fixture.js';
import { settled } from '../helpers/lcm-fixture.js';
import { sql } from '../helpers/test-db.js';
import { e2, shim, type ShimResponse } from './shim-client.js';
import { ok } from './shim-app-client.js';

let rig: ImageRig;
before(async () => {
  rig = await startImageRig('shimimages', { APPLCM_SHIM_WAIT_S: '60' });
});
after(() => rig?.close());

const DISK = 3 * IMAGE_CHUNK_BYTES + 12_345;
const imagesOf = (tenant: string, instanceId: string) => `/v1/tenants/${tenant}/app_instances/${instanceId}/images`;

async function chunk(path: string, n: number | string | null, token: string): Promise<{ status: number; bytes: Buffer; headers: Headers; text: string }> {
  const res = await fetch(`${rig.t.url}/lcmcontroller${path}/file`, { headers: { access_token: token, ...(n === null ? {} : { chunk_num: String(n) }) } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, headers: res.headers, text: bytes.toString('utf8') };
}

function refused(r: ShimResponse | { status: number; text: string }, status: number, retCode: number, message?: string | RegExp): void {
  assert.equal(r.status, status, r.text);
  const body = JSON.parse(r.text) as { retCode: number; message: string };
  assert.equal(body.retCode, retCode, r.text);
  if (typeof message === 'string') assert.equal(body.message, message);
  else if (message) assert.match(body.message, message);
}

describe('the lcmcontroller image routes', () => {
  it('create waits for the snapshot; GraphQL reads the image; get; the file by chunk_num in order reads the image from the plugin once', async () => {
    const { t, proxy, direct } = rig;
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const inst = await vmInstance(t, { simDiskBytes: String(DISK), simSnapshotMs: '600' });
    const created = await shim(t, imagesOf(T, inst.id), { method: 'POST', token, body: { vmId: 'vm-1' } });
    assert.equal(created.status, 200, created.text);
    const { imageId } = created.json as { imageId: string };
    assert.deepEqual(Object.keys(created.json as object), ['imageId']);

    // What the shim created, GraphQL reads: ACTIVE once create answered.
    const g = await imageOf(t, imageId);
    assert.equal(g.status, 'ACTIVE');
    assert.equal(g.instanceId, inst.id);
    assert.equal(g.vmId, 'vm-1');
    assert.equal(g.sizeBytes, DISK);
    assert.match(g.name, /^image-\d{14}$/);

    const got = await shim(t, `${imagesOf(T, inst.id)}/${imageId}`, { token: t.tokens.guestA });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json, {
      imageId,
      imageName: g.name,
      appInstanceId: inst.id,
      vmId: 'vm-1',
      status: 'active',
      size: DISK,
      checksum: g.checksum,
      diskFormat: g.diskFormat,
      chunkSize: IMAGE_CHUNK_BYTES,
      sumChunkNum: 4,
      createTime: (got.json as { createTime: string }).createTime,
    });

    const whole = await readFromPlugin(direct, pluginTarget({ tenantId: T, ip: inst.host.ip }, token), g.pluginImageId!);
    const sentBefore = proxy.responseBytes;
    const parts: Buffer[] = [];
    for (let n = 0; n < 4; n++) {
      const c = await chunk(`${imagesOf(T, inst.id)}/${imageId}`, n, token);
      assert.equal(c.status, 200, c.text);
      assert.equal(c.headers.get('content-type'), 'application/octet-stream');
      assert.equal(c.headers.get('sum_chunk_num'), '4');
      assert.equal(c.bytes.length, n < 3 ? IMAGE_CHUNK_BYTES : 12_345);
      parts.push(c.bytes);
    }
    assert.equal(sha256(Buffer.concat(parts)), sha256(whole), 'the chunks in order are the image');
    const fromPlugin = proxy.responseBytes - sentBefore;
    assert.ok(fromPlugin < DISK * 1.2, `reading the chunks in order cost ${fromPlugin} bytes from the plugin for a ${DISK}-byte image`);

    // Out of order, each chunk is still exactly its bytes (the stream starts again and skips).
    for (const n of [2, 0, 3, 1]) {
      const c = await chunk(`${imagesOf(T, inst.id)}/${imageId}`, n, token);
      assert.equal(c.status, 200, c.text);
      assert.ok(c.bytes.equals(whole.subarray(n * IMAGE_CHUNK_BYTES, (n + 1) * IMAGE_CHUNK_BYTES)), `chunk ${n}`);
    }
    // The streaming endpoint serves the same file.
    const ranged = await fetch(fileUrl(t, imageId), { headers: bearer(token) });
    assert.equal(sha256(Buffer.from(await ranged.arrayBuffer())), sha256(whole));

    refused(await chunk(`${imagesOf(T, inst.id)}/${imageId}`, 4, token), 400, 31400, 'chunk_num 4 is out of range: the image has 4 chunks (0 to 3)');
    for (const bad of [null, '-1', 'abc', '1e3', '9999999999']) refused(await chunk(`${imagesOf(T, inst.id)}/${imageId}`, bad, token), 400, 31400, 'chunk_num must be a whole number from 0');

    const del = await shim(t, `${imagesOf(T, inst.id)}/${imageId}`, { method: 'DELETE', token });
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.json, ok('Delete image is successful'));
    const gone = await t.gql(`query($id: ID!) { vmImage(id: $id) { id } }`, { id: imageId }, token);
    assert.equal(gone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    refused(await shim(t, `${imagesOf(T, inst.id)}/${imageId}`, { token }), 404, 31301, 'Image record does not exist in database');
  });

  it('an image made through GraphQL is read, downloaded and deleted through the shim; one deleted through GraphQL is gone there', async () => {
    const { t } = rig;
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const { instanceId, image } = await activeImage(t, { simDiskBytes: String(IMAGE_CHUNK_BYTES + 5) });
    const got = await shim(t, `${imagesOf(T, instanceId)}/${image.id}`, { token });
    assert.equal(got.status, 200, got.text);
    assert.equal((got.json as { status: string; sumChunkNum: number }).status, 'active');
    assert.equal((got.json as { sumChunkNum: number }).sumChunkNum, 2);
    const last = await chunk(`${imagesOf(T, instanceId)}/${image.id}`, 1, token);
    assert.equal(last.status, 200, last.text);
    assert.equal(last.bytes.length, 5);

    const second = await startSnapshot(t, instanceId, 'second');
    const done = await settled(t, second.op.id, undefined, 60_000);
    assert.equal(done.state, 'COMPLETED');
    const del = await t.gql(DeleteVmImage, { id: second.imageId }, token);
    assert.equal(del.errors, undefined, JSON.stringify(del.errors));
    assert.equal((await settled(t, del.data!.deleteVmImage.id, undefined, 60_000)).state, 'COMPLETED');
    refused(await shim(t, `${imagesOf(T, instanceId)}/${second.imageId}`, { token }), 404, 31301, 'Image record does not exist in database');

    const shimDel = await shim(t, `${imagesOf(T, instanceId)}/${image.id}`, { method: 'DELETE', token });
    assert.equal(shimDel.status, 200, shimDel.text);
    assert.deepEqual(await sql(t.db.url, 'select id from vm_image where instance_id = $1', [instanceId]), []);
  });

  it('a create re-sent while the snapshot runs joins it: one image, one answer for both', async () => {
    const { t } = rig;
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const inst = await vmInstance(t, { simSnapshotMs: '1500' });
    const [a, b] = await Promise.all([0, 1].map(() => shim(t, imagesOf(T, inst.id), { method: 'POST', token, body: { vmId: 'vm-7', name: 'twin' } })));
    assert.equal(a!.status, 200, a!.text);
    assert.equal(b!.status, 200, b!.text);
    assert.deepEqual(a!.json, b!.json);
    assert.equal((await sql(t.db.url, 'select id from vm_image where instance_id = $1', [inst.id])).length, 1);
    // A snapshot of another VM while one runs is refused, naming the running one.
    const c = shim(t, imagesOf(T, inst.id), { method: 'POST', token, body: { vmId: 'vm-7', name: 'third' } });
    await new Promise((r) => setTimeout(r, 300));
    refused(await shim(t, imagesOf(T, inst.id), { method: 'POST', token, body: { vmId: 'vm-8' } }), 409, 31400, /taking a snapshot of VM vm-7/);
    assert.equal((await c).status, 200);
  });

  it('a snapshot the plugin fails is the original plugin failure (500 31202), with nothing left behind', async () => {
    const { t } = rig;
    const inst = await vmInstance(t, { simSnapshotFail: 'yes' });
    const r = await shim(t, imagesOf(t.tenants.A, inst.id), { method: 'POST', token: t.tokens.tenantA, body: { vmId: 'vm-1' } });
    assert.equal(r.status, 500, r.text);
    assert.equal((r.json as { retCode: number }).retCode, 31202);
    // The failed snapshot is rolled back: its image row (and whatever the plugin made) goes.
    for (let i = 0; (await sql(t.db.url, 'select 1 from vm_image where instance_id = $1', [inst.id])).length > 0; i++) {
      assert.ok(i < 200, 'the failed snapshot was not rolled back');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ops = await sql<{ state: string }>(t.db.url, "select state from lcm_operation where instance_id = $1 and type = 'CREATE_IMAGE'", [inst.id]);
    assert.deepEqual(ops.map((o) => o.state), ['ROLLED_BACK']);
  });

  it('refusals: tokens, roles and tenants, ids, bodies, state', async () => {
    const { t } = rig;
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const { instanceId, image } = await activeImage(t);
    const base = imagesOf(T, instanceId);
    const img = `${base}/${image.id}`;
    for (const [method, path, body] of [
      ['POST', base, { vmId: 'vm-1' }],
      ['GET', img, undefined],
      ['DELETE', img, undefined],
    ] as const) {
      refused(await shim(t, path, { method, body, token: null }), 401, 31001, 'Authorization failed');
      refused(await shim(t, path, { method, body, token: t.tokens.tenantB }), 401, 31001, 'Authorization failed');
      refused(await shim(t, path.replace(T, T.toUpperCase()), { method, body, token }), 400, 31009, 'Tenant id is invalid');
      refused(await shim(t, path.replace(instanceId, 'not-an-instance'), { method, body, token }), 400, 31035, 'App instance is invalid');
      if (method !== 'GET') refused(await shim(t, path, { method, body, token: t.tokens.guestA }), 403, 31000, 'forbidden');
    }
    refused(await chunk(img, 0, t.tokens.tenantB), 401, 31001, 'Authorization failed');
    // Another tenant's instance and image are not found from its own path either (admins act for the path's tenant).
    refused(await shim(t, imagesOf(t.tenants.B, instanceId), { method: 'POST', token: t.tokens.tenantB, body: { vmId: 'vm-1' } }), 404, 31301, 'App info record does not exist in database');
    refused(await shim(t, `${imagesOf(t.tenants.B, instanceId)}/${image.id}`, { token: t.tokens.admin }), 404, 31301, 'Image record does not exist in database');
    const adminRead = await shim(t, img, { token: t.tokens.admin });
    assert.equal(adminRead.status, 200, adminRead.text);
    refused(await shim(t, imagesOf(T, randomUUID()), { method: 'POST', token, body: { vmId: 'vm-1' } }), 404, 31301, 'App info record does not exist in database');
    refused(await shim(t, `${base}/${image.id.toUpperCase()}`, { token }), 400, 31400, 'image id is invalid');
    refused(await shim(t, `${imagesOf(T, (await vmInstance(t)).id)}/${image.id}`, { token }), 404, 31301, 'Image record does not exist in database');
    // Bodies: the VM id is one token; nothing is recorded for a refused create.
    for (const body of [{}, { vmId: '' }, { vmId: 'vm 1; rm -rf /' }, { vmId: 'x'.repeat(129) }, { vmId: 'vm1', name: 'bad name!' }]) {
      refused(await shim(t, base, { method: 'POST', token, body }), 400, 31400);
    }
    refused(await shim(t, base, { method: 'POST', token, raw: '[1]' }), 400, 31024, 'failed to unmarshal request');
    assert.equal((await sql(t.db.url, 'select id from vm_image where instance_id = $1', [instanceId])).length, 1);
    // A chunk of an image still being made: refused, as its state says.
    const slow = await vmInstance(t, { simSnapshotMs: '3000' });
    const making = await startSnapshot(t, slow.id);
    refused(await chunk(`${imagesOf(T, slow.id)}/${making.imageId}`, 0, token), 409, 31400, /only an ACTIVE image can be downloaded/);
    refused(await shim(t, `${imagesOf(T, slow.id)}/${making.imageId}`, { method: 'DELETE', token }), 409, 31400, /still being created/);
    assert.equal((await settled(t, making.op.id, undefined, 60_000)).state, 'COMPLETED');
    // One envelope per refusal.
    const one = await shim(t, `${base}/${image.id.toUpperCase()}`, { token });
    assert.equal(one.text, JSON.stringify(e2(31400, 'image id is invalid')));
  });
});

describe('the lcmcontroller image routes past the wait bound', () => {
  let slow: ImageRig;
  before(async () => {
    slow = await startImageRig('shimimageswait', { APPLCM_SHIM_WAIT_S: '1' });
  });
  after(() => slow?.close());

  it('a snapshot still running after APPLCM_SHIM_WAIT_S is 500 31202 naming its operation; the same request again joins it and answers its image', async () => {
    const { t } = slow;
    const token = t.tokens.tenantA;
    const inst = await vmInstance(t, { simSnapshotMs: '2500' });
    const first = await shim(t, imagesOf(t.tenants.A, inst.id), { method: 'POST', token, body: { vmId: 'vm-1', name: 'slow' } });
    refused(first, 500, 31202, /^operation [0-9a-f-]{36} \(CREATE_IMAGE\) is still .* after 1 s; send the same request again to wait for it$/);
    let answer: ShimResponse | undefined;
    for (let i = 0; i < 30 && answer?.status !== 200; i++) answer = await shim(t, imagesOf(t.tenants.A, inst.id), { method: 'POST', token, body: { vmId: 'vm-1', name: 'slow' } });
    assert.equal(answer?.status, 200, answer?.text);
    const rows = await sql<{ id: string }>(t.db.url, 'select id from vm_image where instance_id = $1', [inst.id]);
    assert.deepEqual(rows.map((r) => r.id), [(answer.json as { imageId: string }).imageId], 'the re-sent requests joined the one snapshot');
  });
});
