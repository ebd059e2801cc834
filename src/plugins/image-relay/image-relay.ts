// Why a thread: every message gRPC delivers is a fresh Buffer (HTTP/2 read buffers, then a copy per message), so
// relaying a 1 GiB image allocates ~2 GiB of ArrayBuffers. V8 answers that much external memory with full
// mark-compact collections, and on the controller's heap (tens of MB of schema, ORM metadata and code) each one costs
// tens of milliseconds; once a download starts them they follow one another, and the relay ran at a third of the
// plugin stream's speed, stalling GraphQL with it. The relay thread's heap is small, so its collections are cheap,
// and the controller's thread only writes slices of one SharedArrayBuffer per download: it allocates nothing per
// chunk. Measured by bench/image-download.
import { DomainError, ErrorCode } from '../../errors.js';
import type { CallOptions, PluginClient, PluginTarget } from '../plugin-client.js';
import { JobThread } from '../../workers/job-thread.js';
import type { FromRelay, ToRelay } from './relay-messages.js';

/** Pieces a download may have in flight (read from the plugin, not yet written to the client), and their size. */
export const RELAY_SLOTS = 4;
const SLOT_BYTES = 1024 * 1024;

/** Bytes of an image in a slot of the download's ring; `release` once they are written out (idempotent). */
export interface RelayedBytes {
  bytes: Buffer;
  release: () => void;
}

/** The relay thread's messages for one download, in order, and the reader waiting for the next. */
class Inbox {
  private readonly queue: FromRelay[] = [];
  private waiter: ((m: FromRelay) => void) | undefined;

  push(m: FromRelay): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(m);
    else this.queue.push(m);
  }

  next(): Promise<FromRelay> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => (this.waiter = resolve));
  }
}

export class ImageRelay {
  private readonly thread = new JobThread<ToRelay, FromRelay>(new URL('./relay-worker.js', import.meta.url));

  /**
   * The image file from `client`'s plugin, as downloadVmImage answers it, read by the relay thread. Each piece must
   * be released when written; a piece not yet released is never overwritten. Ends quietly when `signal` aborts, as
   * PluginClient.downloadVmImage does; the plugin's errors are the same coded DomainErrors.
   */
  async *download(client: PluginClient, target: PluginTarget, imageId: string, o: CallOptions = {}): AsyncGenerator<RelayedBytes> {
    const inbox = new Inbox();
    const job = this.thread.open({
      message: (m) => inbox.push(m),
      stopped: (why) => inbox.push({ t: 'error', id: job.id, code: ErrorCode.PLUGIN_ERROR, message: `the image relay stopped (${why})`, details: {} }),
    });
    const id = job.id;
    const ring = new SharedArrayBuffer(RELAY_SLOTS * SLOT_BYTES);
    const onAbort = () => inbox.push({ t: 'end', id });
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let ended = false;
    try {
      if (o.signal?.aborted) return;
      job.send({ t: 'start', id, client: client.options, target, imageId, correlationId: o.correlationId, ring, slots: RELAY_SLOTS, slotBytes: SLOT_BYTES });
      for (;;) {
        const m = await inbox.next();
        if (m.t === 'end') return void (ended = true);
        if (m.t === 'error') {
          ended = true;
          throw new DomainError(m.code, m.message, m.details);
        }
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          job.send({ t: 'free', id, slot: m.slot });
        };
        yield { bytes: Buffer.from(ring, m.slot * SLOT_BYTES, m.length), release };
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      if (!ended || o.signal?.aborted) job.send({ t: 'cancel', id });
      job.end();
    }
  }

  /** Stops the relay thread; downloads in flight fail. */
  close(): Promise<void> {
    return this.thread.close();
  }
}

/** The process's relay: one thread serves every download. */
export const imageRelay = new ImageRelay();
