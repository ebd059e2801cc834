import { once } from 'node:events';
import type { Response } from 'express';

/**
 * An image's byte stream from the plugin, read forward only: the bytes a chunk boundary cuts off stay for the next
 * chunk. The plugin's download has no offset, so reaching byte n means reading (and dropping) the n before it.
 */
export class ImageCursor {
  /** Bytes of the image consumed so far (handed out or skipped). */
  position = 0;
  private rest: Uint8Array | undefined;

  constructor(private readonly chunks: AsyncGenerator<Uint8Array>) {}

  /** Reads until there are bytes at hand (a plugin that refuses the download fails here, before any header is sent). */
  async prime(): Promise<void> {
    while (!this.rest?.length) {
      const r = await this.chunks.next();
      if (r.done) return;
      this.rest = r.value;
    }
  }

  /** Drops bytes until `at` (forward only). */
  async skipTo(at: number): Promise<void> {
    while (this.position < at) {
      await this.prime();
      if (!this.rest?.length) return;
      const n = Math.min(this.rest.length, at - this.position);
      this.rest = this.rest.subarray(n);
      this.position += n;
    }
  }

  /**
   * Writes the next `length` bytes to `res`, waiting for the socket to drain after each write that fills it (so a slow
   * client holds the plugin back through gRPC flow control instead of filling memory). Answers the bytes written:
   * fewer than asked when the stream ended early.
   */
  async copy(res: Response, length: number, signal: AbortSignal): Promise<number> {
    let sent = 0;
    while (sent < length) {
      await this.prime();
      if (!this.rest?.length) break;
      const n = Math.min(this.rest.length, length - sent);
      const part = this.rest.subarray(0, n);
      this.rest = this.rest.subarray(n);
      this.position += n;
      sent += n;
      if (!res.write(part)) await once(res, 'drain', { signal });
    }
    return sent;
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined);
  }
}

/**
 * Cursors parked between the chunk requests of one caller for one image, so chunk n+1 continues where chunk n ended
 * and a whole download in order reads the image from the plugin once (the original kept the whole image in memory
 * instead). A parked cursor holds at most one plugin message; it is closed after `idleMs` without its next chunk, when
 * more than `max` are parked (oldest first), or when a caller asks for a chunk elsewhere in the image.
 */
export class ImageCursorPark {
  private readonly parked = new Map<string, { cursor: ImageCursor; timer: NodeJS.Timeout }>();

  constructor(
    private readonly idleMs = 30_000,
    private readonly max = 64,
  ) {}

  /** The cursor parked under `key` if it stands exactly at `at`; any other is closed. */
  take(key: string, at: number): ImageCursor | undefined {
    const p = this.parked.get(key);
    if (!p) return undefined;
    this.parked.delete(key);
    clearTimeout(p.timer);
    if (p.cursor.position === at) return p.cursor;
    void p.cursor.close();
    return undefined;
  }

  park(key: string, cursor: ImageCursor): void {
    this.take(key, -1);
    if (this.parked.size >= this.max) {
      const oldest = this.parked.keys().next().value as string;
      this.take(oldest, -1);
    }
    const timer = setTimeout(() => this.take(key, -1), this.idleMs);
    timer.unref();
    this.parked.set(key, { cursor, timer });
  }

  get size(): number {
    return this.parked.size;
  }
}
