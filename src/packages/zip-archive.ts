import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { isDomainError } from '../errors.js';
import type { ArchiveLimits } from './archive-limits.js';
import type { PackageFiles } from './package-files.js';
import { invalidPackage } from './package-errors.js';
import { FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, LOCAL_HEADER_SIZE, METHOD_DEFLATE, METHOD_STORED } from './zip-format.js';
import type { StreamChecked } from './zip-stream-scanner.js';

/**
 * A zip (CSAR, nested APPD zip) read without trusting it.
 *
 * `open` reads the central directory only and refuses the whole archive there, before any entry data is inflated or
 * anything is written: unsafe names, duplicates, links and devices, encryption, unknown compression, too many
 * entries, declared sizes and ratios over the caps, entries whose data overlaps (the overlapping-file bomb), nesting.
 * Reading an entry then checks what the headers promised: the local header agrees with the central directory, the
 * inflated byte count equals the declared size and stays under the caps, and the CRC-32 matches (yauzl checks
 * neither CRCs nor caps itself). `verifyAll` does that for every entry, so corruption in entries nobody reads is
 * caught too. The archive is read through one file descriptor, never loaded into memory.
 */

/** An entry as declared by the central directory. */
export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  isDirectory: boolean;
}

interface Slot {
  info: ZipEntryInfo;
  raw: yauzl.Entry;
  /** Offset of whatever follows this entry (next local header, or the central directory): its data must end there. */
  dataLimit: number;
}

/** Ratios are only judged above this size: tiny entries (a 0-byte file, a page of zeros) have silly ratios. */
const RATIO_FLOOR = 1024 * 1024;
/** Smallest data descriptor (no signature, 32-bit sizes), present when general purpose bit 3 is set. */
const MIN_DATA_DESCRIPTOR = 12;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const FILE_TYPES: Record<number, string> = {
  0o120000: 'symbolic link',
  0o140000: 'socket',
  0o060000: 'block device',
  0o020000: 'character device',
  0o010000: 'FIFO',
};

// decodeStrings: false so that yauzl neither rewrites backslashes nor applies its own name rules: we decode names
// ourselves (same algorithm) and apply stricter rules that name the entry in the message.
// validateEntrySizes: false for the same reason: yauzl refuses a stored entry with unequal sizes before it emits the
// entry, so its message cannot say which entry; CentralDirectoryChecker makes that check, and EntryVerifier counts
// the inflated bytes against the declared size (which is all yauzl's byte-count stream did).
const YAUZL_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: false,
  decodeStrings: false,
  strictFileNames: true,
};

const BORROWED_FD = { open: fs.open, read: fs.read, close: (_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => cb(null) };

/** Bytes per read when streaming entry data from disk. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads the zip through its descriptor in 1 MiB chunks. yauzl's own descriptor reader reads 16 KiB per call, which
 * makes streaming a gigabyte image entry about five times slower than the disk. Owns the descriptor: yauzl calls
 * `close` once the archive and its last entry stream have let go.
 */
class FdReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // The stream borrows the descriptor: yauzl destroys entry streams it is done with, and a file stream closes
    // its descriptor on destroy whatever `autoClose` says, hence the close that does nothing.
    return fs.createReadStream('', { fd: this.fd, start, end: end - 1, highWaterMark: READ_CHUNK_BYTES, autoClose: false, fs: BORROWED_FD });
  }

  // yauzl compares the byte count to what it asked for (its "unexpected EOF" check), so it is passed on.
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    fs.read(this.fd, buffer, offset, length, position, (err, bytesRead) => callback(err, bytesRead));
  }

  override close(callback: (err: Error | null) => void): void {
    fs.close(this.fd, callback);
  }
}

const fsOpen = promisify(fs.open);
const fsFstat = promisify(fs.fstat);
const fsClose = promisify(fs.close);

