import {
  ConnectionException,
  DriverException,
  ForeignKeyConstraintViolationException,
  LockWaitTimeoutException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../errors.js';

/** SQLSTATEs and socket errors that mean "the database is not reachable right now". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const UNAVAILABLE_TEXT = /Connection terminated|Timeout acquiring a connection|connect ECONNREFUSED|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * Turns database failures that have a meaning for the caller into DomainErrors; anything else stays
 * unknown and is masked. Services catch the specific cases they can word better before this runs.
 */
export function translateDbError(e: unknown): DomainError | null {
  if (e instanceof OptimisticLockError) {
    return new DomainError(ErrorCode.CONFLICT, 'the object was changed concurrently; read it again and retry');
  }
  if (isUniqueViolation(e)) return new DomainError(ErrorCode.CONFLICT, 'an object with the same identity already exists');
  if (isForeignKeyViolation(e)) return new DomainError(ErrorCode.CONFLICT, 'the object is still referenced by others');
  if (e instanceof LockWaitTimeoutException) return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'the database is busy; retry later');
  const code = codeOf(e) ?? (e instanceof DriverException ? codeOf(e.cause) : undefined);
  if (code === '57014') return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'the database did not answer in time; retry later');
  if (
    e instanceof ConnectionException ||
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    (e instanceof Error && UNAVAILABLE_TEXT.test(e.message))
  ) {
    return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'the database is unavailable; retry later');
  }
  return null;
}

/** A unique violation, from the ORM or from a raw statement (sql-tx.ts), optionally of one named constraint. */
export const isUniqueViolation = (e: unknown, constraint?: string): boolean =>
  (e instanceof UniqueConstraintViolationException || codeOf(e) === '23505') &&
  (constraint === undefined || String((e as { constraint?: string }).constraint ?? (e as Error).message).includes(constraint));

export const isForeignKeyViolation = (e: unknown): boolean => e instanceof ForeignKeyConstraintViolationException || codeOf(e) === '23503';
