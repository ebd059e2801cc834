// Why a thread: hashing a package (SHA-256) and CRC-checking its stored entries as it streams in cost ~0.8 s of CPU
// per GiB; on the thread that also reads the socket, writes the file and serves the API, that was a third of an
// upload's time (bench/upload). The digest thread does both while the upload goes on; the request's thread only copies
// each chunk into a ring shared with it, which allocates nothing per chunk.
import { DomainError, ErrorCode } from '../errors.js';
import { JobThread } from '../workers/job-thread.js';
import { RingSlots } from '../workers/ring-slots.js';
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

export class DigestThread {
  private readonly thread = new JobThread<ToDigest, FromDigest>(new URL('./digest-worker.js', import.meta.url));

  open(): StreamDigest {
    const slots = new RingSlots(SLOTS);
    let failed: DomainError | undefined;
    let settle: { resolve(r: Extract<FromDigest, { t: 'result' }>): void; reject(e: DomainError): void } | undefined;
    const job = this.thread.open({
      message: (m) => {
        if (m.t === 'result') return settle?.resolve(m);
        slots.give(m.slot);
      },
      stopped: (why) => {
        failed = new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `the package digest thread stopped (${why})`);
        settle?.reject(failed);
        slots.close(failed);
      },
    });
    const id = job.id;
    const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    const bytes = Buffer.from(ring);
    job.send({ t: 'start', id, ring, slotBytes: SLOT_BYTES });
    let slot: number | undefined;
    let filled = 0;
    const flush = () => {
      if (slot === undefined || filled === 0) return;
      job.send({ t: 'slot', id, slot, length: filled });
      slot = undefined;
      filled = 0;
    };
    return {
      update: async (chunk) => {
        for (let at = 0; at < chunk.length; ) {
          if (slot === undefined) slot = await slots.take();
          const n = Math.min(SLOT_BYTES - filled, chunk.length - at);
          chunk.copy(bytes, slot * SLOT_BYTES + filled, at, at + n);
          filled += n;
          at += n;
          if (filled === SLOT_BYTES) flush();
        }
      },
      finish: async () => {
        try {
          if (failed) throw failed;
          flush();
          const r = await new Promise<Extract<FromDigest, { t: 'result' }>>((resolve, reject) => {
            settle = { resolve, reject };
            job.send({ t: 'end', id });
          });
          return { sha256: r.sha256, streamChecked: r.checked };
        } finally {
          job.end();
        }
      },
      drop: () => {
        job.send({ t: 'drop', id });
        job.end();
      },
    };
  }

  /** Stops the thread; uploads in flight fail. */
  close(): Promise<void> {
    return this.thread.close();
  }
}

/** The process's digest thread: one serves every upload. */
export const digestThread = new DigestThread();