export class ZipArchive implements PackageFiles {
  /** Every entry in central-directory order, directories included. */
  readonly entries: readonly ZipEntryInfo[];
  private readonly byName = new Map<string, Slot>();
  private readonly active = new Set<Readable>();
  private readonly budget: InflateBudget;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    slots: Slot[],
    private readonly limits: ArchiveLimits,
    private readonly label: string,
    private readonly fdBacked: boolean,
  ) {
    this.entries = slots.map((s) => s.info);
    for (const s of slots) this.byName.set(s.info.name, s);
    this.budget = new InflateBudget(limits.maxTotalBytes);
  }

  /** Opens a zip on disk (the CSAR is depth 0). Refuses it from the central directory alone; see the class comment. */
  static async open(file: string, limits: ArchiveLimits, depth = 0): Promise<ZipArchive> {
    checkDepth(depth, limits, '');
    const fd = await fsOpen(file, 'r');
    let zip: yauzl.ZipFile;
    try {
      const { size } = await fsFstat(fd);
      const reader = new FdReader(fd);
      zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromRandomAccessReader(reader, size, YAUZL_OPTIONS, (err, z) => (err ? reject(err) : resolve(z))));
    } catch (e) {
      // A failed open leaves the descriptor to us; once it succeeds the ZipFile (through its reader) owns it.
      await fsClose(fd);
      throw translateZipError(e, '');
    }
    return ZipArchive.load(zip, limits, '', true);
  }

  /**
   * Opens a zip held in memory: a nested archive (APPD zip) already read under maxNestedArchiveBytes. `source` names
   * it in messages (`source!/entry`).
   */
  static async fromBuffer(buf: Buffer, limits: ArchiveLimits, depth = 1, source = ''): Promise<ZipArchive> {
    checkDepth(depth, limits, source);
    if (buf.length > limits.maxNestedArchiveBytes) {
      throw invalidPackage(`nested archive of ${buf.length} bytes is over the ${limits.maxNestedArchiveBytes} allowed`, source || undefined);
    }
    let zip: yauzl.ZipFile;
    try {
      zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(buf, YAUZL_OPTIONS, (err, z) => (err ? reject(err) : resolve(z))));
    } catch (e) {
      throw translateZipError(e, source);
    }
    return ZipArchive.load(zip, limits, source, false);
  }

  private static async load(zip: yauzl.ZipFile, limits: ArchiveLimits, label: string, fdBacked: boolean): Promise<ZipArchive> {
    // An 'error' with no listener would crash the process (e.g. a failing close of the descriptor, late).
    zip.on('error', () => undefined);
    try {
      const slots = await readCentralDirectory(zip, limits, label);
      return new ZipArchive(zip, slots, limits, label, fdBacked);
    } catch (e) {
      await closeZip(zip, fdBacked);
      throw e;
    }
  }

  /** File entry names (forward slashes, no leading slash), directories excluded. */
  names(): string[] {
    return this.entries.filter((e) => !e.isDirectory).map((e) => e.name);
  }

  has(name: string): boolean {
    const s = this.byName.get(name);
    return s !== undefined && !s.info.isDirectory;
  }

  /** Declared inflated size (verified when read). */
  sizeOf(name: string): number {
    return this.fileSlot(name).info.uncompressedSize;
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    const slot = this.fileSlot(name);
    if (slot.info.uncompressedSize > maxBytes) {
      throw invalidPackage(`${slot.info.uncompressedSize} bytes, over the ${maxBytes} allowed for this file`, this.where(name));
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openStream(name)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async sha256(name: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of await this.openStream(name)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /**
   * The inflated bytes of a file entry. The stream errors with INVALID_PACKAGE when the data is corrupt, inflates past
   * its declared size or a cap, or fails its CRC-32 (checked at the end, so consume it to the end before trusting it).
   */
  async openStream(name: string): Promise<Readable> {
    const slot = this.fileSlot(name);
    const fileDataStart = await this.checkLocalHeader(slot);
    // Checked again after the wait: a stream opened on a released descriptor could read whatever file reused its number.
    this.assertOpen();
    const raw = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStreamLowLevel(
        fileDataStart,
        slot.raw.compressedSize,
        0,
        slot.raw.compressedSize,
        slot.raw.compressionMethod === METHOD_DEFLATE,
        slot.raw.uncompressedSize,
        (err, stream) => (err ? reject(translateZipError(err, this.where(name))) : resolve(stream)),
      ),
    );
    const verifier = new EntryVerifier(slot.info, this.limits, this.budget, this.where(name));
    // pipeline destroys both sides when either fails or the consumer gives up, which releases yauzl's reference on
    // the descriptor; the verifier translates whatever yauzl or zlib raised.
    pipeline(raw, verifier, () => undefined);
    this.active.add(verifier);
    verifier.once('close', () => this.active.delete(verifier));
    return verifier;
  }

  /**
   * Streams every entry through the same checks as a read (local header, sizes, caps, CRC-32) and discards the
   * bytes. Entries nobody reads later are validated too, which is where bit flips and lying sizes hide.
   */
  async verifyAll(streamChecked: StreamChecked = new Map()): Promise<void> {
    for (const slot of this.byName.values()) {
      if (slot.info.isDirectory) {
        await this.checkLocalHeader(slot);
        continue;
      }
      if (await this.checkedWhileStreaming(slot, streamChecked)) continue;
      for await (const _chunk of await this.openStream(slot.info.name)) {
        // discarded: only the checks matter
      }
    }
  }

  /**
   * Stops every open entry stream and releases the file descriptor. Safe to call more than once; `whenClosed`
   * resolves once the descriptor is actually closed.
   */
  close(): void {
    if (this.closing) return;
    for (const s of this.active) s.destroy();
    this.closing = closeZip(this.zip, this.fdBacked);
  }

  /** Resolves when the descriptor has been released (after `close`). */
  whenClosed(): Promise<void> {
    this.close();
    return this.closing ?? Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('zip archive is closed');
  }

  private fileSlot(name: string): Slot {
    const slot = this.byName.get(name);
    if (!slot) throw invalidPackage('no such file in the archive', this.where(name));
    if (slot.info.isDirectory) throw invalidPackage('is a directory, not a file', this.where(name));
    return slot;
  }

  /**
   * A stored entry whose data was CRC-checked as the package streamed in (ZipStreamScanner) need not be read again:
   * only when the central directory agrees on its offset, data start, size and CRC-32. Its bytes still count
   * against the archive's cap.
   */
  private async checkedWhileStreaming(slot: Slot, streamChecked: StreamChecked): Promise<boolean> {
    const seen = streamChecked.get(slot.raw.relativeOffsetOfLocalHeader);
    const { raw, info } = slot;
    if (!seen || raw.compressionMethod !== METHOD_STORED || raw.compressedSize !== seen.size || info.uncompressedSize !== seen.size || info.crc32 >>> 0 !== seen.crc32 >>> 0) return false;
    if ((await this.checkLocalHeader(slot)) !== seen.dataStart) return false;
    if (!this.budget.charge(info.name, seen.size)) throw invalidPackage(`the archive inflates past its ${this.limits.maxTotalBytes}-byte cap`, this.where(info.name));
    return true;
  }

  private where(name: string): string {
    return qualify(this.label, name);
  }

  /**
   * The local header is what streaming unzippers (and some plugins) read; it must say the same as the central
   * directory, or two readers would see two different packages. Returns where the entry's data starts.
   */
  private async checkLocalHeader(slot: Slot): Promise<number> {
    this.assertOpen();
    const where = this.where(slot.info.name);
    const header = await new Promise<yauzl.LocalFileHeader>((resolve, reject) =>
      this.zip.readLocalFileHeader(slot.raw, {}, (err, h) => (err ? reject(translateZipError(err, where)) : resolve(h))),
    );
    if (!header.fileName.equals(slot.raw.fileNameRaw)) throw invalidPackage('local header names a different file than the central directory', where);
    if (header.compressionMethod !== slot.raw.compressionMethod) throw invalidPackage('local header and central directory disagree on the compression method', where);
    if (header.generalPurposeBitFlag & FLAG_ENCRYPTED) throw invalidPackage('encrypted entries are not supported', where);
    const end = header.fileDataStart + slot.raw.compressedSize + (slot.raw.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR ? MIN_DATA_DESCRIPTOR : 0);
    if (end > slot.dataLimit) throw invalidPackage('entry data overlaps the next entry or the central directory (overlapping-entry zip bomb?)', where);
    return header.fileDataStart;
  }
}

/** Inflated bytes of an archive, each entry counted once however often it is read. */
class InflateBudget {
  private total = 0;
  private readonly perEntry = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Records that `name` has inflated `bytesSoFar` bytes in the current read; false once the archive is over its cap. */
  charge(name: string, bytesSoFar: number): boolean {
    const before = this.perEntry.get(name) ?? 0;
    if (bytesSoFar > before) {
      this.total += bytesSoFar - before;
      this.perEntry.set(name, bytesSoFar);
    }
    return this.total <= this.max;
  }
}

/** Counts inflated bytes against the declared size and the caps, and checks the CRC-32 at the end. */
class EntryVerifier extends Transform {
  private bytes = 0;
  private crc = 0;

  constructor(
    private readonly entry: ZipEntryInfo,
    private readonly limits: ArchiveLimits,
    private readonly budget: InflateBudget,
    private readonly where: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const problem = this.problem();
    if (problem) return callback(invalidPackage(problem, this.where));
    this.crc = zlib.crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.entry.uncompressedSize) {
      return callback(invalidPackage(`inflates to ${this.bytes} bytes but declares ${this.entry.uncompressedSize}`, this.where));
    }
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) return callback(invalidPackage('CRC-32 mismatch: the entry data is corrupt or was altered', this.where));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    callback(error && !isDomainError(error) ? translateZipError(error, this.where) : error);
  }

  private problem(): string | undefined {
    const { bytes, entry, limits } = this;
    if (bytes > entry.uncompressedSize) return `inflates past its declared size of ${entry.uncompressedSize} bytes`;
    if (bytes > limits.maxEntryBytes) return `inflates past the ${limits.maxEntryBytes}-byte cap for one entry`;
    if (bytes > RATIO_FLOOR && bytes / Math.max(entry.compressedSize, 1) > limits.maxRatio) {
      return `compression ratio over ${limits.maxRatio}:1 (zip bomb?)`;
    }
    if (!this.budget.charge(entry.name, bytes)) return `the archive inflates past its ${limits.maxTotalBytes}-byte cap`;
    return undefined;
  }
}

