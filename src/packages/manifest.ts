import { invalidPackage } from './package-errors.js';

/**
 * The `metadata:` block of a package manifest (`<name>.mf`). Values are kept whole (the original cut them at the
 * second colon, turning `2020-11-11T13:46:00+00:00` into `2020-11-11T13`) and surrounding quotes are stripped
 * (the original kept `"2.0"` with its quotes).
 */
export interface ManifestMetadata {
  appProductName?: string;
  appProviderId?: string;
  appPackageVersion?: string;
  appReleaseDateTime?: string;
  appType?: string;
  appClass?: string;
  appPackageDescription?: string;
  /** Every `key: value` of the block, keys lower-cased, including ones this type does not name. */
  all: Record<string, string>;
}

/** One `Source:` block; `algorithm` and `hash` are absent when the manifest lists the file without a digest. */
export interface ManifestSource {
  source: string;
  algorithm?: string;
  /** Lower-cased hex. */
  hash?: string;
}

export interface Manifest {
  metadata: ManifestMetadata;
  sources: ManifestSource[];
  /** A `-----BEGIN CMS-----` ... `-----END CMS-----` block is present. It is not verified here. */
  signed: boolean;
}

/**
 * Metadata keys and the field each fills. The second group are the older (SOL004-like) spellings found in the
 * face-recognition package (`app_name`, `app_provider`, `app_archive_version`, `app_release_date_time`); when both
 * spellings are present the EdgeGallery one wins.
 */
const PRIMARY_KEYS: Record<string, keyof Omit<ManifestMetadata, 'all'>> = {
  app_product_name: 'appProductName',
  app_provider_id: 'appProviderId',
  app_package_version: 'appPackageVersion',
  app_release_data_time: 'appReleaseDateTime',
  app_type: 'appType',
  app_class: 'appClass',
  app_package_description: 'appPackageDescription',
};
const ALIAS_KEYS: Record<string, keyof Omit<ManifestMetadata, 'all'>> = {
  app_name: 'appProductName',
  app_provider: 'appProviderId',
  app_archive_version: 'appPackageVersion',
  app_release_date_time: 'appReleaseDateTime',
};

const CMS_BEGIN = '-----BEGIN CMS-----';
const CMS_END = '-----END CMS-----';

type Section = 'preamble' | 'metadata' | 'body' | 'nonMano' | 'cms';

/**
 * Parses manifest text: `metadata:` then `key: value` lines up to a blank line; `Source:`/`Algorithm:`/`Hash:`
 * blocks; an optional `non_mano_artifact_sets:` section (its indented `Source:` lines name artifacts, not
 * digests, and are skipped); an optional CMS signature. Unknown lines are ignored, as the original did.
 */
export function parseManifest(text: string, what: string): Manifest {
  const meta = new Map<string, string>();
  const sources: ManifestSource[] = [];
  let current: ManifestSource | null = null;
  let section: Section = 'preamble';
  let signed = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trim();
    if (section === 'cms') {
      if (trimmed === CMS_END) {
        signed = true;
        section = 'body';
      }
      continue;
    }
    if (trimmed === CMS_BEGIN) {
      section = 'cms';
      continue;
    }
    if (trimmed === '') {
      if (section === 'metadata') section = 'body';
      continue;
    }
    const kv = splitKeyValue(trimmed);
    const key = kv?.key.toLowerCase();
    if (section === 'nonMano') {
      // The section lasts while lines are indented; a Source: at column 0 resumes the digest blocks.
      if (/^[ \t]/.test(line) || key !== 'source') continue;
      section = 'body';
    }
    if (key === 'metadata' && kv?.value === '') {
      section = 'metadata';
      continue;
    }
    if (key === 'non_mano_artifact_sets' && kv?.value === '') {
      section = 'nonMano';
      current = null;
      continue;
    }
    if (section === 'metadata' && kv && key !== 'source') {
      meta.set(key ?? '', unquote(kv.value));
      continue;
    }
    if (key === 'source') {
      section = 'body';
      current = { source: unquote(kv?.value ?? '') };
      if (current.source === '') throw invalidPackage(`line ${i + 1}: Source without a path`, what);
      sources.push(current);
      continue;
    }
    if (key === 'algorithm' || key === 'hash') {
      if (current === null) throw invalidPackage(`line ${i + 1}: ${kv?.key ?? key} without a preceding Source`, what);
      const value = unquote(kv?.value ?? '');
      if (key === 'algorithm') current.algorithm = value;
      else current.hash = value.toLowerCase();
    }
  }
  if (section === 'cms') throw invalidPackage(`${CMS_BEGIN} without ${CMS_END}`, what);
  return { metadata: toMetadata(meta), sources, signed };
}

function toMetadata(meta: Map<string, string>): ManifestMetadata {
  const out: ManifestMetadata = { all: Object.fromEntries(meta) };
  for (const [key, field] of Object.entries(ALIAS_KEYS)) {
    const v = meta.get(key);
    if (v !== undefined && v !== '') out[field] = v;
  }
  for (const [key, field] of Object.entries(PRIMARY_KEYS)) {
    const v = meta.get(key);
    if (v !== undefined && v !== '') out[field] = v;
  }
  return out;
}

function splitKeyValue(trimmed: string): { key: string; value: string } | null {
  const colon = trimmed.indexOf(':');
  if (colon <= 0) return null;
  return { key: trimmed.slice(0, colon).trim(), value: trimmed.slice(colon + 1).trim() };
}

/** Strips one pair of matching surrounding quotes: `"2.0"` → `2.0`. */
function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1);
  return v;
}
