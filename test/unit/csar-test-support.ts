// Test-side stand-ins for the archive readers: an in-memory PackageFiles, a yauzl-based unzip into it, a yazl zip
// writer to build nested APPD zips, and a minimal chart inspector (gunzip + ustar headers + Chart.yaml). They
// let the parser be tested on its own; the fixture tests also run it over the real ZipArchive/inspectChartTgz.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { ChartInfo, CsarParserDeps } from '../../src/packages/csar-parser.js';
import { invalidPackage } from '../../src/packages/package-errors.js';
import type { PackageFiles } from '../../src/packages/package-files.js';
import { loadYamlMapping } from '../../src/packages/safe-yaml.js';

export class MemoryFiles implements PackageFiles {
  private readonly entries: Map<string, Buffer>;

  constructor(entries: Record<string, string | Buffer> | Map<string, Buffer>) {
    this.entries = entries instanceof Map ? entries : new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  sizeOf(name: string): number {
    return this.get(name).length;
  }

  read(name: string, maxBytes: number): Promise<Buffer> {
    const b = this.get(name);
    if (b.length > maxBytes) return Promise.reject(invalidPackage(`entry of ${b.length} bytes is over the ${maxBytes} allowed`, name));
    return Promise.resolve(b);
  }

  sha256(name: string): Promise<string> {
    return Promise.resolve(createHash('sha256').update(this.get(name)).digest('hex'));
  }

  private get(name: string): Buffer {
    const b = this.entries.get(name);
    if (b === undefined) throw invalidPackage('no such entry', name);
    return b;
  }
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every file entry of a zip, directories left out. */
export async function unzipToMemory(buf: Buffer): Promise<MemoryFiles> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const e of zip.eachEntry()) {
    if (e.fileName.endsWith('/')) continue;
    entries.set(e.fileName, await drain(await zip.openReadStreamPromise(e)));
  }
  zip.close();
  return new MemoryFiles(entries);
}

export async function zipBuffer(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  zip.end();
  return drain(zip.outputStream as Readable);
}

/** Chart.yaml of a chart .tgz: the first `<dir>/Chart.yaml` in the tar. */
export function inspectChartForTest(buf: Buffer): Promise<ChartInfo> {
  const tar = gunzipSync(buf);
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const cstr = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const prefix = cstr(345, 155);
    const name = prefix === '' ? cstr(0, 100) : `${prefix}/${cstr(0, 100)}`;
    const size = Number.parseInt(cstr(124, 12).trim() || '0', 8);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (/^[^/]+\/Chart\.yaml$/.test(name)) {
      const chart = loadYamlMapping(body.toString('utf8'), name);
      const info: ChartInfo = { name: String(chart['name']), version: String(chart['version']) };
      if (typeof chart['appVersion'] === 'string') info.appVersion = chart['appVersion'];
      return Promise.resolve(info);
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return Promise.reject(invalidPackage('no Chart.yaml in the chart archive'));
}

/** Parser dependencies built from the stand-ins above. */
export const memoryDeps: CsarParserDeps = {
  openNestedZip: (buf) => unzipToMemory(buf),
  inspectChart: (buf) => inspectChartForTest(buf),
};
