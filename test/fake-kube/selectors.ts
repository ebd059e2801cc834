// Label and field selectors as the API server reads them from `labelSelector` / `fieldSelector`.

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  generateName?: string;
  [k: string]: unknown;
}

type Predicate = (o: KubeObject) => boolean;

/** Splits on commas outside parentheses: `a in (x,y),b=c` → [`a in (x,y)`, `b=c`]. */
function requirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

export function labelSelector(text: string | null): Predicate {
  if (!text) return () => true;
  const preds: ((labels: Record<string, string>) => boolean)[] = requirements(text).map((req) => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(req);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      return op === 'in' ? (l) => l[key] !== undefined && values.has(l[key]) : (l) => l[key] === undefined || !values.has(l[key]);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (req.startsWith('!')) return (l) => l[req.slice(1)] === undefined;
    return (l) => l[req] !== undefined;
  });
  return (o) => preds.every((p) => p(o.metadata.labels ?? {}));
}

function valueAt(o: unknown, dotted: string): string {
  let v: unknown = o;
  for (const k of dotted.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

export function fieldSelector(text: string | null): Predicate {
  if (!text) return () => true;
  const preds: Predicate[] = requirements(text).map((req) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(req);
    if (!m) throw new Error(`unsupported field selector ${req}`);
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o) => valueAt(o, key) !== value : (o) => valueAt(o, key) === value;
  });
  return (o) => preds.every((p) => p(o));
}
