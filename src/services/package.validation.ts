import { badInput } from '../errors.js';
import { checkText, NAME_RE } from './validation.js';

// Ids end up in logs, URLs and plugin file stores: a safe alphabet only (the original accepted anything ≤ 64).
const PACKAGE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const APP_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;
const SHA256_RE = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

export function checkPackageId(id: string, field = 'packageId'): string {
  if (!PACKAGE_ID_RE.test(id)) throw badInput(field, `${field} must be 1-64 characters of A-Z a-z 0-9 _ -`);
  return id;
}

export function checkAppId(id: string): string {
  if (!APP_ID_RE.test(id)) throw badInput('appId', 'appId must be 1-32 characters of A-Z a-z 0-9 _ -');
  return id;
}

export function checkOrigin(origin: string): string {
  return checkText(origin, { field: 'origin', maxBytes: 128, pattern: NAME_RE, required: true }).toUpperCase();
}

/** A SHA-256 checksum as hex, optionally prefixed `sha256:`; returned lower-case without the prefix. */
export function checkSha256(value: string, field = 'checksum'): string {
  const m = SHA256_RE.exec(value.trim());
  if (!m) throw badInput(field, `${field} must be a SHA-256 digest: 64 hex characters, optionally prefixed sha256:`);
  return m[1]!.toLowerCase();
}
