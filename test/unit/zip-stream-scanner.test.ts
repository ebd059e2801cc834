import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { receiveToFile } from '../../src/packages/receive-to-file.js';
import { ZipArchive } from '../../src/packages/zip-archive.js';
import { ZipStreamScanner } from '../../src/packages/zip-stream-scanner.js';
import { buildZip, noise } from '../helpers/hostile-archives.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-scanner-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Feeds `buf` to a scanner in pieces of `step` bytes (1 exercises every header split). */
function scan(buf: Buffer, step: number) {
  const s = new ZipStreamScanner();
  for (let i = 0; i < buf.length; i += step) s.push(buf.subarray(i, i + step));
  return s.result;
}

const image = noise(200 * 1024);
const good = buildZip([
  { name: 'a.txt', data: Buffer.from('hello') },
  { name: 'deflated.bin', data: noise(5000), method: 8 },
  { name: 'empty', data: Buffer.alloc(0) },
  { name: 'Image/disk.img', data: image },
]);

describe('ZipStreamScanner', () => {
  it('vouches for stored entries whose data matches their CRC-32, whatever the chunking', () => {
    for (const step of [1, 7, 4096, good.length]) {
      const r = scan(good, step);
      assert.deepEqual([...r.values()].map((e) => e.size).sort((a, b) => a - b), [0, 5, image.length], `step ${step}`);
      const img = [...r.values()].find((e) => e.size === image.length)!;
      assert.equal(img.crc32, zlib.crc32(image));
      assert.ok(good.subarray(img.dataStart, img.dataStart + img.size).equals(image), 'dataStart points at the data');
    }
  });

  it('does not vouch for a stored entry whose bytes were altered', () => {
    const flipped = Buffer.from(good);
    const img = [...scan(good, good.length).entries()].find(([, e]) => e.size === image.length)!;
    flipped[img[1].dataStart + 1000]! ^= 0x01;
    assert.ok(![...scan(flipped, 4096).values()].some((e) => e.size === image.length));
  });

  it('stops at what it does not follow: a data descriptor, encryption, junk before the first header', () => {
    const described = buildZip([{ name: 'x', data: Buffer.from('x'), flags: 0x08 }, { name: 'y', data: Buffer.from('y') }]);
    assert.equal(scan(described, 3).size, 0, 'nothing after a data descriptor either');
    const encrypted = buildZip([{ name: 'x', data: Buffer.from('x'), flags: 0x01 }]);
    assert.equal(scan(encrypted, 3).size, 0);
    const prefixed = Buffer.concat([Buffer.from('MZjunk'), good]);
    assert.equal(scan(prefixed, 100).size, 0);
  });
});

describe('validation with what was checked while streaming', () => {
  const receive = async (buf: Buffer, name: string) => {
    const file = path.join(dir, name);
    const received = await receiveToFile(Readable.from([buf]), file, 1 << 30);
    return { file, received };
  };

  it('skips re-reading vouched entries and still accepts the archive', async () => {
    const { file, received } = await receive(good, 'good.zip');
    assert.equal(received.streamChecked.size, 3);
    const zip = await ZipArchive.open(file, DEFAULT_ARCHIVE_LIMITS, 0);
    try {
      await zip.verifyAll(received.streamChecked);
    } finally {
      await zip.whenClosed();
    }
  });

  it('a bit flip in stored data is still refused (the scanner vouched for nothing)', async () => {
    const flipped = Buffer.from(good);
    const img = [...scan(good, good.length).values()].find((e) => e.size === image.length)!;
    flipped[img.dataStart + 10]! ^= 0x80;
    const { file, received } = await receive(flipped, 'flipped.zip');
    const zip = await ZipArchive.open(file, DEFAULT_ARCHIVE_LIMITS, 0);
    try {
      await assert.rejects(zip.verifyAll(received.streamChecked), /Image\/disk\.img: CRC-32 mismatch/);
    } finally {
      await zip.whenClosed();
    }
  });

  it('a vouched entry the central directory describes differently is read and checked in full', async () => {
    // The central directory claims another CRC than the local header: the scanner vouched for the local one only.
    const lying = buildZip([{ name: 'Image/disk.img', data: image }]);
    const cdCrcAt = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 16;
    lying.writeUInt32LE((zlib.crc32(image) ^ 1) >>> 0, cdCrcAt);
    const { file, received } = await receive(lying, 'lying.zip');
    assert.equal(received.streamChecked.size, 1);
    const zip = await ZipArchive.open(file, DEFAULT_ARCHIVE_LIMITS, 0);
    try {
      await assert.rejects(zip.verifyAll(received.streamChecked), /CRC-32 mismatch/);
    } finally {
      await zip.whenClosed();
    }
  });
});
