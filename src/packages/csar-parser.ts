import { buildAppDescriptor, parseSwImageDesc, readServiceTemplate, type AppDescriptor, type ChartRef } from './appd.js';
import type { ArchiveLimits } from './archive-limits.js';
import { parseManifest, type Manifest, type ManifestMetadata } from './manifest.js';
import { invalidPackage } from './package-errors.js';
import type { PackageFiles } from './package-files.js';
import { loadYamlMapping } from './safe-yaml.js';
import { parseToscaMeta, type ToscaMeta } from './tosca-meta.js';
import { DomainError, isDomainError } from '../errors.js';

/** What the parser needs of a chart: Chart.yaml's identity. */
export interface ChartInfo {
  name: string;
  version: string;
  appVersion?: string;
}

/**
 * The archive readers the parser works through, injected so that the parser never opens files itself and tests
 * can hand it in-memory packages. `depth` is the nesting level of the archive being opened (the CSAR is 0);
 * `source` is its entry name in the package, for messages.
 */
export interface CsarParserDeps {
  /** Opens a nested zip held in memory (the APPD archive). Closed after parsing when it has a `close()`. */
  openNestedZip: (buf: Buffer, depth: number, source: string) => Promise<PackageFiles>;
  /** Reads a chart .tgz's Chart.yaml. */
  inspectChart: (buf: Buffer, depth: number, source: string) => Promise<ChartInfo>;
  /** YAML text → mapping, every plain scalar kept as a string; INVALID_PACKAGE otherwise. Defaults to safe-yaml. */
  loadYamlMapping?: (text: string, what: string) => Record<string, unknown>;
}

export interface CsarParseOptions {
  limits: ArchiveLimits;
  /** Refuse the package when a manifest digest does not match, names a missing file, or is missing. */
  strictIntegrity: boolean;
}

export type IntegrityStatus = 'VERIFIED' | 'MISMATCH' | 'ABSENT';

export interface IntegrityEntry {
  /** The manifest's `Source:` path, relative to the package root. */
  source: string;
  algorithm: string;
  expected: string;
  /** SHA-256 computed from the package; null when the file is absent or the algorithm is not supported. */
  actual: string | null;
  status: IntegrityStatus;
}

export interface PackageIntegrity {
  policy: 'LENIENT' | 'STRICT';
  /** A CMS signature block is present in the manifest. Its presence is reported; it is not verified (yet). */
  signed: boolean;
  entries: IntegrityEntry[];
}

export type ArtifactKind = 'MANIFEST' | 'META' | 'APPD' | 'CHART' | 'IMAGE_DESCRIPTOR' | 'IMAGE' | 'DOC' | 'OTHER';

export interface PackageArtifact {
  /** Entry path relative to the package root (`rootPrefix` + path is the zip entry name). */
  path: string;
  sizeBytes: number;
  kind: ArtifactKind;
}

export interface ParsedPackage {
  appd: AppDescriptor;
  manifest: { metadata: ManifestMetadata; signed: boolean };
  integrity: PackageIntegrity;
  artifacts: PackageArtifact[];
  /** `''` when the content is at the zip root, else the single top-level folder with its slash (`edgegallery_vm_openstack/`). */
  rootPrefix: string;
  /** Where the service template was read: a package path, or `<appd zip>!/<path inside it>`. */
  serviceTemplate: string;
  /** Things that were tolerated: fallbacks taken, values dropped, unverifiable manifest entries. */
  warnings: string[];
}

/** The CSAR is depth 0; its APPD zip and chart .tgz files are depth 1. */
const NESTED_DEPTH = 1;
const TOSCA_META = 'TOSCA-Metadata/TOSCA.meta';
const SW_IMAGE_DESC = 'Image/SwImageDesc.json';
const CHARTS_DIR = 'Artifacts/Deployment/Charts/';
/** Top-level folders of a CSAR: a package whose only top folder is one of these is at the root, not inside it. */
const CSAR_FOLDERS = new Set(['TOSCA-Metadata', 'APPD', 'Definitions', 'Artifacts', 'Image']);
/** Integrity problems listed in a strict-mode error before it says "and N more". */
const MAX_LISTED_PROBLEMS = 5;

/** An APPD zip opened from the package, kept so manifest digests can also be checked against its entries. */
interface NestedAppd {
  /** Path of the zip relative to the package root. */
  path: string;
  files: PackageFiles;
  root: string;
}

interface TemplateText {
  text: string;
  where: string;
  appd: NestedAppd | null;
}

/**
 * Parses a CSAR into a typed application descriptor, its manifest, an integrity report and an artifact list.
 * Every failure a package author can fix is INVALID_PACKAGE with a message naming the entry.
 */
