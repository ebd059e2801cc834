import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { isDomainError } from '../errors.js';
import type { ArchiveLimits } from './archive-limits.js';
import { invalidPackage } from './package-errors.js';
import { loadYaml, loadYamlMapping } from './safe-yaml.js';
import { EntryNameSet, printable, qualify, unsafeNameReason } from './zip-archive.js';

/**
 * A Helm chart archive (.tgz) checked and described without extracting it.
 *
 * The gzip stream is inflated here, with every byte counted against the archive caps, and the tar stream is parsed
 * by node-tar's Parser in strict mode (a bad checksum or a truncated archive is an error, not a warning). Only
 * regular files and directories inside one top-level chart folder are allowed: links, devices and FIFOs, unsafe or
 * duplicate names refuse the whole chart, as in the zip rules. Chart.yaml is parsed with the string-preserving YAML
 * loader, so `version: 1.10` stays "1.10". Subcharts packed as `charts/*.tgz` are inspected the same way, one level
 * deeper.
 */
export interface ChartInfo {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  apiVersion: string;
  /** Regular files, as paths inside the chart folder (without the folder itself), in archive order. */
  files: string[];
  /** The chart's default values.yaml, as text (already checked to parse). */
  valuesYaml?: string;
}

const RATIO_FLOOR = 1024 * 1024;
/** pax and GNU long-name headers; node-tar would silently skip a bigger one, so such an entry is refused. */
const MAX_META_ENTRY_BYTES = 64 * 1024;
const SUBCHART = /^charts\/[^/]+\.tgz$/;
const NOT_ALLOWED: Partial<Record<ReadEntry['type'], string>> = {
  SymbolicLink: 'symbolic links',
  Link: 'hard links',
  CharacterDevice: 'device files',
  BlockDevice: 'device files',
  FIFO: 'FIFOs',
};

/** Checks and describes a chart .tgz; `source` names it in messages (`source!/path`). */
export async function inspectChartTgz(buf: Buffer, limits: ArchiveLimits, depth: number, source = 'chart'): Promise<ChartInfo> {
  if (depth > limits.maxDepth) throw invalidPackage(`archive nested ${depth} levels deep, over the ${limits.maxDepth} allowed`, printable(source));
  if (buf.length > limits.maxNestedArchiveBytes) {
    throw invalidPackage(`chart archive of ${buf.length} bytes is over the ${limits.maxNestedArchiveBytes} allowed`, printable(source));
  }
  if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) throw invalidPackage('not a gzip-compressed tar archive (.tgz)', printable(source));

  const scan = await scanTar(buf, limits, source);
  const chartYamlPath = `${scan.top}/Chart.yaml`;
  if (!scan.chartYaml) throw invalidPackage('Chart.yaml is missing from the chart folder', qualify(source, chartYamlPath));
  const info = describeChart(decodeUtf8(scan.chartYaml, qualify(source, chartYamlPath)), qualify(source, chartYamlPath));

  let valuesYaml: string | undefined;
  if (scan.valuesYaml) {
    const where = qualify(source, `${scan.top}/values.yaml`);
    valuesYaml = decodeUtf8(scan.valuesYaml, where);
    loadYaml(valuesYaml, where); // parses, within the alias and depth caps; the content is Helm's business
  }
  for (const sub of scan.subcharts) await inspectChartTgz(sub.data, limits, depth + 1, `${source}!/${sub.path}`);
  return { ...info, files: scan.files, ...(valuesYaml !== undefined ? { valuesYaml } : {}) };
}

interface TarScan {
  top: string;
  files: string[];
  chartYaml?: Buffer;
  valuesYaml?: Buffer;
  subcharts: { path: string; data: Buffer }[];
}

/** Inflates and walks the tar once, keeping only Chart.yaml, values.yaml and packed subcharts in memory. */
function scanTar(buf: Buffer, limits: ArchiveLimits, source: string): Promise<TarScan> {
  return new Promise<TarScan>((resolve, reject) => {
    const walker = new ChartWalker(limits, source);
    const gunzip = zlib.createGunzip();
    // brotli/zstd off: a chart is gzip, and the tar inside must not be compressed again (a second, uncounted inflate).
    const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: MAX_META_ENTRY_BYTES });
    let settled = false;
    let inflated = 0;
    // node-tar keeps every byte written after the end-of-archive blocks, concatenating each chunk onto one buffer
    // (quadratic time, unbounded memory): a chart followed by a few hundred MB of zeros hung the process. Whatever
    // follows the end of the tar is not part of the chart (Helm's reader stops there too), so from then on it is only
    // inflated and counted against the caps, never handed to the parser.
    let tarEnded = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      reject(isDomainError(e) ? e : invalidPackage(`corrupt chart archive: ${printable(e instanceof Error ? e.message : String(e))}`, printable(source)));
    };
    // Handlers run inside parser.write(); anything they throw must end here, not escape from a zlib callback.
    const guarded =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (settled) return;
        try {
          fn(...args);
        } catch (e) {
          fail(e);
        }
      };

    gunzip.on(
      'data',
      guarded((chunk: Buffer) => {
        if (inflated === 0 && chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) throw invalidPackage('gzip inside gzip is not a chart archive', printable(source));
        inflated += chunk.length;
        if (inflated > limits.maxTotalBytes) throw invalidPackage(`inflates past the ${limits.maxTotalBytes}-byte cap for one archive`, printable(source));
        if (inflated > RATIO_FLOOR && inflated / buf.length > limits.maxRatio) throw invalidPackage(`compression ratio over ${limits.maxRatio}:1 (tar bomb?)`, printable(source));
        if (!tarEnded) parser.write(chunk);
      }),
    );
    gunzip.on('end', guarded(() => parser.end()));
    gunzip.on('error', fail);
    parser.on('error', fail);
    parser.on('eof', () => {
      tarEnded = true;
    });
    parser.on(
      'entry',
      guarded((entry: ReadEntry) => walker.onEntry(entry, fail)),
    );
    parser.on(
      'ignoredEntry',
      guarded((entry: ReadEntry) => {
        const what = entry.meta ? `extended header over ${MAX_META_ENTRY_BYTES} bytes` : `unsupported tar entry type ${entry.type}`;
        throw invalidPackage(what, qualify(source, entry.path));
      }),
    );
    parser.on(
      'end',
      guarded(() => {
        const scan = walker.finish();
        settled = true;
        resolve(scan);
      }),
    );
    gunzip.end(buf);
  });
}

