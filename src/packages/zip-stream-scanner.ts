import zlib from 'node:zlib';
import { FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_SIZE, METHOD_STORED, ZIP64_EXTRA } from './zip-format.js';

/** A stored entry whose data was seen, and its CRC-32 computed, while the package streamed in. */
export interface StreamCheckedEntry {
  /** Where the entry's data starts in the file. */
  dataStart: number;
  /** Bytes of data (stored: compressed and inflated sizes are the same). */
  size: number;
  /** CRC-32 of exactly those bytes, computed, not read from a header. */
  crc32: number;
}

/** Stored entries checked while streaming, by the offset of their local header. */
export type StreamChecked = ReadonlyMap<number, StreamCheckedEntry>;


/**
 * Follows the local file headers of a zip as its bytes arrive and computes the CRC-32 of each stored entry's data,
 * so that validating the package afterwards need not read those bytes again (a VM image is most of a package).
 *
 * It only ever vouches for what it computed: an entry counts as checked when the CRC-32 of the bytes that followed
 * its local header matches the one that header declares. ZipArchive still checks everything against the central
 * directory (same offset, data start, size and CRC) and streams every entry this scanner did not vouch for. So the
 * scanner simply stops at anything it does not follow (a data descriptor, encryption, zip64 it cannot read, junk
 * before the first header, the central directory) and trusts nothing it reads.
 */
export class ZipStreamScanner {
  private readonly checked = new Map<number, StreamCheckedEntry>();
  /** Absolute file offset of the next byte pushed. */
  private pos = 0;
  private stopped = false;
  /** Header bytes collected so far, and how many the header needs. */
  private header: Buffer[] = [];
  private headerBytes = 0;
  private headerNeed = LOCAL_HEADER_SIZE;
  private headerStart = 0;
  private entry: { offset: number; dataStart: number; remaining: number; size: number; crc: number; declaredCrc: number; stored: boolean } | undefined;

  get result(): StreamChecked {
    return this.checked;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.stopped) {
      const e = this.entry;
      if (e) {
        const n = Math.min(e.remaining, chunk.length - i);
        if (e.stored) e.crc = zlib.crc32(chunk.subarray(i, i + n), e.crc);
        e.remaining -= n;
        i += n;
        this.pos += n;
        if (e.remaining === 0) this.endEntry();
        continue;
      }
      const n = Math.min(this.headerNeed - this.headerBytes, chunk.length - i);
      // A copy: the caller may reuse the chunk's memory once push returns (the digest thread's ring does).
      this.header.push(Buffer.from(chunk.subarray(i, i + n)));
      this.headerBytes += n;
      i += n;
      this.pos += n;
      if (this.headerBytes === this.headerNeed) this.onHeaderBytes();
    }
  }

  private onHeaderBytes(): void {
    const h = Buffer.concat(this.header);
    if (h.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) return this.stop();
    const nameLength = h.readUInt16LE(26);
    const extraLength = h.readUInt16LE(28);
    const full = LOCAL_HEADER_SIZE + nameLength + extraLength;
    if (this.headerNeed < full) {
      this.headerNeed = full; // name and extra field still to come
      return;
    }
    const flags = h.readUInt16LE(6);
    if (flags & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR)) return this.stop(); // sizes unknown here, or unreadable data
    let compressed = h.readUInt32LE(18);
    let inflated = h.readUInt32LE(22);
    if (compressed === 0xffffffff || inflated === 0xffffffff) {
      const sizes = zip64Sizes(h.subarray(LOCAL_HEADER_SIZE + nameLength, full), inflated === 0xffffffff, compressed === 0xffffffff);
      if (!sizes) return this.stop();
      compressed = sizes.compressed ?? compressed;
      inflated = sizes.inflated ?? inflated;
    }
    const method = h.readUInt16LE(8);
    this.entry = {
      offset: this.headerStart,
      dataStart: this.headerStart + full,
      remaining: compressed,
      size: compressed,
      crc: 0,
      declaredCrc: h.readUInt32LE(14),
      stored: method === METHOD_STORED && compressed === inflated,
    };
    this.header = [];
    this.headerBytes = 0;
    this.headerNeed = LOCAL_HEADER_SIZE;
    if (compressed === 0) this.endEntry(); // an empty entry has no data to wait for
  }

  private endEntry(): void {
    const e = this.entry!;
    if (e.stored && e.crc >>> 0 === e.declaredCrc) this.checked.set(e.offset, { dataStart: e.dataStart, size: e.size, crc32: e.declaredCrc });
    this.entry = undefined;
    this.headerStart = this.pos;
  }

  private stop(): void {
    this.stopped = true;
    this.header = [];
  }
}

/** The zip64 extra field of a local header: the 64-bit sizes that were 0xffffffff, inflated first. */
function zip64Sizes(extra: Buffer, hasInflated: boolean, hasCompressed: boolean): { inflated?: number; compressed?: number } | undefined {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const size = extra.readUInt16LE(i + 2);
    if (id === ZIP64_EXTRA) {
      const field = extra.subarray(i + 4, i + 4 + size);
      const out: { inflated?: number; compressed?: number } = {};
      let at = 0;
      const next = (): number | undefined => {
        if (at + 8 > field.length) return undefined;
        const v = field.readBigUInt64LE(at);
        at += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
      };
      if (hasInflated && (out.inflated = next()) === undefined) return undefined;
      if (hasCompressed && (out.compressed = next()) === undefined) return undefined;
      return out;
    }
    i += 4 + size;
  }
  return undefined;
}