/** The central-directory pass: every entry is checked, and the archive refused, before any data is read. */
function readCentralDirectory(zip: yauzl.ZipFile, limits: ArchiveLimits, label: string): Promise<Slot[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(invalidPackage(`${zip.entryCount} entries, over the ${limits.maxEntries} allowed`, label || undefined));
  }
  // Before the first readEntry the cursor is where the central directory starts: the end of the last entry's data.
  const cdOffset: unknown = Reflect.get(zip, 'readEntryCursor');
  if (typeof cdOffset !== 'number') return Promise.reject(new Error('yauzl did not expose the central directory offset'));
  const checker = new CentralDirectoryChecker(limits, label);
  return new Promise<Slot[]>((resolve, reject) => {
    const done = (err?: unknown): void => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
      if (err !== undefined) reject(err instanceof Error ? err : new Error('central directory check failed'));
    };
    const onEntry = (raw: yauzl.Entry): void => {
      try {
        checker.add(raw);
        zip.readEntry();
      } catch (e) {
        done(e);
      }
    };
    const onEnd = (): void => {
      try {
        const slots = checker.finish(cdOffset);
        done();
        resolve(slots);
      } catch (e) {
        done(e);
      }
    };
    const onError = (e: unknown): void => done(translateZipError(e, label));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

class CentralDirectoryChecker {
  private readonly slots: Slot[] = [];
  private readonly names = new EntryNameSet();
  private declaredTotal = 0;

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly label: string,
  ) {}

  add(raw: yauzl.Entry): void {
    const name = decodeName(raw, raw.extraFields);
    const where = qualify(this.label, name);
    // The plain name field too, when a Unicode-path extra field overrides it: another tool may read that one.
    const plain = decodeName(raw, []);
    for (const n of plain === name ? [name] : [name, plain]) {
      const bad = unsafeNameReason(n);
      if (bad) throw invalidPackage(bad, qualify(this.label, n));
    }
    // cp437 maps control bytes to printable glyphs, so look at the raw bytes as well.
    if (raw.fileNameRaw.some((b) => b < 0x20 || b === 0x7f)) throw invalidPackage('control character in entry name', where);

    const isDirectory = name.endsWith('/');
    const type = (raw.externalFileAttributes >>> 16) & S_IFMT;
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw invalidPackage(`${FILE_TYPES[type] ?? `file type 0o${type.toString(8)}`} entries are not allowed`, where);
    }
    if (type === S_IFDIR && !isDirectory) throw invalidPackage('directory mode on an entry whose name has no trailing slash', where);
    const dup = this.names.add(name, isDirectory);
    if (dup) throw invalidPackage(dup, where);

    if (raw.generalPurposeBitFlag & FLAG_ENCRYPTED) throw invalidPackage('encrypted entries are not supported', where);
    if (raw.compressionMethod !== METHOD_STORED && raw.compressionMethod !== METHOD_DEFLATE) {
      throw invalidPackage(`unsupported compression method ${raw.compressionMethod} (only stored and deflate)`, where);
    }
    if (raw.compressionMethod === METHOD_STORED && raw.compressedSize !== raw.uncompressedSize) {
      throw invalidPackage(`stored entry declares different compressed and uncompressed sizes (${raw.compressedSize} != ${raw.uncompressedSize})`, where);
    }
    if (isDirectory && raw.uncompressedSize !== 0) throw invalidPackage('directory entry carries data', where);
    this.checkSizes(raw, where);
    this.slots.push({
      info: { name, compressedSize: raw.compressedSize, uncompressedSize: raw.uncompressedSize, crc32: raw.crc32 >>> 0, isDirectory },
      raw,
      dataLimit: 0,
    });
  }

  /** Orders entries by where their local header sits; each one's data must end before the next begins. */
  finish(cdOffset: number): Slot[] {
    const byOffset = [...this.slots].sort((a, b) => a.raw.relativeOffsetOfLocalHeader - b.raw.relativeOffsetOfLocalHeader);
    byOffset.forEach((slot, i) => {
      const next = byOffset[i + 1];
      const limit = next ? next.raw.relativeOffsetOfLocalHeader : cdOffset;
      const r = slot.raw;
      const minEnd =
        r.relativeOffsetOfLocalHeader + LOCAL_HEADER_SIZE + r.fileNameLength + r.compressedSize + (r.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR ? MIN_DATA_DESCRIPTOR : 0);
      if (minEnd > limit) {
        const what = next ? `the entry ${printable(next.info.name)}` : 'the central directory';
        throw invalidPackage(`entry data overlaps ${what} (overlapping-entry zip bomb?)`, qualify(this.label, slot.info.name));
      }
      slot.dataLimit = limit;
    });
    return this.slots;
  }

  private checkSizes(raw: yauzl.Entry, where: string): void {
    const { limits } = this;
    if (raw.uncompressedSize > limits.maxEntryBytes) {
      throw invalidPackage(`declares ${raw.uncompressedSize} bytes, over the ${limits.maxEntryBytes} allowed for one entry`, where);
    }
    this.declaredTotal += raw.uncompressedSize;
    if (this.declaredTotal > limits.maxTotalBytes) {
      throw invalidPackage(`entries declare more than the ${limits.maxTotalBytes} bytes allowed for one archive`, where);
    }
    if (raw.uncompressedSize > RATIO_FLOOR && raw.uncompressedSize / Math.max(raw.compressedSize, 1) > limits.maxRatio) {
      throw invalidPackage(`declared compression ratio over ${limits.maxRatio}:1 (zip bomb?)`, where);
    }
  }
}

