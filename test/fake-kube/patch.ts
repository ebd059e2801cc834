// The patch formats the API server accepts, as far as helm and the plugin use them.

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * A strategic merge patch, approximated: lists of objects that carry a `name` merge by name (containers, ports,
 * env), other lists are replaced, and the `$patch` / `$setElementOrder` / `$retainKeys` directives are dropped.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k]) && v.every((e) => isObj(e) && typeof e['name'] === 'string')) {
      const merged = [...(out[k] as Json[])];
      for (const e of v as Record<string, Json>[]) {
        const i = merged.findIndex((m) => isObj(m) && m['name'] === e['name']);
        if (e['$patch'] === 'delete') {
          if (i >= 0) merged.splice(i, 1);
        } else if (i >= 0) merged[i] = strategicMergePatch(merged[i], e);
        else merged.push(strategicMergePatch(undefined, e));
      }
      out[k] = merged;
    } else out[k] = strategicMergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

/** RFC 6902 JSON patch: add, replace, remove, test. */
export function jsonPatch(target: Json, ops: JsonPatchOp[]): Json {
  const doc: Json = structuredClone(target);
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error('a JSON patch cannot replace the whole document');
    let parent: Json = doc;
    for (const p of parts) parent = Array.isArray(parent) ? parent[Number(p)] : isObj(parent) ? parent[p] : undefined;
    if (!isObj(parent) && !Array.isArray(parent)) throw new Error(`path ${op.path} does not exist`);
    if (op.op === 'test') {
      const cur = Array.isArray(parent) ? parent[Number(last)] : parent[last];
      if (JSON.stringify(cur) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(parent)) {
        if (last === '-') parent.push(op.value);
        else if (op.op === 'add') parent.splice(Number(last), 0, op.value);
        else parent[Number(last)] = op.value;
      } else parent[last] = op.value;
    } else throw new Error(`unsupported JSON patch op ${op.op}`);
  }
  return doc;
}
