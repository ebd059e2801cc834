/** Smallest and largest stream chunk: the original's 1 KiB chunks cost a message per KiB (2 M messages for 2 GiB). */
export const MIN_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Re-cuts a byte stream into chunks of exactly `size` bytes (the last one shorter), copying only where a chunk
 * spans source buffers.
 */
export async function* rechunk(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let buf = piece;
    while (buf.length > 0) {
      if (pendingBytes === 0 && buf.length >= size) {
        yield buf.subarray(0, size);
        buf = buf.subarray(size);
        continue;
      }
      const take = Math.min(size - pendingBytes, buf.length);
      pending.push(buf.subarray(0, take));
      pendingBytes += take;
      buf = buf.subarray(take);
      if (pendingBytes === size) {
        yield Buffer.concat(pending, size);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
