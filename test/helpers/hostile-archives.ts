/**
 * Generators for hostile archives (hardening.md §2.A, §2.C C4, §2.Y Y1–Y4). Normal zips come from yazl; the attacks
 * yazl refuses to express (unsafe names, lying headers, links, encryption flags, overlapping entries) are written
 * byte by byte. Everything stays small (KBs; the gigabyte bomb is 1 MB): the tests pass small limits instead of writing
 * gigabytes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import yazl from 'yazl';
import type { ArchiveLimits } from '../../src/packages/archive-limits.js';

const MiB = 1024 * 1024;

/** Small caps, so that bombs are bombs at a few MB (and most archives here are a few KB). */
export const SMALL_LIMITS: ArchiveLimits = {
  maxEntries: 1024,
  maxEntryBytes: 2 * MiB,
  maxTotalBytes: 4 * MiB,
  maxDepth: 2,
  maxRatio: 100,
  maxDescriptorBytes: 64 * 1024,
  maxNestedArchiveBytes: 1 * MiB,
};

// ---------------------------------------------------------------------------------------------------------------
// Zip, byte by byte

export interface RawZipEntry {
  /** The name as stored (a Buffer for bytes that are not UTF-8). */
  name: string | Buffer;
  /** Inflated content; the written data is this, deflated when method is 8, unless `fileData` is given. */
  data?: Buffer;
  /** The bytes written after the local header, verbatim. */
  fileData?: Buffer;
  method?: number;
  flags?: number;
  /** Overrides of what the headers declare. */
  crc32?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  /** Unix mode (type and permissions), stored in the high half of the external attributes. */
  unixMode?: number;
  /** Name written in the local header, when it should differ from the central directory. */
  localName?: Buffer;
  /** Extra field of the central-directory record. */
  centralExtra?: Buffer;
  /** Central directory points here instead of at the entry's own local header. */
  offset?: number;
}

export interface RawZipOptions {
  /** Bytes before the first local header (self-extractor style), offsets not adjusted. */
  prefix?: Buffer;
  /** A zip64 end-of-central-directory locator whose record offset is this (a lie when past EOF). */
  zip64LocatorOffset?: number;
}

const nameBytes = (n: string | Buffer): Buffer => (typeof n === 'string' ? Buffer.from(n, 'utf8') : n);