/** The name yauzl would decode (UTF-8 flag, else cp437; the Unicode-path extra field when given), backslashes kept. */
function decodeName(raw: yauzl.Entry, extraFields: yauzl.ExtraField[]): string {
  return yauzl.getFileNameLowLevel(raw.generalPurposeBitFlag, raw.fileNameRaw, extraFields, true);
}

function checkDepth(depth: number, limits: ArchiveLimits, label: string): void {
  if (depth > limits.maxDepth) throw invalidPackage(`archive nested ${depth} levels deep, over the ${limits.maxDepth} allowed`, label || undefined);
}

function closeZip(zip: yauzl.ZipFile, fdBacked: boolean): Promise<void> {
  if (!zip.isOpen) return Promise.resolve();
  // Only a descriptor-backed reader reports 'close' (once its last stream let go of the descriptor).
  const closed = fdBacked ? new Promise<void>((resolve) => zip.once('close', () => resolve())) : Promise.resolve();
  zip.close();
  return closed;
}

/** yauzl's and zlib's errors, in words a package author can act on; system errors (EIO, EMFILE) stay what they are. */
const YAUZL_ERRORS: [RegExp, string][] = [
  [/end of central directory record signature not found/i, 'not a zip archive, or truncated (no end-of-central-directory record)'],
  [/invalid comment length/i, 'malformed end of archive (bytes after the end-of-central-directory record?)'],
  [/unexpected EOF/i, 'truncated archive (unexpected end of file)'],
  [/zip64/i, 'invalid zip64 metadata'],
  [/multi-disk/i, 'multi-disk archives are not supported'],
  [/strong encryption/i, 'encrypted entries are not supported'],
  [/invalid central directory file header signature/i, 'corrupt central directory (bad entry signature)'],
  [/invalid local file header signature/i, 'corrupt or missing local file header'],
  [/extra field length exceeds/i, 'malformed extra field'],
  [/compressed\/uncompressed size mismatch/i, 'stored entry declares different compressed and uncompressed sizes'],
  [/file data overflows file bounds/i, 'entry data extends past the end of the archive'],
  [/too many bytes in the stream/i, 'inflates to more bytes than it declares'],
  [/not enough bytes in the stream/i, 'inflates to fewer bytes than it declares'],
  [/too large/i, 'archive too large'],
];

