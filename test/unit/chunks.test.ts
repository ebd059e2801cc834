import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rechunk } from '../../src/plugins/chunks.js';

function* pieces(sizes: number[]): Generator<Uint8Array> {
  let n = 0;
  for (const s of sizes) {
    yield Uint8Array.from({ length: s }, () => n++ % 251);
  }
}

const collect = async (it: AsyncIterable<Uint8Array>) => {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
};

describe('rechunk', () => {
  it('cuts any source into chunks of exactly the size, the last one shorter, bytes in order', async () => {
    const sizes = [1, 5, 9, 16, 3, 40, 0, 7];
    const total = sizes.reduce((a, b) => a + b, 0);
    const chunks = await collect(rechunk(pieces(sizes), 8));
    assert.deepEqual(chunks.map((c) => c.length), [...Array(Math.floor(total / 8)).fill(8), total % 8].filter((n) => n > 0));
    const joined = Buffer.concat(chunks);
    assert.deepEqual([...joined], Array.from({ length: total }, (_, i) => i % 251));
  });

  it('passes through slices of large buffers without copying them', async () => {
    const big = new Uint8Array(20);
    const chunks = await collect(rechunk([big], 8));
    assert.deepEqual(chunks.map((c) => c.length), [8, 8, 4]);
    assert.equal(chunks[0]!.buffer, big.buffer, 'a whole chunk inside one source buffer is a view, not a copy');
  });

  it('yields nothing for an empty source', async () => {
    assert.deepEqual(await collect(rechunk(pieces([]), 8)), []);
    assert.deepEqual(await collect(rechunk(pieces([0, 0]), 8)), []);
  });
});
