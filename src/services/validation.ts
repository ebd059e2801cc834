import { badInput } from '../errors.js';

// The original lcmcontroller's patterns (applcm-original.md §1.0): Unicode letters and digits, with a few
// separators allowed only inside. Byte lengths, not characters, are capped, as in the original.
export const NAME_RE = /^[\p{L}\p{Nd}]*$|^[\p{L}\p{Nd}][\p{L}\p{Nd}_-]*[\p{L}\p{Nd}]$/u;
// The original allowed any whitespace inside a city; we allow only spaces, so no CR/LF reaches logs or headers.
export const CITY_RE = /^[\p{L}\p{Nd}]*$|^[\p{L}\p{Nd}][\p{L}\p{Nd}/ ]*[\p{L}\p{Nd}]$/u;
export const AFFINITY_RE = /^[\p{L}\p{Nd}]*$|^[\p{L}\p{Nd}][\p{L}\p{Nd}_,-]*[\p{L}\p{Nd}]$/u;
const CONTROL_RE = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u;

export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

export interface TextRule {
  field: string;
  maxBytes: number;
  pattern?: RegExp;
  required?: boolean;
  /** Shown when the pattern does not match. */
  hint?: string;
}

/** Checks one text field; throws BAD_USER_INPUT naming the field. */
export function checkText(value: string, rule: TextRule): string {
  if (rule.required && value.length === 0) throw badInput(rule.field, `${rule.field} must not be empty`);
  if (byteLength(value) > rule.maxBytes) throw badInput(rule.field, `${rule.field} is longer than ${rule.maxBytes} bytes`);
  if (CONTROL_RE.test(value)) throw badInput(rule.field, `${rule.field} contains control or bidirectional characters`);
  if (rule.pattern && !rule.pattern.test(value)) {
    throw badInput(rule.field, `${rule.field} is invalid${rule.hint ? `: ${rule.hint}` : ''}`);
  }
  return value;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * A dotted-quad IPv4 address without leading zeros (so `01.2.3.4` and `0x7f.1` are refused, unlike Go 1.14),
 * excluding addresses that can never be an edge host: 0/8, link-local 169.254/16 (cloud metadata), multicast
 * and reserved 224/3.
 */
export function checkIpv4(value: string, field = 'ip'): string {
  const m = IPV4_RE.exec(value);
  if (!m) throw badInput(field, `${field} must be an IPv4 address such as 192.168.1.10`);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a === 0 || a >= 224 || (a === 169 && b === 254)) {
    throw badInput(field, `${field} ${value} is not a usable host address`);
  }
  return value;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID_RE.test(s);
