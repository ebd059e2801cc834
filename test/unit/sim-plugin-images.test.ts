import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { DownloadVmImageResponse, UploadVmImageRequest } from '../../src/generated/proto/resourcemanager.js';
import { StreamReader, deadlineIn, unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import { DEADLINE_MS, cfgMessages, identity, pieces, rejectsWith, startSim, uploadConfig, type Identity, type SimHarness } from '../helpers/sim-harness.js';

const imageMessages = (id: Identity, imageId: string, bytes: Buffer): UploadVmImageRequest[] => [
  { data: { $case: 'accessToken', value: id.accessToken } },
  { data: { $case: 'hostIp', value: id.hostIp } },
  { data: { $case: 'tenantId', value: id.tenantId } },
  { data: { $case: 'imageId', value: imageId } },
  ...[...pieces(bytes, 512 * 1024)].map((c): UploadVmImageRequest => ({ data: { $case: 'content', value: c } })),
];

async function download(h: SimHarness, id: Identity, imageId: string): Promise<Buffer[]> {
  const r = new StreamReader<DownloadVmImageResponse>(h.img.downloadVmImage({ ...id, imageId }, { deadline: deadlineIn(DEADLINE_MS) }));
  const got: Buffer[] = [];
  for (;;) {
    try {
      got.push(Buffer.from((await r.next(DEADLINE_MS, 'download')).content));
    } catch {
      const end = await r.status(1000, 'download end');
      if (end.code !== status.OK) throw Object.assign(new Error(end.details), { code: end.code, details: end.details });
      return got;
    }
  }
}

describe('SimPlugin VM images', () => {
  let h: SimHarness;
  before(async () => {
    h = await startSim();
  });
  after(() => h.close());

  it('create, upload, query, download in chunks of at most 1 MiB, delete (idempotent)', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('clouds.yaml')));
    const created = await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) =>
      h.img.createVmImage({ ...id, image: { name: 'ubuntu', containerFormat: 'bare', diskFormat: 'qcow2', minRam: 512, minDisk: 4, properties: {} } }, md, o, cb),
    );
    const { imageId } = JSON.parse(created.response) as { imageId: string };
    const queued = JSON.parse((await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.img.queryVmImage({ ...id, imageId }, md, o, cb))).response) as Record<string, unknown>;
    assert.deepEqual([queued['name'], queued['status'], queued['size']], ['ubuntu', 'queued', 0]);
    await rejectsWith(download(h, id, imageId), status.FAILED_PRECONDITION);

    const bytes = randomBytes(2.5 * 1024 * 1024);
    const up = await upload<UploadVmImageRequest, { status: string }>(DEADLINE_MS, (md, o, cb) => h.img.uploadVmImage(md, o, cb), imageMessages(id, imageId, bytes));
    assert.equal(up.status, 'Success');
    const active = JSON.parse((await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.img.queryVmImage({ ...id, imageId }, md, o, cb))).response) as Record<string, unknown>;
    assert.deepEqual([active['status'], active['size'], active['checksum']], ['active', bytes.length, createHash('sha256').update(bytes).digest('hex')]);

    const chunks = await download(h, id, imageId);
    assert.ok(chunks.every((c) => c.length <= 1024 * 1024), `chunk sizes ${chunks.map((c) => c.length).join(',')}`);
    assert.ok(chunks.length >= 3);
    assert.ok(Buffer.concat(chunks).equals(bytes));

    for (let i = 0; i < 2; i++) {
      const del = await unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.img.deleteVmImage({ ...id, imageId }, md, o, cb));
      assert.equal(del.status, 'Success');
    }
    await rejectsWith(unary(DEADLINE_MS, (md, o, cb) => h.img.queryVmImage({ ...id, imageId }, md, o, cb)), status.NOT_FOUND);
    assert.equal(h.sim.callCount('deleteVmImage'), 2);
  });

  it('upload to an unknown image is NOT_FOUND; importVmImage is UNIMPLEMENTED', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('clouds.yaml')));
    await rejectsWith(
      upload(DEADLINE_MS, (md, o, cb) => h.img.uploadVmImage(md, o, cb), imageMessages(id, randomUUID(), Buffer.from('x'))),
      status.NOT_FOUND,
    );
    await rejectsWith(unary(DEADLINE_MS, (md, o, cb) => h.img.importVmImage({ ...id, imageId: randomUUID(), resourceUri: 'http://x' }, md, o, cb)), status.UNIMPLEMENTED);
  });

  it('a download dropped after N chunks ends with an error, not success', async () => {
    const id = identity();
    await uploadConfig(h, cfgMessages(id, Buffer.from('clouds.yaml')));
    const { imageId } = JSON.parse(
      (await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => h.img.createVmImage({ ...id, image: { name: 'i', containerFormat: 'bare', diskFormat: 'raw', minRam: 0, minDisk: 0, properties: {} } }, md, o, cb)))
        .response,
    ) as { imageId: string };
    await upload(DEADLINE_MS, (md, o, cb) => h.img.uploadVmImage(md, o, cb), imageMessages(id, imageId, randomBytes(3 * 1024 * 1024)));
    h.sim.injectFault({ rpc: 'downloadVmImage', kind: 'drop', afterMessages: 1, times: 1 });
    await rejectsWith(download(h, id, imageId), status.INTERNAL);
  });
});
