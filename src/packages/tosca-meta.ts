import { invalidPackage } from './package-errors.js';

/** One `Name:` block after the header: an artifact the package declares (`appd`, `image`, `SwImageDesc`...). */
export interface ToscaMetaArtifact {
  name: string;
  contentType?: string;
}

/**
 * `TOSCA-Metadata/TOSCA.meta` (CSAR) or `TOSCA_VNFD.meta` (nested APPD zip). Both are the same `Key: value`
 * text: a header block, then optional blank-line separated `Name:`/`Content-Type:` blocks.
 */
export interface ToscaMeta {
  /** Every header key, lower-cased (writers disagree on `Created-By` vs `Created-by`), value trimmed. */
  header: Record<string, string>;
  /** Path of the service template (or APPD zip) relative to the folder holding `TOSCA-Metadata/`. */
  entryDefinitions?: string;
  createdBy?: string;
  /** `TOSCA-Meta-File-Version` (TOSCA.meta) or `VNFD-Meta-File-Version` (TOSCA_VNFD.meta), kept as text. */
  metaFileVersion?: string;
  /** Kept as text: `3.25` and `1.1` are versions, not numbers. */
  csarVersion?: string;
  artifacts: ToscaMetaArtifact[];
}

/**
 * Parses TOSCA.meta text. The original read TOSCA_VNFD.meta as YAML and TOSCA.meta by prefix matching one exact
 * spelling; here both are read the same way, keys case-insensitively. A key repeated inside one block is
 * refused: two readers picking different `Entry-Definitions` is how a package shows one thing and deploys another.
 */
export function parseToscaMeta(text: string, what: string): ToscaMeta {
  const blocks = splitBlocks(text, what);
  const header = blocks[0] ?? {};
  const artifacts: ToscaMetaArtifact[] = [];
  for (const block of blocks.slice(1)) {
    // Blocks without Name: carry nothing this parser uses; they are tolerated rather than refused.
    const name = block['name'];
    if (name === undefined || name === '') continue;
    const contentType = block['content-type'];
    artifacts.push(contentType === undefined ? { name } : { name, contentType });
  }
  const meta: ToscaMeta = { header, artifacts };
  const entry = nonEmpty(header['entry-definitions']);
  if (entry !== undefined) meta.entryDefinitions = entry;
  const createdBy = nonEmpty(header['created-by']);
  if (createdBy !== undefined) meta.createdBy = createdBy;
  const fileVersion = nonEmpty(header['tosca-meta-file-version'] ?? header['vnfd-meta-file-version']);
  if (fileVersion !== undefined) meta.metaFileVersion = fileVersion;
  const csarVersion = nonEmpty(header['csar-version']);
  if (csarVersion !== undefined) meta.csarVersion = csarVersion;
  return meta;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * Splits into blank-line separated blocks of lower-cased keys. Blocks are built as Maps and turned into objects
 * with Object.fromEntries, so a key such as `__proto__` is an ordinary own property, never a prototype.
 */
function splitBlocks(text: string, what: string): Record<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') {
      current = null;
      lastKey = null;
      continue;
    }
    // TOSCA-Meta allows a value to continue on lines that start with a space (the manifest-file convention).
    if (/^[ \t]/.test(line) && current !== null && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey) ?? ''} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    const rawKey = colon > 0 ? line.slice(0, colon).trim() : '';
    if (rawKey === '') throw invalidPackage(`line ${i + 1} is not "Key: value"`, what);
    const key = rawKey.toLowerCase();
    if (current === null) {
      current = new Map();
      blocks.push(current);
    }
    if (current.has(key)) throw invalidPackage(`key "${rawKey}" appears twice in one block (line ${i + 1})`, what);
    current.set(key, line.slice(colon + 1).trim());
    lastKey = key;
  }
  return blocks.map((b) => Object.fromEntries(b));
}
