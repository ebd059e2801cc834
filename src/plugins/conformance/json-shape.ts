/** Parses a plugin's JSON answer into an object, or says why it is not one. */
export function jsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${what}: not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: not a JSON object: ${text.slice(0, 200)}`);
  return v as Record<string, unknown>;
}

export function expectArrayField(o: Record<string, unknown>, key: string, what: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new Error(`${what}: "${key}" is not an array (${JSON.stringify(v)})`);
  return v;
}
