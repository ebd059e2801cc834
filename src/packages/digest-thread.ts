// Why a thread: hashing a package (SHA-256) and CRC-checking its stored entries as it streams in cost ~0.8 s of CPU
// per GiB; on the thread that also reads the socket, writes the file and serves the API, that was a third of an
// upload's time (bench/upload). The digest thread does both while the upload goes on; the request's thread only copies
// each chunk into a ring shared with it, which allocates nothing per chunk.
import { Worker } from 'node:worker_threads';
import { DomainError, ErrorCode } from '../errors.js';
import type { FromDigest, ToDigest } from './digest-worker.js';
import type { StreamChecked } from './zip-stream-scanner.js';

/** Bytes an upload may have waiting for the digest thread: beyond that the upload waits (the socket then holds). */
const SLOTS = 16;
const SLOT_BYTES = 1024 * 1024;

export interface Digest {
  sha256: string;
  streamChecked: StreamChecked;
}

/** One upload's digest: feed it every byte in order, then finish (or drop it on failure). */
export interface StreamDigest {
  /** Takes a copy of `chunk`; resolves at once unless the ring is full, then when the thread has caught up. */
  update(chunk: Buffer): Promise<void>;
  finish(): Promise<Digest>;
  drop(): void;
}

interface Upload {
  free: number[];
  waiting: Array<() => void>;
  result?: (r: Extract<FromDigest, { t: 'result' }>) => void;
  failed?: DomainError;
  fail?: (e: DomainError) => void;
}

export class DigestThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly uploads = new Map<number, Upload>();

  open(): StreamDigest {
    const worker = this.thread();
    const id = this.nextId++;
    const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    const bytes = Buffer.from(ring);
    const u: Upload = { free: Array.from({ length: SLOTS }, (_, i) => i), waiting: [] };
    this.uploads.set(id, u);
    worker.ref(); // an upload in flight keeps the process alive, as its socket would
    const send = (m: ToDigest) => this.worker === worker && worker.postMessage(m);
    const done = () => {
      this.uploads.delete(id);
      if (this.uploads.size === 0) worker.unref();
    };
    send({ t: 'start', id, ring, slotBytes: SLOT_BYTES });
    let slot: number | undefined;
    let filled = 0;
    const flush = () => {
      if (slot === undefined || filled === 0) return;
      send({ t: 'slot', id, slot, length: filled });
      slot = undefined;
      filled = 0;
    };
    const nextSlot = async (): Promise<number> => {
      while (u.free.length === 0 && !u.failed) await new Promise<void>((resolve) => u.waiting.push(resolve));
      if (u.failed) throw u.failed;
      return u.free.shift()!;
    };
    return {
      update: async (chunk) => {
        for (let at = 0; at < chunk.length; ) {
          if (slot === undefined) slot = await nextSlot();
          const n = Math.min(SLOT_BYTES - filled, chunk.length - at);
          chunk.copy(bytes, slot * SLOT_BYTES + filled, at, at + n);
          filled += n;
          at += n;
          if (filled === SLOT_BYTES) flush();
        }
      },
      finish: async () => {
        try {
          if (u.failed) throw u.failed;
          flush();
          const r = await new Promise<Extract<FromDigest, { t: 'result' }>>((resolve, reject) => {
            u.result = resolve;
            u.fail = reject;
            send({ t: 'end', id });
          });
          return { sha256: r.sha256, streamChecked: r.checked };
        } finally {
          done();
        }
      },
      drop: () => {
        send({ t: 'drop', id });
        done();
      },
    };
  }

  /** Stops the thread; uploads in flight fail. */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.stopped(w, 'closed');
    await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./digest-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (m: FromDigest) => {
      const u = this.uploads.get(m.id);
      if (!u) return;
      if (m.t === 'took') {
        u.free.push(m.slot);
        u.waiting.shift()?.();
      } else {
        u.result?.(m);
      }
    });
    worker.on('error', (e) => this.stopped(worker, e.message));
    worker.on('exit', (code) => this.stopped(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** The thread is gone: every upload it was digesting fails (the next one starts a new thread). */
  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const u of this.uploads.values()) {
      u.failed = new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `the package digest thread stopped (${why})`);
      u.fail?.(u.failed);
      for (const w of u.waiting.splice(0)) w();
    }
  }
}

/** The process's digest thread: one serves every upload. */
export const digestThread = new DigestThread();
