// The image relay thread against the simulator plugin: the bytes it hands over are the plugin's, it reads no further
// than the pieces released allow, and its failures are the plugin client's coded errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { UploadVmImageRequest } from '../../src/generated/proto/resourcemanager.js';
import { unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import { ImageRelay, RELAY_SLOTS, type RelayedBytes } from '../../src/plugins/image-relay/image-relay.js';
import { PluginClient } from '../../src/plugins/plugin-client.js';
import { DomainError, ErrorCode } from '../../src/errors.js';
import { DEADLINE_MS, cfgMessages, identity, pieces, startSim, uploadConfig, type Identity, type SimHarness } from '../helpers/sim-harness.js';

const MIB = 1024 * 1024;

async function activeImage(h: SimHarness, id: Identity, bytes: Buffer): Promise<string> {
  const created = await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) =>
    h.img.createVmImage({ ...id, image: { name: 'relay', containerFormat: 'bare', diskFormat: 'raw', minRam: 0, minDisk: 0, properties: {} } }, md, o, cb),
  );
  const { imageId } = JSON.parse(created.response) as { imageId: string };
  const messages: UploadVmImageRequest[] = [
    { data: { $case: 'accessToken', value: id.accessToken } },
    { data: { $case: 'hostIp', value: id.hostIp } },
    { data: { $case: 'tenantId', value: id.tenantId } },
    { data: { $case: 'imageId', value: imageId } },
    ...[...pieces(bytes, 512 * 1024)].map((c): UploadVmImageRequest => ({ data: { $case: 'content', value: c } })),
  ];
  const up = await upload<UploadVmImageRequest, { status: string }>(DEADLINE_MS, (md, o, cb) => h.img.uploadVmImage(md, o, cb), messages);
  assert.equal(up.status, 'Success');
  return imageId;
}

/** Whether `p` is still unsettled after `ms` (the relay must be holding back). */
const pendingAfter = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

describe('image relay thread', () => {
  let h: SimHarness;
  let client: PluginClient;
  let relay: ImageRelay;
  const id = identity();
  const bytes = randomBytes(9 * MIB + 12345);
  let imageId: string;

  before(async () => {
    h = await startSim();
    client = new PluginClient({ vim: 'k8s', address: h.sim.address });
    relay = new ImageRelay();
    await uploadConfig(h, cfgMessages(id, Buffer.from('clouds.yaml')));
    imageId = await activeImage(h, id, bytes);
  });
  after(async () => {
    await relay.close();
    client.close();
    await h.close();
  });

  it("hands over exactly the plugin's bytes, in order, in pieces of at most 1 MiB", async () => {
    const got: Buffer[] = [];
    for await (const piece of relay.download(client, id, imageId)) {
      assert.ok(piece.bytes.length > 0 && piece.bytes.length <= MIB, `piece of ${piece.bytes.length} bytes`);
      got.push(Buffer.from(piece.bytes)); // a copy: the slot is reused once released
      piece.release();
      piece.release(); // twice is harmless
    }
    assert.ok(Buffer.concat(got).equals(bytes));
  });

  it('reads no further than the released pieces allow, and goes on as they are released', async () => {
    const it = relay.download(client, id, imageId);
    const held: RelayedBytes[] = [];
    for (let i = 0; i < RELAY_SLOTS; i++) {
      const r = await it.next();
      assert.equal(r.done, false);
      held.push(r.value);
    }
    const fifth = it.next();
    assert.equal(await pendingAfter(fifth, 400), true, 'a piece arrived while every slot was held');
    // What the held slots hold is still the image's first bytes: nothing was written over them.
    assert.ok(Buffer.concat(held.map((p) => p.bytes)).equals(bytes.subarray(0, RELAY_SLOTS * MIB)));
    held[0]!.release();
    const r = await fifth;
    assert.equal(r.done, false);
    assert.ok((r.value).bytes.equals(bytes.subarray(RELAY_SLOTS * MIB, (RELAY_SLOTS + 1) * MIB)));
    await it.return(undefined);
  });

  it('ends quietly when the caller aborts, and serves the next download', async () => {
    const abort = new AbortController();
    let n = 0;
    for await (const piece of relay.download(client, id, imageId, { signal: abort.signal })) {
      piece.release();
      if (++n === 2) abort.abort();
    }
    assert.equal(n, 2);
    let total = 0;
    for await (const piece of relay.download(client, id, imageId)) {
      total += piece.bytes.length;
      piece.release();
    }
    assert.equal(total, bytes.length);
  });

  it("fails with the plugin client's coded error when the plugin refuses", async () => {
    const direct = await (async () => {
      try {
        for await (const _ of client.downloadVmImage(id, 'no-such-image')) void _;
      } catch (e) {
        return e as DomainError;
      }
      assert.fail('the plugin served an unknown image');
    })();
    await assert.rejects(
      (async () => {
        for await (const piece of relay.download(client, id, 'no-such-image')) piece.release();
      })(),
      (e: unknown) => e instanceof DomainError && e.code === direct.code && e.message === direct.message,
    );
  });

  it('a download in flight when the thread stops fails with PLUGIN_ERROR; the next one starts a new thread', async () => {
    const it = relay.download(client, id, imageId);
    const first = await it.next();
    assert.equal(first.done, false);
    await relay.close();
    await assert.rejects(
      (async () => {
        for (let r = await it.next(); !r.done; r = await it.next()) r.value.release();
      })(),
      (e: unknown) => e instanceof DomainError && e.code === ErrorCode.PLUGIN_ERROR && /relay stopped/.test(e.message),
    );
    let total = 0;
    for await (const piece of relay.download(client, id, imageId)) {
      total += piece.bytes.length;
      piece.release();
    }
    assert.equal(total, bytes.length);
  });
});
