import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IdempotencyRecord } from '../db/entities/index.js';
import { isUniqueViolation } from '../db/db-errors.js';
import { sqlRows, type SqlRunner } from '../db/sql-tx.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import type { RequestContext } from './request-context.js';

const KEY_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** JSON with sorted keys, so the same request always hashes the same. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const hashRequest = (operation: string, request: unknown): string => createHash('sha256').update(operation).update('\0').update(stableJson(request)).digest('hex');

/**
 * What an earlier request with this key remembered, or null if there was none. The same key with a different
 * request is a CONFLICT. Mutations with side effects outside the database (a plugin call) look here first, so a
 * replay does not repeat the side effect and a conflicting request does not perform it.
 */
export async function recorded(ctx: RequestContext, key: string | null | undefined, operation: string, request: unknown): Promise<Record<string, unknown> | null> {
  if (key == null) return null;
  if (!KEY_RE.test(key)) throw badInput('idempotencyKey', 'idempotencyKey must be 1-128 characters of A-Z a-z 0-9 _ . : -');
  const rec = await ctx.em.fork().findOne(IdempotencyRecord, { principalId: ctx.principal.userId, key });
  if (!rec) return null;
  if (rec.operation !== operation || rec.requestHash !== hashRequest(operation, request)) {
    throw new DomainError(ErrorCode.CONFLICT, 'idempotencyKey was already used for a different request', { field: 'idempotencyKey' });
  }
  return rec.response;
}

export interface IdempotentStep<T> {
  /** Does the work inside the transaction; returns the value and what to remember to replay it. */
  run(em: EntityManager): Promise<{ value: T; remember: Record<string, unknown> }>;
  /** Rebuilds the original result from what was remembered. */
  replay(remembered: Record<string, unknown>): Promise<T>;
}

/**
 * Runs a mutation at most once per (caller, idempotency key). The work and the record of it commit in one
 * transaction; a concurrent duplicate loses on the unique key, rolls back, and replays the winner's result.
 * The same key with a different request is a CONFLICT.
 */
export async function idempotent<T>(ctx: RequestContext, key: string | null | undefined, operation: string, request: unknown, step: IdempotentStep<T>): Promise<T> {
  if (key == null) return ctx.em.transactional(async (em) => (await step.run(em)).value);
  return onceForKey(ctx, key, operation, request, (r) => step.replay(r), (record) =>
    ctx.em.transactional(async (em) => {
      const { value, remember } = await step.run(em);
      em.create(IdempotencyRecord, { ...record, response: remember });
      await em.flush();
      return value;
    }),
  );
}

export interface SqlIdempotentStep<T> {
  /**
   * Does the work with raw statements. Without a key it runs on the pool, so its writes must be one statement;
   * with a key it runs in the transaction that records the key.
   */
  run(db: SqlRunner): Promise<{ value: T; remember: Record<string, unknown> }>;
  replay(remembered: Record<string, unknown>): Promise<T>;
}

/** `idempotent` for the hot mutations that write with raw SQL (instantiate) instead of the ORM's unit of work. */
export async function idempotentSql<T>(ctx: RequestContext, key: string | null | undefined, operation: string, request: unknown, step: SqlIdempotentStep<T>): Promise<T> {
  const conn = ctx.em.getConnection();
  if (key == null) return (await step.run(conn.getKnex())).value;
  return onceForKey(ctx, key, operation, request, (r) => step.replay(r), (record) =>
    conn.transactional(async (trx) => {
      const { value, remember } = await step.run(trx);
      await sqlRows(trx, 'insert into idempotency_record (id, principal_id, key, operation, request_hash, response) values (?, ?, ?, ?, ?, ?::jsonb)', [
        randomUUID(),
        record.principalId,
        record.key,
        record.operation,
        record.requestHash,
        JSON.stringify(remember),
      ]);
      return value;
    }),
  );
}

interface KeyRecord {
  principalId: string;
  key: string;
  operation: string;
  requestHash: string;
}

/** Replays what an earlier request with the key remembered, or runs `execute` (which must store the record). */
async function onceForKey<T>(
  ctx: RequestContext,
  key: string,
  operation: string,
  request: unknown,
  replay: (remembered: Record<string, unknown>) => Promise<T>,
  execute: (record: KeyRecord) => Promise<T>,
): Promise<T> {
  const replayIfRecorded = async (): Promise<{ hit: true; value: T } | { hit: false }> => {
    const rec = await recorded(ctx, key, operation, request);
    return rec ? { hit: true, value: await replay(rec) } : { hit: false };
  };
  const first = await replayIfRecorded();
  if (first.hit) return first.value;
  try {
    return await execute({ principalId: ctx.principal.userId, key, operation, requestHash: hashRequest(operation, request) });
  } catch (e) {
    // A concurrent twin may have committed first; its record decides.
    const again = await replayIfRecorded();
    if (again.hit) return again.value;
    if (isUniqueViolation(e, 'idempotency_record')) throw new DomainError(ErrorCode.CONFLICT, 'a request with this idempotencyKey is in progress; retry');
    throw e;
  }
}
