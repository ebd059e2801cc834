import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { activeImage, bearer, fileUrl, sha256, startImageRig, type ImageRig } from '../helpers/image-fixture.js';
import { eventually } from '../helpers/package-client.js';
import type { TestServer } from '../helpers/test-server.js';

let rig: ImageRig;
let t: TestServer;

before(async () => {
  rig = await startImageRig('vmimagedl');
  t = rig.t;
});
after(async () => {
  await rig.close();
});

const MIB = 1024 * 1024;

/** A GET whose body the test reads at its own pace: the response, and a way to read or drop the rest. */
function openDownload(url: string, token: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: bearer(token) }, resolve);
    req.on('error', reject);
  });
}

/** Reads the rest of a response; rejects when the connection breaks before the response completed. */
function drain(res: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => resolve(Buffer.concat(parts)));
    res.on('aborted', () => reject(new Error(`aborted after ${Buffer.concat(parts).length} bytes`)));
    res.on('error', reject);
  });
}

describe('image downloads', () => {
  it('refuses bad ranges with their codes', async () => {
    const { image } = await activeImage(t);
    const size = image.sizeBytes!;
    const ask = (range: string) => fetch(fileUrl(t, image.id), { headers: { ...bearer(t.tokens.tenantA), range } });
    const beyond = await ask(`bytes=${size}-`);
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${size}`);
    assert.equal(((await beyond.json()) as { error: { code: string } }).error.code, 'BAD_USER_INPUT');
    for (const range of ['bytes=abc', 'bytes=5-2', 'bytes=0-1,5-9', 'items=0-5']) {
      const r = await ask(range);
      const body = (await r.json()) as { error: { code: string; field: string } };
      assert.ok(r.status === 400 || r.status === 416, `${range}: ${r.status}`);
      assert.equal(body.error.code, 'BAD_USER_INPUT', range);
    }
    // Overlapping ranges that combine into one are one range.
    const combined = await ask('bytes=0-9,5-19');
    assert.equal(combined.status, 206);
    assert.equal(combined.headers.get('content-range'), `bytes 0-19/${size}`);
    assert.equal(Buffer.from(await combined.arrayBuffer()).length, 20);
  });

  it('a slow client does not make the controller buffer the image: the plugin is held back, then everything arrives intact', async (ctx) => {
    const size = 96 * MIB;
    const { image } = await activeImage(t, { simDiskBytes: String(size) });
    const before = rig.proxy.responseBytes;
    const res = await openDownload(fileUrl(t, image.id), t.tokens.tenantA);
    assert.equal(res.statusCode, 200);
    const parts: Buffer[] = [];
    const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
    parts.push(first);
    res.pause();
    // Let every buffer between the plugin and the paused client fill up, until the plugin stops sending.
    let last = -1;
    await eventually(
      async () => {
        await new Promise((r) => setTimeout(r, 500));
        const now = rig.proxy.responseBytes;
        const still = now === last;
        last = now;
        return still ? true : undefined;
      },
      20_000,
      'the plugin to stop sending to a paused client',
    );
    const sentWhilePaused = rig.proxy.responseBytes - before;
    ctx.diagnostic(`the plugin sent ${(sentWhilePaused / MIB).toFixed(1)} MiB of ${size / MIB} MiB to a paused client`);
    assert.ok(sentWhilePaused < 40 * MIB, `the plugin sent ${(sentWhilePaused / MIB).toFixed(1)} MiB of ${size / MIB} MiB while the client read nothing`);
    const rest = drain(res);
    res.resume();
    const bytes = Buffer.concat([...parts, await rest]);
    assert.equal(bytes.length, size);
    assert.equal(sha256(bytes), image.checksum);
    await eventually(() => Promise.resolve(rig.sim.openResources.calls === 0 ? true : undefined), 10_000, 'the plugin stream to close');
  });

  it('a client that goes away cancels the plugin stream', async () => {
    const { image } = await activeImage(t, { simDiskBytes: String(48 * MIB) });
    const res = await openDownload(fileUrl(t, image.id), t.tokens.tenantA);
    await new Promise((resolve) => res.once('data', resolve));
    res.destroy();
    await eventually(() => Promise.resolve(rig.sim.openResources.calls === 0 ? true : undefined), 10_000, 'the plugin stream to be cancelled');
  });

  it('the plugin dropping the stream mid-download aborts the response (never a short 200)', async () => {
    const { image } = await activeImage(t, { simDiskBytes: String(8 * MIB) });
    rig.sim.injectFault({ rpc: 'downloadVmImage', kind: 'drop', afterMessages: 3, times: 1 });
    const res = await openDownload(fileUrl(t, image.id), t.tokens.tenantA);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(8 * MIB));
    await assert.rejects(drain(res), /aborted after \d+ bytes/);
    // fetch sees the same: the body fails instead of ending.
    rig.sim.injectFault({ rpc: 'downloadVmImage', kind: 'drop', afterMessages: 2, times: 1 });
    const viaFetch = await fetch(fileUrl(t, image.id), { headers: bearer(t.tokens.tenantA) });
    await assert.rejects(viaFetch.arrayBuffer());
    // The next download is whole again.
    const ok = Buffer.from(await (await fetch(fileUrl(t, image.id), { headers: bearer(t.tokens.tenantA) })).arrayBuffer());
    assert.equal(sha256(ok), image.checksum);
  });

  it("the plugin's connection dying mid-download aborts the response; a refusal before the first byte is a coded error", async () => {
    const { image } = await activeImage(t, { simDiskBytes: String(64 * MIB) });
    const res = await openDownload(fileUrl(t, image.id), t.tokens.tenantA);
    const got = drain(res);
    await eventually(async () => (rig.proxy.responseBytes > 0 && (await new Promise((r) => setTimeout(() => r(true), 50))) ? true : undefined), 5000, 'bytes to flow');
    rig.proxy.resetAll();
    await assert.rejects(got, /aborted after \d+ bytes/);

    // Before any byte: the plugin's refusal answers with its code (here: it fails the stream at once).
    rig.sim.injectFault({ rpc: 'downloadVmImage', kind: 'fail', code: 5, message: 'image vanished', times: 1 });
    const refused = await eventually(
      async () => {
        const r = await fetch(fileUrl(t, image.id), { headers: bearer(t.tokens.tenantA) });
        if (r.status === 503) return undefined; // the channel is still reconnecting after the reset
        return r;
      },
      20_000,
      'the plugin to be reachable again',
    );
    assert.equal(refused.status, 404);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
