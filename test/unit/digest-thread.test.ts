// The digest thread: what it answers for an upload is what hashing and scanning on the request's thread answer,
// whatever the chunking and with several uploads interleaved; a full ring holds the upload back; a stopped thread
// fails the upload, and receiveToFile then leaves no file behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { DomainError, ErrorCode } from '../../src/errors.js';
import { DigestThread, digestThread } from '../../src/packages/digest-thread.js';
import { receiveToFile } from '../../src/packages/receive-to-file.js';
import { ZipStreamScanner } from '../../src/packages/zip-stream-scanner.js';
import { buildZip, noise } from '../helpers/hostile-archives.js';

const MIB = 1024 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-digest-'));
const thread = new DigestThread();
after(async () => {
  await thread.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const zip = buildZip([
  { name: 'a.txt', data: Buffer.from('hello') },
  { name: 'deflated.bin', data: noise(5000), method: 8 },
  { name: 'Image/disk.img', data: noise(3 * MIB + 17) },
]);

function inline(buf: Buffer) {
  const s = new ZipStreamScanner();
  s.push(buf);
  return { sha256: createHash('sha256').update(buf).digest('hex'), streamChecked: s.result };
}

describe('digest thread', () => {
  it('answers what hashing and scanning inline answer, for any chunking, with uploads interleaved', async () => {
    const steps = [1000, 64 * 1024, 1024 * 1024 + 3, zip.length];
    const digests = steps.map(() => thread.open());
    const longest = Math.max(...steps.map((s) => Math.ceil(zip.length / s)));
    for (let k = 0; k < longest; k++) {
      for (let d = 0; d < steps.length; d++) {
        const at = k * steps[d]!;
        if (at < zip.length) await digests[d]!.update(zip.subarray(at, at + steps[d]!));
      }
    }
    const want = inline(zip);
    for (const d of digests) {
      const got = await d.finish();
      assert.equal(got.sha256, want.sha256);
      assert.deepEqual([...got.streamChecked], [...want.streamChecked]);
    }
  });

  it('an update larger than the ring waits for the thread to free slots, and every byte is digested', async () => {
    const d = thread.open();
    // 40 MiB in one call is more than the ring's 16 MiB: it can only finish by waiting for slots the thread freed.
    const big = noise(40 * MIB);
    await d.update(big);
    const got = await d.finish();
    assert.equal(got.sha256, createHash('sha256').update(big).digest('hex'));
  });

  it('fails an upload in flight when the thread stops; receiveToFile then removes the file', async () => {
    const d = thread.open();
    await d.update(zip.subarray(0, 1000));
    await thread.close();
    await assert.rejects(d.finish(), (e: unknown) => e instanceof DomainError && e.code === ErrorCode.INTERNAL_SERVER_ERROR);

    const dest = path.join(dir, 'cut.zip');
    const source = new Readable({ read() {} });
    source.push(zip.subarray(0, MIB));
    const received = receiveToFile(source, dest, 100 * MIB);
    setTimeout(() => void digestThread.close(), 50);
    setTimeout(() => source.push(zip.subarray(MIB)), 100);
    setTimeout(() => source.push(null), 150);
    await assert.rejects(received, (e: unknown) => e instanceof DomainError && e.code === ErrorCode.INTERNAL_SERVER_ERROR);
    assert.equal(fs.existsSync(dest), false, 'the half-received file was left behind');
    // The next upload starts a new thread.
    const again = await receiveToFile(Readable.from([zip]), path.join(dir, 'again.zip'), 100 * MIB);
    assert.equal(again.sha256, inline(zip).sha256);
  });
});
