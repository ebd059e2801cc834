import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { DownloadVmImageResponse } from '../../src/generated/proto/resourcemanager.js';
import { deletePackage, terminate, type CheckContext } from '../../src/plugins/conformance/check-context.js';
import { unary } from '../../src/plugins/conformance/grpc-calls.js';
import { DOWNLOAD_CHUNK_BYTES } from '../../src/plugins/plugin-kit/image-calls.js';
import { distributed, eventually, instanceStatusOf, instantiateWith, startVmHarness, VM_IMAGE_URL, type VmHarness } from './vm-harness.js';

// The image path: snapshot a running server, follow it queued → saving → active, download it in chunks, delete it.
// Also against a real Glance (glance-api, no Keystone) when APPLCM_TEST_GLANCE_URL is set: the rc file's GLANCE_URL
// points the plugin there, Keystone and Nova stay the fake's.

const REAL_GLANCE = process.env['APPLCM_TEST_GLANCE_URL'];

async function download(h: VmHarness, ctx: CheckContext, imageId: string): Promise<{ bytes: Buffer; chunks: number[] }> {
  const call: ClientReadableStream<DownloadVmImageResponse> = h.images.downloadVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, imageId }, { deadline: Date.now() + 60_000 });
  const parts: Buffer[] = [];
  for await (const m of call as AsyncIterable<DownloadVmImageResponse>) parts.push(Buffer.from(m.content));
  return { bytes: Buffer.concat(parts), chunks: parts.map((p) => p.length) };
}

const queryImage = async (h: VmHarness, ctx: CheckContext, imageId: string) =>
  JSON.parse((await unary<{ response: string }>(30_000, (md, o, cb) => h.images.queryVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, imageId }, md, o, cb))).response) as {
    retCode: number;
    data: { imageId: string; status: string; size: number; checksum: string };
  };

describe('VM plugin images (fake Glance)', () => {
  let h: VmHarness;
  before(async () => {
    // A snapshot stays saving for a second, so the test sees it saving however busy the machine is.
    h = await startVmHarness({ cloud: { transitionMs: 1000 } });
  });
  after(() => h.stop());

  it('snapshots a server of an instance, downloads it in chunks of at most 1 MiB, deletes it (idempotent)', async () => {
    const ctx = h.ctx;
    const pkg = await distributed(ctx);
    const id = randomUUID();
    assert.equal((await instantiateWith(ctx, id, pkg, {})).status, 'Success');
    const vmId = (await instanceStatusOf(ctx, id)).workloads[0]!.name;
    const created = JSON.parse(
      (
        await unary<{ response: string }>(30_000, (md, o, cb) =>
          h.images.createVmImage(
            { accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, image: { name: 'snap-1', containerFormat: 'bare', diskFormat: 'qcow2', minRam: 0, minDisk: 0, properties: { vmId, appInstanceId: id, applcmImageId: 'img-1' } } },
            md,
            o,
            cb,
          ),
        )
      ).response,
    ) as { data: { imageId: string } };
    const imageId = created.data.imageId;
    assert.equal(h.cloud.state.images.get(imageId)?.properties['instance_uuid'], vmId, 'a Nova snapshot of that server');
    // Asked again with the same applcmImageId (a lost answer): the same image, not a second one.
    const again = await unary<{ response: string }>(30_000, (md, o, cb) =>
      h.images.createVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, image: { name: 'snap-1', containerFormat: 'bare', diskFormat: 'qcow2', minRam: 0, minDisk: 0, properties: { vmId, appInstanceId: id, applcmImageId: 'img-1' } } }, md, o, cb),
    );
    assert.equal((JSON.parse(again.response) as { data: { imageId: string } }).data.imageId, imageId);
    assert.equal((await queryImage(h, ctx, imageId)).data.status, 'saving');
    await eventually(async () => (await queryImage(h, ctx, imageId)).data.status === 'active', 'the snapshot to become active');
    const q = await queryImage(h, ctx, imageId);
    const { bytes, chunks } = await download(h, ctx, imageId);
    assert.equal(bytes.length, q.data.size);
    assert.equal(createHash('md5').update(bytes).digest('hex'), q.data.checksum);
    assert.ok(chunks.length > 1 && chunks.every((c) => c <= DOWNLOAD_CHUNK_BYTES) && chunks.slice(0, -1).every((c) => c === DOWNLOAD_CHUNK_BYTES), `chunks ${chunks.join(',')}`);
    for (let i = 0; i < 2; i++) {
      const del = await unary<{ status: string }>(30_000, (md, o, cb) => h.images.deleteVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, imageId }, md, o, cb));
      assert.equal((JSON.parse(del.status) as { retCode: number }).retCode, 200);
    }
    assert.equal(h.cloud.state.images.has(imageId), false);
    await assert.rejects(queryImage(h, ctx, imageId), /NOT_FOUND|no image/);
    // A snapshot of a server that is not the instance's is refused.
    await assert.rejects(
      unary(30_000, (md, o, cb) =>
        h.images.createVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, image: { name: 'x', containerFormat: 'bare', diskFormat: 'qcow2', minRam: 0, minDisk: 0, properties: { vmId: randomUUID(), appInstanceId: id } } }, md, o, cb),
      ),
      /NOT_FOUND/,
    );
    assert.equal((await terminate(ctx, id)).status, 'Success');
  });
});

for (const glanceUrl of REAL_GLANCE ? [REAL_GLANCE] : []) {
  describe(`VM plugin images (real Glance at ${glanceUrl})`, () => {
    let h: VmHarness;
    before(async () => {
      h = await startVmHarness();
    });
    after(() => h.stop());

    it('uploads the package image into Glance, downloads it in chunks, and removes it with the package', async () => {
      const ctx: CheckContext = { ...h.newTenant(), configFile: Buffer.from(h.cloud.rcFile({ GLANCE_URL: glanceUrl })) };
      const pkg = await distributed(ctx);
      const list = JSON.parse((await unary<{ response: string }>(30_000, (md, o, cb) => h.images.queryVmImage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, imageId: '' }, md, o, cb))).response) as {
        data: { imageId: string; imageName: string; status: string }[];
      };
      const mine = list.data.filter((i) => i.imageName === 'ubuntu-18.04' && i.status === 'active');
      assert.ok(mine.length >= 1);
      const { bytes } = await download(h, ctx, mine[mine.length - 1]!.imageId);
      assert.deepEqual(bytes, h.proxy.bytesFor(VM_IMAGE_URL));
      assert.equal((await deletePackage(ctx, pkg)).status, 'Success');
    });
  });
}
