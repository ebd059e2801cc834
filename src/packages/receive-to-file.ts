import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, ErrorCode } from '../errors.js';
import { digestThread } from './digest-thread.js';
import type { StreamChecked } from './zip-stream-scanner.js';

/** Bytes buffered on the way to disk; the default 16 KiB makes the writer wait on every other chunk. */
const BUFFER_BYTES = 1024 * 1024;

export interface Received {
  sha256: string;
  sizeBytes: number;
  /** Stored zip entries CRC-checked on the way (see ZipStreamScanner). */
  streamChecked: StreamChecked;
}

/**
 * Streams bytes to a new file, hashing and counting them on the way; the cap is enforced while streaming, so an
 * oversized upload is cut off at the cap, not after it has filled the disk. The file is removed on any failure. The
 * hashing and the CRC checks run on the digest thread (digest-thread.ts) while the bytes go on to disk.
 */
export async function receiveToFile(source: Readable, dest: string, maxBytes: number, onProgress?: (bytes: number) => void): Promise<Received> {
  // A source closed before anyone read it (the request failed while the upload was being set up) would leave
  // pipeline waiting for an end that never comes.
  if (source.destroyed) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'the upload stream was closed before it was read', { field: 'body' });
  const digest = digestThread.open();
  let size = 0;
  const meter = new Transform({
    highWaterMark: BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > maxBytes) return cb(new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `package exceeds the limit of ${maxBytes} bytes`, { limit: maxBytes }));
      onProgress?.(size);
      digest.update(chunk).then(
        () => cb(null, chunk),
        (e: unknown) => cb(e as Error),
      );
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(dest, { flags: 'wx', mode: 0o600, highWaterMark: BUFFER_BYTES }));
    const { sha256, streamChecked } = await digest.finish();
    return { sha256, sizeBytes: size, streamChecked };
  } catch (e) {
    digest.drop();
    await fs.promises.rm(dest, { force: true });
    throw e;
  }
}