export function buildZip(entries: RawZipEntry[], opts: RawZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    pos += b.length;
  };
  if (opts.prefix) push(opts.prefix);
  const central: Buffer[] = [];
  for (const e of entries) {
    const name = nameBytes(e.name);
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 0;
    const fileData = e.fileData ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const crc = e.crc32 ?? zlib.crc32(data);
    const csize = e.compressedSize ?? fileData.length;
    const usize = e.uncompressedSize ?? data.length;
    const utf8 = typeof e.name === 'string' ? 0x800 : 0;
    const flags = (e.flags ?? 0) | utf8;
    const localName = e.localName ?? name;
    const offset = pos;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(Math.min(csize, 0xffffffff), 18);
    local.writeUInt32LE(Math.min(usize, 0xffffffff), 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(0, 28);
    push(Buffer.concat([local, localName, fileData]));

    const extra = e.centralExtra ?? Buffer.alloc(0);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(e.unixMode !== undefined ? 0x031e : 0x0014, 4); // made by unix 3.0, or FAT 2.0
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(Math.min(csize, 0xffffffff), 20);
    cd.writeUInt32LE(Math.min(usize, 0xffffffff), 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(extra.length, 30);
    cd.writeUInt16LE(0, 32);
    cd.writeUInt16LE(0, 34);
    cd.writeUInt16LE(0, 36);
    cd.writeUInt32LE(e.unixMode !== undefined ? (e.unixMode << 16) >>> 0 : 0, 38);
    cd.writeUInt32LE(e.offset ?? offset, 42);
    central.push(Buffer.concat([cd, name, extra]));
  }
  const cdOffset = pos;
  const cdBytes = Buffer.concat(central);
  push(cdBytes);
  if (opts.zip64LocatorOffset !== undefined) {
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeUInt32LE(0, 4);
    loc.writeBigUInt64LE(BigInt(opts.zip64LocatorOffset), 8);
    loc.writeUInt32LE(1, 16);
    push(loc);
  }
  push(eocd(entries.length, cdBytes.length, cdOffset));
  return Buffer.concat(parts);
}

function eocd(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(Math.min(count, 0xffff), 8);
  b.writeUInt16LE(Math.min(count, 0xffff), 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  return b;
}

/**
 * David Fifield's non-recursive zip bomb ("A better zip bomb", 2019): every local header is quoted, as a stored
 * deflate block, inside the data of the entry before it, and all entries end in one shared deflated kernel. Each
 * entry is a valid deflate stream inflating to the kernel plus the quoted headers; the archive is small, the sum of
 * the entries is n times the kernel.
 */
export function fifieldBomb(entries: number, kernelBytes: number): Buffer {
  const kernel = zlib.deflateRawSync(Buffer.alloc(kernelBytes), { level: 9 });
  const names = Array.from({ length: entries }, (_, i) => Buffer.from(`bomb${String(i).padStart(4, '0')}`));
  const headers: Buffer[] = new Array<Buffer>(entries);
  const csize: number[] = new Array<number>(entries);
  let content = Buffer.alloc(kernelBytes); // inflated content of the entry being built (back to front)
  for (let i = entries - 1; i >= 0; i--) {
    if (i < entries - 1) content = Buffer.concat([headers[i + 1]!, content]);
    csize[i] = i === entries - 1 ? kernel.length : 5 + headers[i + 1]!.length + csize[i + 1]!;
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(0x21, 12);
    h.writeUInt32LE(zlib.crc32(content) >>> 0, 14);
    h.writeUInt32LE(csize[i]!, 18);
    h.writeUInt32LE(content.length, 22);
    h.writeUInt16LE(names[i]!.length, 26);
    headers[i] = Buffer.concat([h, names[i]!]);
  }
  const body: Buffer[] = [];
  const offsets: number[] = [];
  let pos = 0;
  for (let i = 0; i < entries; i++) {
    offsets.push(pos);
    body.push(headers[i]!);
    pos += headers[i]!.length;
    if (i < entries - 1) {
      const quote = Buffer.alloc(5); // non-final stored block holding the next local header
      const len = headers[i + 1]!.length;
      quote.writeUInt8(0, 0);
      quote.writeUInt16LE(len, 1);
      quote.writeUInt16LE(~len & 0xffff, 3);
      body.push(quote);
      pos += 5;
    }
  }
  body.push(kernel);
  pos += kernel.length;
  const central = headers.map((h, i) => {
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x0014, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(0x21, 14);
    h.copy(cd, 16, 14, 26); // crc, compressed and uncompressed sizes, as in the local header
    cd.writeUInt16LE(names[i]!.length, 28);
    cd.writeUInt32LE(offsets[i]!, 42);
    return Buffer.concat([cd, names[i]!]);
  });
  const cdBytes = Buffer.concat(central);
  return Buffer.concat([...body, cdBytes, eocd(entries, cdBytes.length, pos)]);
}

// ---------------------------------------------------------------------------------------------------------------
// Zip, with yazl (well-formed archives)

export interface YazlFile {
  name: string;
  data: Buffer;
  compress?: boolean;
}

export function yazlZip(files: YazlFile[], dirs: string[] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const d of dirs) zip.addEmptyDirectory(d, { mtime: new Date(0) });
  for (const f of files) zip.addBuffer(f.data, f.name, { compress: f.compress ?? true, mtime: new Date(0) });
  zip.end();
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A zip holding a zip holding ... `levels` deep, the innermost holding one text file. */
export async function nestedZip(levels: number): Promise<Buffer> {
  let inner = await yazlZip([{ name: 'TOSCA_VNFD.meta', data: Buffer.from('Entry-Definitions: Definition/x.yaml\n') }]);
  for (let i = 1; i < levels; i++) inner = await yazlZip([{ name: `level${i}.zip`, data: inner, compress: false }]);
  return inner;
}

/**
 * A raw deflate stream that inflates to `mib` MiB of zeros, made by repeating one sync-flushed block of 1 MiB (each
 * copy ends byte-aligned and only refers back to zeros) and closing with an empty final block: about 1 KB per MiB,
 * so a gigabyte bomb costs 1 MB to write and no gigabyte of deflating.
 */
export function deflatedZeros(mib: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mib }, () => block), zlib.deflateRawSync(Buffer.alloc(0))]);
}