function translateZipError(e: unknown, where: string): Error {
  if (isDomainError(e)) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('Z_')) return invalidPackage(`corrupt compressed data (${printable(err.message)})`, where || undefined);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return err;
  const known = YAUZL_ERRORS.find(([re]) => re.test(err.message));
  const detail = printable(err.message);
  return invalidPackage(known ? `${known[1]}: ${detail}` : `unreadable zip archive: ${detail}`, where || undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Entry-name rules, shared by every archive reader (zip here, tar in chart-archive.ts).

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const MAX_NAME_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;
const MAX_SEGMENTS = 128;

/**
 * Why an entry name is unsafe, or undefined. Names are relative, forward-slash paths of plain segments: no `..`, no
 * absolute or drive paths, no backslashes (a Windows separator), no control or bidi characters, no empty or `.`
 * segments (they make two spellings of one path), and lengths file systems accept. A trailing slash marks a
 * directory.
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '' || name === '/') return 'empty entry name';
  if (CONTROL.test(name)) return 'control character in entry name';
  if (BIDI.test(name)) return 'bidirectional control character in entry name';
  if (name.includes('\\')) return 'backslash in entry name (a Windows path separator)';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (segments.includes('..')) return "path traversal ('..' segment)";
  if (segments.some((s) => s === '' || s === '.')) return "non-canonical path (empty or '.' segment)";
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `entry name longer than ${MAX_NAME_BYTES} bytes`;
  if (segments.length > MAX_SEGMENTS) return `entry name deeper than ${MAX_SEGMENTS} levels`;
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) return `path segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  return undefined;
}

/**
 * Names seen in one archive. Two names that would land on the same file on a case-insensitive or
 * Unicode-normalising file system (`A` and `a`, NFC and NFD, `x` and `x/`) are duplicates, and so is a file that is
 * also the parent folder of another entry: an extractor would keep one of them, a parser might read the other.
 */
export class EntryNameSet {
  private readonly seen = new Map<string, string>();
  private readonly files = new Set<string>();
  private readonly parents = new Set<string>();

  /** Records a name; returns why it collides, or undefined. */
  add(name: string, isDirectory: boolean): string | undefined {
    const key = foldName(name);
    const earlier = this.seen.get(key);
    if (earlier !== undefined) {
      return earlier === name ? 'duplicate entry name' : `duplicate entry name (collides with ${printable(earlier)})`;
    }
    if (!isDirectory && this.parents.has(key)) return 'file has the same name as a folder of other entries';
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (this.files.has(parent)) return `entry sits under ${printable(parent)}, which is a file`;
      this.parents.add(parent);
    }
    this.seen.set(key, name);
    if (!isDirectory) this.files.add(key);
    return undefined;
  }
}

const foldName = (name: string): string => name.replace(/\/$/, '').normalize('NFC').toLowerCase();

/** An entry name fit for a message: control and bidi characters escaped, length capped. */
export function printable(s: string): string {
  const cut = s.length > 200 ? `${s.slice(0, 200)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `source!/entry` for entries of nested archives, the entry alone otherwise; always printable. */
export function qualify(source: string, name: string): string {
  return source ? `${printable(source)}!/${printable(name)}` : printable(name);
}
