import { badInput } from '../../errors.js';
import { checkText, NAME_RE } from '../../services/validation.js';
import { Message } from '../lcmcontroller/ret-codes.js';

/**
 * Typed readers of the rescontroller's JSON bodies. appo builds them with Jackson (nulls included, some numbers as
 * strings) and with its own spellings of a few fields, the original's clients with the original's: a null is an
 * absent field, numbers may come as decimal text, and where both spellings name a field they must agree. Every
 * refusal is BAD_USER_INPUT naming the field (400 `31400` with the text, unless the route names another).
 */
export type Json = Record<string, unknown>;

/** The body as an object; anything else is the original's unmarshal failure. */
export function objectBody(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('body', Message.UNMARSHAL_FAILED);
  return body as Json;
}

/** A nested object (absent: undefined). */
export function object(o: Json, key: string, field = key): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badInput(field, `${field} must be an object`);
  return v as Json;
}

/** The value under the first of `keys` present; two spellings present with different values are refused. */
function spelled(o: Json, keys: readonly string[], field: string): unknown {
  const present = keys.map((k) => o[k]).filter((v) => v !== undefined && v !== null);
  if (present.some((v) => JSON.stringify(v) !== JSON.stringify(present[0]))) throw badInput(field, `${keys.join(' and ')} disagree`);
  return present[0];
}

/** Free text OpenStack validates further: at most `maxBytes`, no control characters (absent: ''). */
export function text(o: Json, keys: string | readonly string[], field: string, maxBytes = 255): string {
  const list = typeof keys === 'string' ? [keys] : keys;
  const v = spelled(o, list, field);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw badInput(field, `${field} must be a string`);
  return checkText(v, { field, maxBytes });
}

/** A script or document (user data): line breaks and tabs are its content, so only the size is checked. */
export function script(o: Json, keys: readonly string[], field: string, maxBytes: number): string {
  const v = spelled(o, keys, field);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw badInput(field, `${field} must be a string`);
  if (Buffer.byteLength(v) > maxBytes) throw badInput(field, `${field} is longer than ${maxBytes} bytes`);
  return v;
}

/** A name as the original rescontroller checks it: NameRegex, at most 15 bytes; `message` is its text. */
export function shortName(o: Json, key: string, field: string, message: string, required = true): string {
  const v = o[key] ?? '';
  if (typeof v !== 'string' || (required && v === '') || Buffer.byteLength(v) > 15 || !NAME_RE.test(v)) throw badInput(field, message);
  return v;
}

export function required(value: string, field: string): string {
  if (value === '') throw badInput(field, `${field} is required`);
  return value;
}

const INT32_MAX = 2 ** 31 - 1;

/** A non-negative int32, as a JSON number or decimal text (appo sends some as strings); absent: 0. */
export function count(o: Json, keys: string | readonly string[], field: string): number {
  const v = spelled(o, typeof keys === 'string' ? [keys] : keys, field);
  if (v === undefined || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > INT32_MAX) throw badInput(field, `${field} must be a whole number from 0 to ${INT32_MAX}`);
  return n;
}

export function flag(o: Json, key: string, field = key): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badInput(field, `${field} must be true or false`);
  return v;
}

/** A list (absent: empty), at most `max` entries. */
export function list(o: Json, key: string, field = key, max = 64): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badInput(field, `${field} must be a list`);
  if (v.length > max) throw badInput(field, `${field} has more than ${max} entries`);
  return v;
}

export function textList(o: Json, key: string, field = key): string[] {
  return list(o, key, field).map((v, i) => {
    if (typeof v !== 'string') throw badInput(`${field}[${i}]`, `${field}[${i}] must be a string`);
    return checkText(v, { field: `${field}[${i}]`, maxBytes: 255 });
  });
}

/**
 * A map of text (extra specs, image properties, metadata): keys at most 255 bytes, values as text (numbers and
 * booleans as their text, as Jackson's maps may carry them), at most `max` entries.
 */
export function textMap(o: Json, key: string, field = key, max = 64): Record<string, string> {
  const m = object(o, key, field);
  if (!m) return {};
  const entries = Object.entries(m);
  if (entries.length > max) throw badInput(field, `${field} has more than ${max} entries`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    checkText(k, { field: `${field} key`, maxBytes: 255, required: true });
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw badInput(`${field}.${k}`, `${field}.${k} must be text, a number or true/false`);
    out[k] = checkText(String(v), { field: `${field}.${k}`, maxBytes: 255 });
  }
  return out;
}