/** Applies the entry rules as the parser emits entries, and collects the few files that are needed. */
class ChartWalker {
  private readonly names = new EntryNameSet();
  private readonly files: string[] = [];
  private readonly subcharts: { path: string; data: Buffer }[] = [];
  private chartYaml?: Buffer;
  private valuesYaml?: Buffer;
  private top?: string;
  private count = 0;

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly source: string,
  ) {}

  onEntry(entry: ReadEntry, fail: (e: unknown) => void): void {
    const where = qualify(this.source, entry.path);
    if (++this.count > this.limits.maxEntries) throw invalidPackage(`more than ${this.limits.maxEntries} entries`, printable(this.source));
    // The effective path, after any pax or GNU long-name header (as Helm's Go reader sees it).
    const bad = unsafeNameReason(entry.path);
    if (bad) throw invalidPackage(bad, where);
    const isDirectory = entry.type === 'Directory';
    if (!isDirectory && entry.type !== 'File' && entry.type !== 'OldFile') {
      throw invalidPackage(`${NOT_ALLOWED[entry.type] ?? `tar entries of type ${entry.type}`} are not allowed in a chart`, where);
    }
    const path = entry.path.replace(/\/$/, '');
    const dup = this.names.add(path, isDirectory);
    if (dup) throw invalidPackage(dup, where);
    const [top, ...rest] = path.split('/');
    if (this.top === undefined) this.top = top;
    else if (top !== this.top) throw invalidPackage(`outside the chart folder ${printable(this.top)}/ (a chart has one top-level folder)`, where);
    if (rest.length === 0 && !isDirectory) throw invalidPackage('file at the archive root; chart files belong in the chart folder', where);
    if (entry.size > this.limits.maxEntryBytes) throw invalidPackage(`${entry.size} bytes, over the ${this.limits.maxEntryBytes} allowed for one entry`, where);
    if (isDirectory) {
      entry.resume();
      return;
    }
    const inChart = rest.join('/');
    this.files.push(inChart);
    if (inChart === 'Chart.yaml' || inChart === 'values.yaml') {
      this.collect(entry, this.limits.maxDescriptorBytes, where, fail, (data) => {
        if (inChart === 'Chart.yaml') this.chartYaml = data;
        else this.valuesYaml = data;
      });
    } else if (SUBCHART.test(inChart)) {
      this.collect(entry, this.limits.maxNestedArchiveBytes, where, fail, (data) => this.subcharts.push({ path: entry.path, data }));
    } else {
      entry.resume(); // counted by the gunzip counter, not kept
    }
  }

  finish(): TarScan {
    if (this.top === undefined) throw invalidPackage('empty chart archive', printable(this.source));
    return { top: this.top, files: this.files, chartYaml: this.chartYaml, valuesYaml: this.valuesYaml, subcharts: this.subcharts };
  }

  private collect(entry: ReadEntry, max: number, where: string, fail: (e: unknown) => void, done: (data: Buffer) => void): void {
    if (entry.size > max) throw invalidPackage(`${entry.size} bytes, over the ${max} allowed for this file`, where);
    const chunks: Buffer[] = [];
    let bytes = 0;
    entry.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > max) fail(invalidPackage(`more than the ${max} bytes allowed for this file`, where));
      else chunks.push(chunk);
    });
    entry.on('end', () => done(Buffer.concat(chunks)));
  }
}

/** Chart.yaml's fields, as strings exactly as written; Helm 3 requires apiVersion, name and version. */
function describeChart(text: string, where: string): Omit<ChartInfo, 'files' | 'valuesYaml'> {
  const doc = loadYamlMapping(text, where);
  const required = (key: string): string => {
    const v = doc[key];
    if (typeof v !== 'string' || v.trim() === '') throw invalidPackage(`${key} is required and must be a string`, where);
    if (/[\u0000-\u001f\u007f]/.test(v)) throw invalidPackage(`${key} contains control characters`, where);
    return v;
  };
  const optional = (key: string): string | undefined => {
    const v = doc[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw invalidPackage(`${key} must be a string`, where);
    return v;
  };
  const name = required('name');
  if (/[/\\]/.test(name) || name === '.' || name === '..') throw invalidPackage('name must not contain path separators', where);
  const appVersion = optional('appVersion');
  const description = optional('description');
  return {
    name,
    version: required('version'),
    apiVersion: required('apiVersion'),
    ...(appVersion !== undefined ? { appVersion } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

function decodeUtf8(data: Buffer, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    throw invalidPackage('not valid UTF-8', where);
  }
}