export async function parseCsar(files: PackageFiles, deps: CsarParserDeps, options: CsarParseOptions): Promise<ParsedPackage> {
  const parse = new CsarParse(files, deps, options);
  try {
    return await parse.run();
  } finally {
    parse.closeNested();
  }
}

class CsarParse {
  private readonly warnings: string[] = [];
  /** APPD zips already opened, by path: the integrity check reuses the one the template came from. */
  private readonly appdCache = new Map<string, NestedAppd>();
  private readonly root: string;
  private readonly names: string[];
  private readonly loadYaml: (text: string, what: string) => Record<string, unknown>;

  constructor(
    private readonly files: PackageFiles,
    private readonly deps: CsarParserDeps,
    private readonly options: CsarParseOptions,
  ) {
    this.names = files.names();
    if (this.names.length === 0) throw invalidPackage('the package is empty');
    this.root = detectRoot(this.names);
    this.loadYaml = deps.loadYamlMapping ?? loadYamlMapping;
  }

  async run(): Promise<ParsedPackage> {
    const meta = this.has(TOSCA_META) ? parseToscaMeta(await this.readText(TOSCA_META), this.full(TOSCA_META)) : null;
    const { manifest, manifestPath } = await this.readManifest(meta);
    const template = await this.locateTemplate(meta);
    const integrity = await this.checkIntegrity(manifest, template.appd);

    const info = readServiceTemplate(this.loadYaml(template.text, template.where), template.where);
    this.warnings.push(...info.warnings.map((w) => `${template.where}: ${w}`));
    const swImages = this.has(SW_IMAGE_DESC) ? parseSwImageDesc(await this.readText(SW_IMAGE_DESC), this.full(SW_IMAGE_DESC)) : [];
    const charts = await this.readCharts();
    const appd = buildAppDescriptor({ template: info, manifest: manifest?.metadata ?? null, swImages, charts }, this.warnings);

    return {
      appd,
      manifest: { metadata: manifest?.metadata ?? { all: {} }, signed: manifest?.signed ?? false },
      integrity,
      artifacts: this.artifacts(manifestPath, new Set(charts.map((c) => c.path))),
      rootPrefix: this.root,
      serviceTemplate: template.where,
      warnings: this.warnings,
    };
  }

  /** Releases the APPD zips this parse opened (ZipArchive has close(); the PackageFiles interface does not). */
  closeNested(): void {
    for (const { files } of this.appdCache.values()) {
      const closable = files as PackageFiles & { close?: unknown };
      if (typeof closable.close === 'function') (closable.close as () => void).call(files);
    }
  }

  // -- manifest --------------------------------------------------------------------------------------------

  /**
   * The manifest is the file TOSCA.meta names in `ETSI-Entry-Manifest` (face-recognition), else the first `*.mf`
   * directly under the package root. Without one the package is refused in strict mode (nothing to verify
   * against) and tolerated with a warning otherwise.
   */
  private async readManifest(meta: ToscaMeta | null): Promise<{ manifest: Manifest | null; manifestPath: string | null }> {
    const named = meta?.header['etsi-entry-manifest'];
    let path: string | undefined;
    if (named !== undefined && named !== '') {
      const p = normalizePath(named, this.full(TOSCA_META));
      if (this.has(p)) path = p;
      else this.warnings.push(`${this.full(TOSCA_META)}: ETSI-Entry-Manifest names ${p}, which is not in the package`);
    }
    if (path === undefined) {
      const candidates = this.children('').filter((n) => n.toLowerCase().endsWith('.mf'));
      path = candidates[0];
      if (candidates.length > 1) this.warnings.push(`several manifests at the package root (${candidates.join(', ')}); ${path} is used`);
    }
    if (path === undefined) {
      if (this.options.strictIntegrity) throw invalidPackage('no manifest (*.mf) at the package root; strict integrity needs one');
      this.warnings.push('no manifest (*.mf) at the package root');
      return { manifest: null, manifestPath: null };
    }
    return { manifest: parseManifest(await this.readText(path), this.full(path)), manifestPath: path };
  }

  // -- service template ------------------------------------------------------------------------------------

