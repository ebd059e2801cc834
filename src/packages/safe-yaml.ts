import { FAILSAFE_SCHEMA, loadAll, mergeTag, YAMLException } from 'js-yaml';
import { invalidPackage } from './package-errors.js';

/**
 * Loading YAML from packages (Chart.yaml, values.yaml, TOSCA descriptors) without trusting it.
 *
 * Every plain scalar stays the string it was written as (`1.10`, `0777`, `yes`, `~` included): the failsafe schema
 * resolves no implicit types, so a version `1.10` can never turn into the float 1.1. Typed coercion is the job of the
 * mapper that knows which field is a number. Merge keys (`<<`) are kept because Helm and the original Java/Python
 * tooling honour them; without them a descriptor would silently read differently here than there.
 */
const SCHEMA = FAILSAFE_SCHEMA.withTags(mergeTag);

export interface YamlLimits {
  /** Characters of input; bigger documents are refused before parsing. */
  maxChars: number;
  /** Alias nodes (`*ref`) per document. */
  maxAliases: number;
  /** Nesting of the document as written. */
  maxDepth: number;
  /** Keys copied by merge (`<<`) in one load. */
  maxTotalMergeKeys: number;
  /** Nesting once aliases are followed (what JSON.stringify or GraphQL would walk). */
  maxExpandedDepth: number;
  /**
   * Size of the value with every alias expanded (string lengths plus one per node), on top of four times the input
   * length. js-yaml keeps aliases as shared references, so a 300-byte billion-laughs loads in milliseconds with only
   * 72 aliases and explodes later, in JSON.stringify, JSONB or a GraphQL response; this is what catches it.
   */
  maxExpansionBytes: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxChars: 4 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxTotalMergeKeys: 1000,
  maxExpandedDepth: 128,
  maxExpansionBytes: 1024 * 1024,
};

/**
 * Parses one YAML document. An empty document (nothing, or only comments) gives `null`; what the document must look
 * like is for the caller to check. Every failure is INVALID_PACKAGE naming `what`.
 */
export function loadYaml(text: string, what: string, limits: Partial<YamlLimits> = {}): unknown {
  const l = { ...DEFAULT_YAML_LIMITS, ...limits };
  if (text.length > l.maxChars) throw invalidPackage(`YAML document of ${text.length} characters is over the ${l.maxChars} allowed`, what);
  let docs: unknown[];
  try {
    docs = loadAll(text, {
      schema: SCHEMA,
      filename: what,
      maxAliases: l.maxAliases,
      maxDepth: l.maxDepth,
      maxTotalMergeKeys: l.maxTotalMergeKeys,
    });
  } catch (e) {
    throw invalidPackage(`invalid YAML: ${describeYamlError(e)}`, what);
  }
  if (docs.length > 1) throw invalidPackage(`expected one YAML document, found ${docs.length}`, what);
  const doc = docs[0] ?? null;
  checkExpansion(doc, l.maxExpansionBytes + 4 * text.length, l.maxExpandedDepth, what);
  return doc;
}

/** Like loadYaml, for documents that must be a mapping at the top (Chart.yaml, service templates). */
export function loadYamlMapping(text: string, what: string, limits: Partial<YamlLimits> = {}): Record<string, unknown> {
  const doc = loadYaml(text, what, limits);
  if (!isMapping(doc)) throw invalidPackage(`expected a YAML mapping at the top, found ${doc === null ? 'an empty document' : Array.isArray(doc) ? 'a sequence' : 'a scalar'}`, what);
  return doc;
}

export const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** js-yaml's reason and position, without its source snippet (which would echo package content into messages). */
function describeYamlError(e: unknown): string {
  if (e instanceof YAMLException) {
    const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    return `${printable(e.reason)}${at}`;
  }
  // Anything else thrown while parsing (a RangeError from a pathological input) is still the document's fault.
  return printable(e instanceof Error ? e.message : String(e));
}

/**
 * Walks the loaded value as a consumer would see it, aliases expanded, with one memo entry per shared object so the
 * walk itself stays linear in the size of the document. Also refuses self-referencing aliases (`&a [*a]`), which
 * js-yaml turns into a cyclic object.
 */
function checkExpansion(root: unknown, budget: number, maxDepth: number, what: string): void {
  // Per shared object: its expanded weight and its height (how many levels of objects hang below it). The height is
  // what keeps the depth check honest on a memo hit: `l1: &l1 [*l0]`, `l2: &l2 [*l1]`, ... is first walked at depth
  // 1 each, but l140 still expands 140 levels deep wherever it is used.
  const memo = new Map<object, { weight: number; height: number }>();
  const onPath = new Set<object>();
  const tooBig = (): Error => invalidPackage(`YAML expands past ${budget} bytes through aliases (alias bomb?)`, what);
  const tooDeep = (): Error => invalidPackage(`YAML nests deeper than ${maxDepth} levels through aliases`, what);
  const weigh = (v: unknown, depth: number): { weight: number; height: number } => {
    if (typeof v === 'string') return { weight: v.length + 1, height: -1 };
    if (typeof v !== 'object' || v === null) return { weight: 1, height: -1 };
    const known = memo.get(v);
    if (known !== undefined) {
      if (depth + known.height > maxDepth) throw tooDeep();
      return known;
    }
    if (onPath.has(v)) throw invalidPackage('YAML alias refers to itself', what);
    if (depth > maxDepth) throw tooDeep();
    onPath.add(v);
    let weight = 1;
    let height = 0;
    const children: Iterable<[string, unknown]> = Array.isArray(v) ? v.map((x): [string, unknown] => ['', x]) : Object.entries(v);
    for (const [key, child] of children) {
      const c = weigh(child, depth + 1);
      weight += key.length + c.weight;
      height = Math.max(height, c.height + 1);
      if (weight > budget) throw tooBig();
    }
    onPath.delete(v);
    const result = { weight, height };
    memo.set(v, result);
    return result;
  };
  if (weigh(root, 0).weight > budget) throw tooBig();
}

/** Control and bidi characters escaped, length capped: the text may come from the package. */
function printable(s: string): string {
  const cut = s.length > 200 ? `${s.slice(0, 200)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