/** Deterministic, barely compressible text (so a flipped byte lands inside real deflate data). */
export function noise(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = 12345;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = 0x21 + ((x >>> 16) % 94);
  }
  return b;
}

/** Where the first local header's data starts in a zip with one entry named `name` (no extra field). */
const firstDataOffset = (name: string): number => 30 + Buffer.byteLength(name);

// ---------------------------------------------------------------------------------------------------------------
// Tar / tgz, byte by byte

export interface TarEntrySpec {
  path: string;
  /** ustar typeflag: 0 file, 1 hard link, 2 symlink, 3 char device, 4 block device, 5 directory, 6 FIFO, x pax. */
  type?: string;
  data?: Buffer;
  linkpath?: string;
  /** Declared size, when it should differ from data.length. */
  size?: number;
  /** Corrupts the header checksum. */
  badChecksum?: boolean;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function tarHeader(e: TarEntrySpec, size: number): Buffer {
  const h = Buffer.alloc(512);
  const type = e.type ?? '0';
  h.write(e.path, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write(type, 156, 'ascii');
  if (e.linkpath) h.write(e.linkpath, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (e.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** A pax record set ("len key=value\n", len counting itself). */
export function paxRecords(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([k, v]) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
    return `${len}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

export function buildTar(entries: TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    blocks.push(tarHeader(e, e.size ?? data.length));
    if (data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export const buildTgz = (entries: TarEntrySpec[]): Buffer => zlib.gzipSync(buildTar(entries));

export const chartYaml = (fields: Record<string, string> = {}): Buffer =>
  Buffer.from(
    Object.entries({ apiVersion: 'v1', name: 'demo', version: '0.1.0', ...fields })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n') + '\n',
  );

/** A minimal valid chart: demo/Chart.yaml, values.yaml and one template, plus whatever `extra` adds. */
export const chartEntries = (extra: TarEntrySpec[] = [], chart: Buffer = chartYaml()): TarEntrySpec[] => [
  { path: 'demo/', type: '5' },
  { path: 'demo/Chart.yaml', data: chart },
  { path: 'demo/values.yaml', data: Buffer.from('replicas: 1\nimage: nginx\n') },
  { path: 'demo/templates/', type: '5' },
  { path: 'demo/templates/deploy.yaml', data: Buffer.from('kind: Deployment\n') },
  ...extra,
];

// ---------------------------------------------------------------------------------------------------------------
// YAML

/** Billion laughs: `levels` anchors, each a list of `width` aliases of the previous one (9^8 leaves by default). */
export function yamlAliasBomb(levels = 9, width = 9): string {
  const lines = [`l0: &l0 [${Array<string>(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array<string>(width).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

/** Merge-key bomb: each level merges the previous one many times over. */
export function yamlMergeBomb(levels = 6, width = 10): string {
  const lines = [`m0: &m0 {${Array.from({ length: width }, (_, i) => `k${i}: v`).join(', ')}}`];
  for (let i = 1; i < levels; i++) lines.push(`m${i}: &m${i}\n  <<: [${Array<string>(width).fill(`*m${i - 1}`).join(', ')}]\n  own${i}: x`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// The battery

export interface HostileCase {
  id: string;
  file: string;
  /** Where it must be refused: by open (central directory), or only when the data is streamed (verifyAll). */
  stage: 'open' | 'verify';
  /** The message must match this (it names the problem, and the entry when there is one). */
  expect: RegExp;
  limits: ArchiveLimits;
  /** Depth to open at (the nested case). */
  depth?: number;
  /** For bombs: how many bytes the archive would inflate to if nothing stopped it. */
  inflatesTo?: number;
}

export interface HostileChartCase {
  id: string;
  data: Buffer;
  expect: RegExp;
  limits: ArchiveLimits;
  depth?: number;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const S_IFLNK = 0o120000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFREG = 0o100000;

/** Writes every hostile zip into `dir` and says how each must be refused. */
export async function writeHostileZips(dir: string): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const add = async (id: string, data: Buffer, stage: HostileCase['stage'], expect: RegExp, limits: ArchiveLimits = SMALL_LIMITS, depth?: number): Promise<void> => {
    const file = path.join(dir, `${id}.zip`);
    await fs.writeFile(file, data);
    cases.push({ id, file, stage, expect, limits, ...(depth !== undefined ? { depth } : {}) });
  };
  const bomb = async (id: string, inflatesTo: number, data: Buffer, stage: HostileCase['stage'], expect: RegExp, limits: ArchiveLimits = SMALL_LIMITS): Promise<void> => {
    await add(id, data, stage, expect, limits);
    cases[cases.length - 1]!.inflatesTo = inflatesTo;
  };
  const one = (e: RawZipEntry, opts?: RawZipOptions): Buffer => buildZip([{ name: 'ok.txt', data: text('ok') }, e], opts);

  // A1–A3, A5: names
  await add('traversal', one({ name: '../evil', data: text('x') }), 'open', /\.\.\/evil: path traversal/);
  await add('traversal-deep', one({ name: 'a/../../../tmp/canary/x', data: text('x') }), 'open', /path traversal/);
  await add('absolute', one({ name: '/etc/evil', data: text('x') }), 'open', /\/etc\/evil: absolute path/);
  await add('drive-absolute', one({ name: 'C:/evil', data: text('x') }), 'open', /C:\/evil: absolute path/);
  await add('drive-backslash', one({ name: 'C:\\evil', data: text('x') }), 'open', /C:\\evil: backslash/);
  await add('unc', one({ name: '\\\\host\\share\\x', data: text('x') }), 'open', /backslash/);
  await add('backslash-traversal', one({ name: '..\\evil', data: text('x') }), 'open', /\.\.\\evil: backslash/);
  await add('nul-name', one({ name: 'a\0b', data: text('x') }), 'open', /a\\u0000b: control character/);
  await add('cp437-control-name', one({ name: Buffer.from([0x61, 0x01, 0x62]), data: text('x') }), 'open', /control character/);
  await add('long-segment', one({ name: `${'n'.repeat(300)}.txt`, data: text('x') }), 'open', /longer than 255 bytes/);
  await add('dot-segment', one({ name: './x', data: text('x') }), 'open', /non-canonical path/);
  await add('bidi-name', one({ name: 'invoice\u202eeps.exe', data: text('x') }), 'open', /bidirectional/);
  // A4: links and other file types
  await add('symlink', one({ name: 'link', data: text('/tmp/canary'), unixMode: S_IFLNK | 0o777 }), 'open', /link: symbolic link entries are not allowed/);
  await add(
    'symlink-then-write',
    buildZip([
      { name: 'link', data: text('/tmp/canary'), unixMode: S_IFLNK | 0o777 },
      { name: 'link/pwned', data: text('x'), unixMode: S_IFREG | 0o644 },
    ]),
    'open',
    /symbolic link/,
  );
  await add('fifo', one({ name: 'pipe', unixMode: S_IFIFO | 0o644 }), 'open', /pipe: FIFO entries/);
  await add('char-device', one({ name: 'dev', unixMode: S_IFCHR | 0o644 }), 'open', /character device/);
  // A5: duplicates
  await add('duplicate', one({ name: 'ok.txt', data: text('other') }), 'open', /ok\.txt: duplicate entry name$/);
  await add('case-duplicate', one({ name: 'OK.TXT', data: text('other') }), 'open', /OK\.TXT: duplicate entry name \(collides with ok\.txt\)/);
  await add(
    'nfd-duplicate',
    buildZip([
      { name: 'caf\u00e9.txt', data: text('nfc') },
      { name: 'cafe\u0301.txt', data: text('nfd') },
    ]),
    'open',
    /duplicate entry name/,
  );
  await add('slash-duplicate', one({ name: 'ok.txt/' }), 'open', /duplicate entry name/);
  await add('file-as-folder', one({ name: 'ok.txt/inner', data: text('x') }), 'open', /ok\.txt\/inner: entry sits under ok\.txt, which is a file/);
  // A14: encryption and methods
  await add('encrypted', one({ name: 'secret.txt', data: text('secret'), method: 8, flags: 0x1 }), 'open', /secret\.txt: encrypted entries/);
  await add('strong-encryption', one({ name: 'secret.txt', data: text('secret'), method: 8, flags: 0x41 }), 'open', /encrypt/);
  for (const m of [12, 14, 99]) {
    await add(`method-${m}`, one({ name: `m${m}.bin`, fileData: text('BZh91AY&SY'), uncompressedSize: 100, method: m }), 'open', new RegExp(`m${m}\\.bin: unsupported compression method ${m}`));
  }
  // A10: entry count
  await add(
    'entries-20000',
    buildZip(Array.from({ length: 20000 }, (_, i) => ({ name: `e${String(i).padStart(5, '0')}` }))),
    'open',
    /20000 entries, over the 1024 allowed/,
  );
  // A6: bombs, by declared ratio, by per-entry and total caps, and a lying small declared size
  const zeros4m = zlib.deflateRawSync(Buffer.alloc(4 * MiB), { level: 9 });
  await bomb('ratio-bomb', 4 * MiB, one({ name: 'zeros.bin', fileData: zeros4m, method: 8, crc32: zlib.crc32(Buffer.alloc(4 * MiB)), uncompressedSize: 4 * MiB }), 'open', /zeros\.bin: declared compression ratio over 100:1/, {
    ...SMALL_LIMITS,
    maxEntryBytes: 8 * MiB,
    maxTotalBytes: 8 * MiB,
  });
  await bomb('entry-cap', 4 * MiB, one({ name: 'big.bin', fileData: zeros4m, method: 8, uncompressedSize: 4 * MiB }), 'open', /big\.bin: declares 4194304 bytes, over the 2097152 allowed/);
  await bomb(
    'total-cap',
    4.5 * MiB,
    buildZip(['a', 'b', 'c'].map((n) => ({ name: `${n}.bin`, data: Buffer.alloc(1.5 * MiB, 1), method: 8 }))),
    'open',
    /entries declare more than the 4194304 bytes/,
    { ...SMALL_LIMITS, maxRatio: 100000 },
  );
  await bomb('size-lie-bomb', 4 * MiB, one({ name: 'liar.bin', fileData: zeros4m, method: 8, uncompressedSize: 1000 }), 'verify', /liar\.bin: inflates (to more bytes than it declares|past its declared size)/);
  // The same lie at scale: 1 GiB of zeros in 1 MB, declared as 1000 bytes (headers and ratio look harmless).
  await bomb('size-lie-gigabyte', 1024 * MiB, one({ name: 'giga.bin', fileData: deflatedZeros(1024), method: 8, uncompressedSize: 1000 }), 'verify', /giga\.bin: inflates (to more bytes than it declares|past its declared size)/);
  // A8: overlapping entries
  await bomb('overlap-fifield', 32 * 256 * 1024, fifieldBomb(32, 256 * 1024), 'open', /bomb0000: entry data overlaps the entry bomb0001 \(overlapping-entry zip bomb\?\)/, {
    ...SMALL_LIMITS,
    maxRatio: 100000,
    maxTotalBytes: 64 * MiB,
    maxEntryBytes: 64 * MiB,
  });
  const shared = zlib.deflateRawSync(Buffer.alloc(MiB), { level: 9 });
  await bomb(
    'overlap-same-offset',
    4 * MiB,
    buildZip([
      { name: 'k1', fileData: shared, method: 8, crc32: zlib.crc32(Buffer.alloc(MiB)), uncompressedSize: MiB },
      ...['k2', 'k3', 'k4'].map((n) => ({ name: n, fileData: Buffer.alloc(0), method: 8, compressedSize: shared.length, crc32: zlib.crc32(Buffer.alloc(MiB)), uncompressedSize: MiB, offset: 0 })),
    ]),
    'open',
    /entry data overlaps/,
    { ...SMALL_LIMITS, maxRatio: 100000, maxTotalBytes: 64 * MiB },
  );
  // A11, A13, A15: structure
  const good = await yazlZip([
    { name: 'a.txt', data: text('hello '.repeat(500)) },
    { name: 'b.txt', data: text('world '.repeat(500)) },
  ]);
  await add('truncated', good.subarray(0, Math.floor(good.length / 2)), 'open', /not a zip archive, or truncated/);
  await add('cd-past-eof', (() => {
    const b = Buffer.from(good);
    b.writeUInt32LE(b.length + 1000, b.length - 22 + 16); // central directory offset beyond the end
    return b;
  })(), 'open', /truncated archive|corrupt central directory/);
  await add('prepended-junk', Buffer.concat([Buffer.alloc(100, 0x4d), good]), 'open', /corrupt central directory/);
  await add('appended-junk', Buffer.concat([good, Buffer.alloc(100, 0x4d)]), 'open', /malformed end of archive/);
  await add('not-a-zip-png', Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'), 'open', /not a zip archive/);
  await add('not-a-zip-gzip', zlib.gzipSync(text('a tarball, really')), 'open', /not a zip archive/);
  await add('empty-file', Buffer.alloc(0), 'open', /not a zip archive/);
  await add('zip64-locator-lie', one({ name: 'x.txt', data: text('x') }, { zip64LocatorOffset: 0x7fffffff }), 'open', /truncated|zip64/);
  // A12: bit flips, caught by the CRC (stored) or by inflate/CRC/size (deflated)
  const storedBody = text('stored content that nobody reads; only verifyAll streams it\n'.repeat(20));
  const flippedStored = buildZip([{ name: 'flip.txt', data: storedBody }]);
  flippedStored[firstDataOffset('flip.txt') + 100]! ^= 0x04;
  await add('bitflip-stored', flippedStored, 'verify', /flip\.txt: CRC-32 mismatch/);
  const flippedDeflated = buildZip([{ name: 'flip.txt', data: noise(4096), method: 8 }]);
  flippedDeflated[firstDataOffset('flip.txt') + 200]! ^= 0x10;
  await add('bitflip-deflated', flippedDeflated, 'verify', /flip\.txt: (CRC-32 mismatch|corrupt compressed data|inflates)/);
  // A7, A13: sizes that lie, in the zip64 extra field too
  await add('stored-size-lie', one({ name: 'lie.txt', data: text('0123456789'), uncompressedSize: 5, compressedSize: 10 }), 'open', /lie\.txt: stored entry declares different/);
  const zip64Extra = Buffer.alloc(4 + 16);
  zip64Extra.writeUInt16LE(0x0001, 0);
  zip64Extra.writeUInt16LE(16, 2);
  zip64Extra.writeBigUInt64LE(10n, 4); // uncompressed: 10 bytes, a lie
  zip64Extra.writeBigUInt64LE(0n, 12); // compressed: patched below
  const body64 = text('zip64 lies about this entry\n'.repeat(40));
  const deflated64 = zlib.deflateRawSync(body64);
  zip64Extra.writeBigUInt64LE(BigInt(deflated64.length), 12);
  await add(
    'zip64-size-lie',
    one({ name: 'z64.txt', fileData: deflated64, method: 8, crc32: zlib.crc32(body64), uncompressedSize: 0xffffffff, compressedSize: 0xffffffff, centralExtra: zip64Extra }),
    'verify',
    /z64\.txt: inflates (to more bytes than it declares|past its declared size)/,
  );
  // Parser differentials and structure inside the data area
  await add('local-name-differs', one({ name: 'innocent.txt', data: text('x'), localName: Buffer.from('../evil.sh!!') }), 'verify', /innocent\.txt: local header names a different file/);
  await add('local-header-missing', one({ name: 'ghost.txt', data: text('x'), offset: 3 }), 'open', /overlaps|local file header/);
  await add('directory-with-data', one({ name: 'dir/', data: text('hidden') }), 'open', /dir\/: directory entry carries data/);
  // A9: nesting (the caller opens it at depth 3)
  await add('nested-too-deep', await nestedZip(1), 'open', /nested 3 levels deep, over the 2 allowed/, SMALL_LIMITS, 3);
  return cases;
}

/** Hostile chart archives (C4) and what each must be refused with. */
export function hostileCharts(): HostileChartCase[] {
  const L = SMALL_LIMITS;
  const c = (id: string, data: Buffer, expect: RegExp, limits: ArchiveLimits = L, depth?: number): HostileChartCase => ({ id, data, expect, limits, ...(depth !== undefined ? { depth } : {}) });
  const withEntries = (extra: TarEntrySpec[]): Buffer => buildTgz(chartEntries(extra));
  const zeros = Buffer.alloc(3 * MiB);
  return [
    c('traversal', withEntries([{ path: '../evil', data: text('x') }]), /\.\.\/evil: path traversal/),
    c('traversal-inside', withEntries([{ path: 'demo/../../evil', data: text('x') }]), /path traversal/),
    c('absolute', withEntries([{ path: '/etc/evil', data: text('x') }]), /\/etc\/evil: absolute path/),
    c('backslash', withEntries([{ path: 'demo\\..\\..\\evil', data: text('x') }]), /backslash/),
    c('nul-name', withEntries([{ path: 'demo/a\u0001b', data: text('x') }]), /control character/),
    c('symlink', withEntries([{ path: 'demo/templates/link.yaml', type: '2', linkpath: '/etc/passwd' }]), /demo\/templates\/link\.yaml: symbolic links are not allowed/),
    c('hardlink', withEntries([{ path: 'demo/hard', type: '1', linkpath: 'demo/Chart.yaml' }]), /demo\/hard: hard links are not allowed/),
    c('char-device', withEntries([{ path: 'demo/tty', type: '3' }]), /device files/),
    c('fifo', withEntries([{ path: 'demo/pipe', type: '6' }]), /FIFOs/),
    c('pax-traversal', withEntries([{ path: 'PaxHeader/x', type: 'x', data: paxRecords({ path: '../pax-evil' }) }, { path: 'demo/innocent', data: text('x') }]), /\.\.\/pax-evil: path traversal/),
    c('pax-oversized', withEntries([{ path: 'PaxHeader/x', type: 'x', data: paxRecords({ comment: 'c'.repeat(100 * 1024) }) }, { path: 'demo/after', data: text('x') }]), /extended header over/),
    c('second-top-folder', withEntries([{ path: 'other/evil.yaml', data: text('x') }]), /other\/evil\.yaml: outside the chart folder demo\//),
    c('root-file', buildTgz([{ path: 'Chart.yaml', data: chartYaml() }]), /Chart\.yaml: file at the archive root/),
    c('duplicate', withEntries([{ path: 'demo/values.yaml', data: text('evil: 1\n') }]), /demo\/values\.yaml: duplicate entry name/),
    c('case-duplicate', withEntries([{ path: 'demo/VALUES.yaml', data: text('evil: 1\n') }]), /demo\/VALUES\.yaml: duplicate entry name \(collides with demo\/values\.yaml\)/),
    c('missing-chart-yaml', buildTgz([{ path: 'demo/values.yaml', data: text('a: 1\n') }]), /demo\/Chart\.yaml: Chart\.yaml is missing/),
    c('unparsable-chart-yaml', buildTgz(chartEntries([], text('name: [unclosed\n'))), /demo\/Chart\.yaml: invalid YAML/),
    c('chart-yaml-not-mapping', buildTgz(chartEntries([], text('- a\n- b\n'))), /expected a YAML mapping/),
    c('chart-yaml-no-version', buildTgz(chartEntries([], text('apiVersion: v2\nname: demo\n'))), /version is required/),
    c('chart-yaml-js-function', buildTgz(chartEntries([], text('apiVersion: v2\nname: demo\nversion: !!js/function "function(){}"\n'))), /unknown scalar tag/),
    c('chart-yaml-alias-bomb', buildTgz(chartEntries([], text(yamlAliasBomb()))), /alias/),
    c('values-alias-bomb', buildTgz([{ path: 'demo/Chart.yaml', data: chartYaml() }, { path: 'demo/values.yaml', data: text(yamlAliasBomb()) }]), /demo\/values\.yaml: .*alias/),
    c('chart-yaml-oversized', buildTgz(chartEntries([], Buffer.concat([chartYaml(), text(`# ${'x'.repeat(70 * 1024)}\n`)]))), /demo\/Chart\.yaml: \d+ bytes, over the 65536 allowed/),
    c('tar-bomb-ratio', buildTgz(chartEntries([{ path: 'demo/zeros.bin', data: zeros }])), /chart: compression ratio over 100:1 \(tar bomb\?\)/, { ...L, maxEntryBytes: 8 * MiB, maxTotalBytes: 8 * MiB }),
    c('tar-bomb-entry-cap', buildTgz(chartEntries([{ path: 'demo/zeros.bin', data: zeros }])), /demo\/zeros\.bin: 3145728 bytes, over the 2097152 allowed for one entry/, { ...L, maxRatio: 100000 }),
    c('tar-bomb-total-cap', buildTgz(chartEntries([1, 2, 3].map((i) => ({ path: `demo/z${i}.bin`, data: Buffer.alloc(1.5 * MiB) })))), /inflates past the 4194304-byte cap/, { ...L, maxRatio: 100000 }),
    c('too-many-entries', buildTgz(chartEntries(Array.from({ length: 1100 }, (_, i) => ({ path: `demo/f${i}`, data: text('x') })))), /more than 1024 entries/),
    c('truncated', (() => {
      const t = buildTgz(chartEntries([{ path: 'demo/big.txt', data: text('lorem ipsum '.repeat(2000)) }]));
      return t.subarray(0, Math.floor(t.length / 2));
    })(), /corrupt chart archive|unexpected end/),
    c('bad-checksum', buildTgz(chartEntries([{ path: 'demo/bad', data: text('x'), badChecksum: true }])), /corrupt chart archive|checksum/),
    c('not-gzip', buildTar(chartEntries()), /not a gzip-compressed tar/),
    c('gzip-in-gzip', zlib.gzipSync(buildTgz(chartEntries())), /gzip inside gzip/),
    c('empty-tar', zlib.gzipSync(Buffer.alloc(1024)), /empty chart archive|corrupt chart archive/),
    c('zip-named-tgz', Buffer.from('504b0304', 'hex'), /not a gzip-compressed tar/),
    c('too-deep', withEntries([]), /nested 3 levels deep/, L, 3),
    c('subchart-bomb', withEntries([{ path: 'demo/charts/', type: '5' }, { path: 'demo/charts/sub.tgz', data: buildTgz([{ path: 'sub/Chart.yaml', data: chartYaml({ name: 'sub' }) }, { path: 'sub/../../x', data: text('x') }]) }]), /sub\.tgz!\/sub\/\.\.\/\.\.\/x: path traversal/),
  ];
}