  /**
   * Finds the service template. TOSCA.meta's Entry-Definitions names a YAML template or an APPD zip (whose own
   * TOSCA_VNFD.meta names the template inside). Without TOSCA.meta or Entry-Definitions the fallbacks are, in
   * order: the first APPD/*.zip, APPD/Definition/*.yaml, Definitions/*.yaml, each with a warning.
   */
  private async locateTemplate(meta: ToscaMeta | null): Promise<TemplateText> {
    const metaName = this.full(TOSCA_META);
    if (meta?.entryDefinitions !== undefined) {
      const entry = normalizePath(meta.entryDefinitions, metaName);
      if (isZip(entry)) {
        if (!this.has(entry)) throw invalidPackage(`Entry-Definitions points to ${entry} which is not in the package`, metaName);
        return this.templateInAppdZip(await this.openAppd(entry));
      }
      if (!isYaml(entry)) throw invalidPackage(`Entry-Definitions ${entry} is neither a service template (.yaml) nor an APPD archive (.zip)`, metaName);
      if (this.has(entry)) return { text: await this.readText(entry), where: this.full(entry), appd: null };
      // positioning-service names APPD/Definition/MainServiceTemplate.yaml, which exists only inside APPD/APPD.zip:
      // the original extracted that zip into APPD/ before reading. The same path is looked up inside the zip.
      const zip = entry.startsWith('APPD/') ? this.appdZips()[0] : undefined;
      if (zip !== undefined) {
        const appd = await this.openAppd(zip);
        const inner = appd.root + entry.slice('APPD/'.length);
        if (appd.files.has(inner)) {
          this.warnings.push(`${metaName}: Entry-Definitions ${entry} was found inside ${this.full(zip)}`);
          return { text: await readText(appd.files, inner, this.options.limits, `${this.full(zip)}!/${inner}`), where: `${this.full(zip)}!/${inner}`, appd };
        }
      }
      throw invalidPackage(`Entry-Definitions points to ${entry} which is not in the package`, metaName);
    }

    this.warnings.push(meta === null ? `no ${metaName}; the service template was looked for under APPD/ and Definitions/` : `${metaName} has no Entry-Definitions; the service template was looked for under APPD/ and Definitions/`);
    const zip = this.appdZips()[0];
    if (zip !== undefined) return this.templateInAppdZip(await this.openAppd(zip));
    for (const dir of ['APPD/Definition/', 'Definitions/']) {
      const yaml = pickTemplate(this.children(dir), dir, (d) => this.full(d));
      if (yaml !== undefined) return { text: await this.readText(yaml), where: this.full(yaml), appd: null };
    }
    throw invalidPackage('no service template found (TOSCA.meta Entry-Definitions, APPD/, Definitions/)');
  }

  /** Inside an APPD zip: TOSCA_VNFD.meta (or TOSCA-Metadata/TOSCA.meta) Entry-Definitions, else Definition/*.yaml. */
  private async templateInAppdZip(appd: NestedAppd): Promise<TemplateText> {
    const zipName = this.full(appd.path);
    const limits = this.options.limits;
    const nestedMeta = [`${appd.root}TOSCA_VNFD.meta`, `${appd.root}${TOSCA_META}`].find((n) => appd.files.has(n));
    const where = (inner: string) => `${zipName}!/${inner}`;
    if (nestedMeta !== undefined) {
      const meta = parseToscaMeta(await readText(appd.files, nestedMeta, limits, where(nestedMeta)), where(nestedMeta));
      if (meta.entryDefinitions !== undefined) {
        const inner = appd.root + normalizePath(meta.entryDefinitions, where(nestedMeta));
        if (!appd.files.has(inner)) throw invalidPackage(`Entry-Definitions points to ${inner} which is not in ${zipName}`, where(nestedMeta));
        if (!isYaml(inner)) throw invalidPackage(`Entry-Definitions ${inner} is not a service template (.yaml)`, where(nestedMeta));
        return { text: await readText(appd.files, inner, limits, where(inner)), where: where(inner), appd };
      }
    }
    this.warnings.push(`${zipName}: no TOSCA_VNFD.meta Entry-Definitions; the service template was looked for under Definition/`);
    const nestedNames = appd.files.names();
    for (const dir of [`${appd.root}Definition/`, appd.root]) {
      const yaml = pickTemplate(directChildren(nestedNames, dir), dir, where);
      if (yaml !== undefined) return { text: await readText(appd.files, yaml, limits, where(yaml)), where: where(yaml), appd };
    }
    throw invalidPackage('holds no service template (TOSCA_VNFD.meta Entry-Definitions, Definition/*.yaml)', zipName);
  }

  private async openAppd(path: string): Promise<NestedAppd> {
    const cached = this.appdCache.get(path);
    if (cached) return cached;
    const buf = await this.files.read(this.full(path), this.options.limits.maxNestedArchiveBytes);
    const files = await this.withEntry(path, () => this.deps.openNestedZip(buf, NESTED_DEPTH, this.full(path)));
    const names = files.names();
    const appd: NestedAppd = { path, files, root: names.length === 0 ? '' : detectRoot(names) };
    this.appdCache.set(path, appd);
    return appd;
  }

