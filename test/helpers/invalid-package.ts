import assert from 'node:assert/strict';
import { ErrorCode, isDomainError } from '../../src/errors.js';

/** Asserts `e` is INVALID_PACKAGE with a message matching `message`; true so it can serve as an assert.rejects check. */
export function assertInvalid(e: unknown, message: RegExp): true {
  assert.ok(isDomainError(e), `expected a DomainError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  assert.equal(e.code, ErrorCode.INVALID_PACKAGE);
  assert.match(e.message, message);
  return true;
}

export async function rejectsInvalid(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => assertInvalid(e, message));
}
