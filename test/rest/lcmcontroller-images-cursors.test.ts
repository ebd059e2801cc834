// Unit tests of the chunk_num download's cursors: a plugin stream read forward across chunk boundaries that cut its
// messages, skipping, a short stream, and the park's rules (same position only, one per key, idle and size limits).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Response } from 'express';
import { ImageCursor, ImageCursorPark } from '../../src/rest/lcmcontroller/image-cursors.js';

/** A plugin stream of `total` bytes (byte i = i mod 251) in messages of `message` bytes; `closed` tells if it was closed. */
function stream(total: number, message: number): { chunks: AsyncGenerator<Uint8Array>; closed: () => boolean; read: () => number } {
  let closed = false;
  let read = 0;
  const chunks = (async function* () {
    try {
      for (let at = 0; at < total; at += message) {
        const n = Math.min(message, total - at);
        await Promise.resolve(); // messages arrive asynchronously, as from gRPC
        read += n;
        yield Uint8Array.from({ length: n }, (_, i) => (at + i) % 251);
      }
    } finally {
      closed = true;
    }
  })();
  return { chunks, closed: () => closed, read: () => read };
}

const expected = (from: number, length: number): Buffer => Buffer.from(Uint8Array.from({ length }, (_, i) => (from + i) % 251));

/** A response that keeps what is written (and says "full" every time, so every write waits for drain). */
function sink(): { res: Response; bytes: () => Buffer } {
  const out = new PassThrough({ highWaterMark: 1 });
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  return { res: out as unknown as Response, bytes: () => Buffer.concat(parts) };
}

describe('ImageCursor', () => {
  it('hands out chunks that cut the plugin’s messages, each exactly its bytes, reading the stream once', async () => {
    const s = stream(10_000, 3_000);
    const c = new ImageCursor(s.chunks);
    const signal = new AbortController().signal;
    for (const [from, length] of [
      [0, 4_096],
      [4_096, 4_096],
      [8_192, 1_808],
    ] as const) {
      const out = sink();
      assert.equal(await c.copy(out.res, length, signal), length);
      assert.ok(out.bytes().equals(expected(from, length)), `bytes ${from}+${length}`);
      assert.equal(c.position, from + length);
    }
    assert.equal(s.read(), 10_000);
    await c.close();
    assert.ok(s.closed());
  });

  it('skips forward to a chunk, and answers fewer bytes than asked when the stream ends early', async () => {
    const s = stream(5_000, 1_024);
    const c = new ImageCursor(s.chunks);
    await c.skipTo(4_500);
    const out = sink();
    assert.equal(await c.copy(out.res, 4_096, new AbortController().signal), 500);
    assert.ok(out.bytes().equals(expected(4_500, 500)));
    await c.close();
  });

  it('fails on prime when the plugin refuses, before anything is written', async () => {
    const failing = (async function* (): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      yield* [];
      throw new Error('image not active');
    })();
    await assert.rejects(new ImageCursor(failing).prime(), /image not active/);
  });
});

describe('ImageCursorPark', () => {
  it('gives back a cursor only at the position it stopped at; any other ask closes it', async () => {
    const park = new ImageCursorPark(60_000, 4);
    const s = stream(4_096, 1_024);
    const c = new ImageCursor(s.chunks);
    await c.skipTo(1_024);
    park.park('u/img', c);
    assert.equal(park.take('u/img', 1_024), c);
    assert.equal(park.size, 0);
    park.park('u/img', c);
    assert.equal(park.take('u/img', 0), undefined);
    await sleep(10);
    assert.ok(s.closed(), 'a cursor asked for elsewhere is closed');
    assert.equal(park.take('u/img', 1_024), undefined, 'and gone');
  });

  it('keeps at most `max` (the oldest closed first) and closes one idle too long', async () => {
    const park = new ImageCursorPark(50, 2);
    const streams = [0, 1, 2].map(() => stream(1_000, 100));
    for (const [i, s] of streams.entries()) {
      const c = new ImageCursor(s.chunks);
      await c.prime(); // a parked cursor has read from its stream
      park.park(`k${i}`, c);
    }
    assert.equal(park.size, 2);
    await sleep(10);
    assert.ok(streams[0]!.closed(), 'the oldest made room');
    await sleep(120);
    assert.equal(park.size, 0);
    assert.ok(streams[1]!.closed() && streams[2]!.closed(), 'idle cursors are closed');
  });
});