  /** APPD/*.zip directly under APPD/, in name order (the original took the first in directory order). */
  private appdZips(): string[] {
    return this.children('APPD/').filter(isZip);
  }

  // -- charts ----------------------------------------------------------------------------------------------

  /** Every .tgz directly under Artifacts/Deployment/Charts, named by its Chart.yaml. */
  private async readCharts(): Promise<ChartRef[]> {
    const charts: ChartRef[] = [];
    for (const path of this.children(CHARTS_DIR).filter((n) => /\.(tgz|tar\.gz)$/i.test(n))) {
      const buf = await this.files.read(this.full(path), this.options.limits.maxNestedArchiveBytes);
      const chart = await this.withEntry(path, () => this.deps.inspectChart(buf, NESTED_DEPTH, this.full(path)));
      const ref: ChartRef = { path, name: chart.name, version: chart.version };
      if (chart.appVersion !== undefined && chart.appVersion !== '') ref.appVersion = chart.appVersion;
      charts.push(ref);
    }
    return charts;
  }

  // -- integrity -------------------------------------------------------------------------------------------

  /**
   * Checks each manifest `Source` that carries a digest: VERIFIED when the SHA-256 matches, MISMATCH when it
   * differs, ABSENT when the file is not in the package. A source under APPD/ that is not in the package but is
   * in the APPD zip the template came from is checked there (positioning-service lists
   * APPD/Definition/MainServiceTemplate.yaml, which only exists inside APPD/APPD.zip).
   *
   * Only SHA-256 is supported. Any other algorithm is recorded as MISMATCH with `actual: null`: the statuses stay
   * the three the API promises, and an unverifiable digest must never read as verified, nor pass strict mode.
   * Sources listed without a digest (face-recognition) are not entries; they are warned about in lenient mode and
   * refused in strict mode. Strict mode refuses any MISMATCH or ABSENT; lenient mode records them.
   */
  private async checkIntegrity(manifest: Manifest | null, appd: NestedAppd | null): Promise<PackageIntegrity> {
    const strict = this.options.strictIntegrity;
    const entries: IntegrityEntry[] = [];
    const problems: string[] = [];
    const undigested: string[] = [];
    for (const s of manifest?.sources ?? []) {
      if (s.hash === undefined || s.hash === '') {
        undigested.push(s.source);
        continue;
      }
      const algorithm = s.algorithm ?? '';
      const entry: IntegrityEntry = { source: s.source, algorithm, expected: s.hash, actual: null, status: 'ABSENT' };
      const located = this.locateSource(s.source, appd);
      if (located === null) {
        problems.push(`${s.source} is not in the package`);
      } else if (!isSha256(algorithm)) {
        entry.status = 'MISMATCH';
        problems.push(`${s.source}: unsupported digest algorithm ${JSON.stringify(algorithm)} (only SHA-256)`);
      } else {
        entry.actual = await located.files.sha256(located.name);
        entry.status = entry.actual === s.hash ? 'VERIFIED' : 'MISMATCH';
        if (entry.status === 'MISMATCH') problems.push(`${s.source}: SHA-256 mismatch`);
      }
      entries.push(entry);
    }
    if (undigested.length > 0) problems.push(`${undigested.length} manifest Source(s) without a digest (${undigested.join(', ')})`);
    if (strict && problems.length > 0) {
      const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
      const more = problems.length > MAX_LISTED_PROBLEMS ? ` and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
      throw invalidPackage(`integrity check failed: ${listed}${more}`);
    }
    if (undigested.length > 0) this.warnings.push(`${undigested.length} manifest Source(s) without a digest, not verified: ${undigested.join(', ')}`);
    return { policy: strict ? 'STRICT' : 'LENIENT', signed: manifest?.signed ?? false, entries };
  }

  private locateSource(source: string, appd: NestedAppd | null): { files: PackageFiles; name: string } | null {
    let path: string;
    try {
      path = normalizePath(source, 'manifest');
    } catch {
      return null; // a Source with `..` names nothing inside the package
    }
    if (this.has(path)) return { files: this.files, name: this.full(path) };
    if (appd !== null && path.startsWith('APPD/') && appd.files.has(appd.root + path.slice('APPD/'.length))) {
      return { files: appd.files, name: appd.root + path.slice('APPD/'.length) };
    }
    return null;
  }

  // -- artifacts -------------------------------------------------------------------------------------------

  private artifacts(manifestPath: string | null, charts: Set<string>): PackageArtifact[] {
    return this.names
      .filter((n) => n.startsWith(this.root))
      .map((n) => {
        const path = n.slice(this.root.length);
        return { path, sizeBytes: this.files.sizeOf(n), kind: artifactKind(path, manifestPath, charts) };
      });
  }

  // -- helpers ---------------------------------------------------------------------------------------------

  private full(path: string): string {
    return this.root + path;
  }

  private has(path: string): boolean {
    return this.files.has(this.full(path));
  }

  /** Files directly inside `dir` (relative to the root), as root-relative paths, in name order. */
  private children(dir: string): string[] {
    return directChildren(this.names, this.root + dir).map((n) => n.slice(this.root.length));
  }

  private readText(path: string): Promise<string> {
    return readText(this.files, this.full(path), this.options.limits, this.full(path));
  }

  /** Prefixes an archive reader's error with the entry it was reading, keeping its code. */
  private async withEntry<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isDomainError(e) && !e.message.includes(this.full(path))) {
        throw new DomainError(e.code, `${this.full(path)}: ${e.message}`, { ...e.details, entry: this.full(path) });
      }
      throw e;
    }
  }
}

/**
 * The root folder: `''` when anything sits at the zip root or the only top-level folder is a CSAR folder, else
 * the single top-level folder every entry is under (face-recognition, vm-openstack).
 */
function detectRoot(names: string[]): string {
  const tops = new Set<string>();
  for (const n of names) {
    const slash = n.indexOf('/');
    if (slash < 0) return '';
    tops.add(n.slice(0, slash));
    if (tops.size > 1) return '';
  }
  const [top] = [...tops];
  return top === undefined || CSAR_FOLDERS.has(top) ? '' : `${top}/`;
}

function directChildren(names: string[], dir: string): string[] {
  return names.filter((n) => n.startsWith(dir) && n.length > dir.length && !n.slice(dir.length).includes('/')).sort();
}

/**
 * One template out of a folder's YAML files: the only one, else MainServiceTemplate.yaml; several others are
 * ambiguous and refused rather than guessed.
 */
function pickTemplate(children: string[], dir: string, display: (p: string) => string): string | undefined {
  const yamls = children.filter(isYaml);
  if (yamls.length <= 1) return yamls[0];
  const main = yamls.find((y) => /(^|\/)MainServiceTemplate\.ya?ml$/.test(y));
  if (main !== undefined) return main;
  throw invalidPackage(`several service templates under ${display(dir)} (${yamls.join(', ')}); name one in TOSCA.meta Entry-Definitions`);
}

/**
 * A path written inside the package (Entry-Definitions, Source) as an entry name: forward slashes, no leading
 * `./` or `/`. `..` is refused: package paths never leave the package.
 */
function normalizePath(raw: string, what: string): string {
  const segments = raw.trim().replaceAll('\\', '/').split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw invalidPackage(`empty path ${JSON.stringify(raw)}`, what);
  if (segments.includes('..')) throw invalidPackage(`path ${JSON.stringify(raw)} leaves the package`, what);
  return segments.join('/');
}

const isZip = (p: string): boolean => p.toLowerCase().endsWith('.zip');
const isYaml = (p: string): boolean => /\.ya?ml$/i.test(p);
const isSha256 = (algorithm: string): boolean => /^sha-?256$/i.test(algorithm.trim());

/** Reads a descriptor as UTF-8 text, capped at maxDescriptorBytes; a byte-order mark is dropped. */
async function readText(files: PackageFiles, name: string, limits: ArchiveLimits, what: string): Promise<string> {
  const buf = await files.read(name, limits.maxDescriptorBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw invalidPackage('is not UTF-8 text', what);
  }
}

function artifactKind(path: string, manifestPath: string | null, charts: Set<string>): ArtifactKind {
  if (path === manifestPath || (!path.includes('/') && path.toLowerCase().endsWith('.mf'))) return 'MANIFEST';
  if (path.startsWith('TOSCA-Metadata/') || (path.startsWith('APPD/') && /(^|\/)TOSCA_VNFD\.meta$/.test(path))) return 'META';
  if (charts.has(path)) return 'CHART';
  if (path === SW_IMAGE_DESC) return 'IMAGE_DESCRIPTOR';
  if (path.startsWith('Image/')) return 'IMAGE';
  if (path.startsWith('APPD/') || path.startsWith('Definitions/')) return 'APPD';
  if (path.startsWith('Artifacts/Docs/') || path.startsWith('Artifacts/Informational/') || path === 'Artifacts/ChangeLog.txt') return 'DOC';
  return 'OTHER';
}
