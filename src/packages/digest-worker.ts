// The digest thread: SHA-256 and the stored entries' CRC-32 of packages as they stream in. See digest-thread.ts.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { ZipStreamScanner, type StreamCheckedEntry } from './zip-stream-scanner.js';

export type ToDigest =
  | { t: 'start'; id: number; ring: SharedArrayBuffer; slotBytes: number }
  /** Slot `slot` of the upload's ring holds its next `length` bytes. */
  | { t: 'slot'; id: number; slot: number; length: number }
  | { t: 'end'; id: number }
  | { t: 'drop'; id: number };

export type FromDigest = { t: 'took'; id: number; slot: number } | { t: 'result'; id: number; sha256: string; checked: Map<number, StreamCheckedEntry> };

const port = parentPort!;
const running = new Map<number, { hash: Hash; scanner: ZipStreamScanner; ring: Buffer; slotBytes: number }>();

port.on('message', (m: ToDigest) => {
  if (m.t === 'start') return void running.set(m.id, { hash: createHash('sha256'), scanner: new ZipStreamScanner(), ring: Buffer.from(m.ring), slotBytes: m.slotBytes });
  const r = running.get(m.id);
  if (!r) return;
  if (m.t === 'slot') {
    const chunk = r.ring.subarray(m.slot * r.slotBytes, m.slot * r.slotBytes + m.length);
    r.hash.update(chunk);
    r.scanner.push(chunk);
    port.postMessage({ t: 'took', id: m.id, slot: m.slot } satisfies FromDigest);
  } else {
    running.delete(m.id);
    if (m.t === 'end') port.postMessage({ t: 'result', id: m.id, sha256: r.hash.digest('hex'), checked: new Map(r.scanner.result) } satisfies FromDigest);
  }
});
