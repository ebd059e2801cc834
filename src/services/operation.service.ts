import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { canModify, requireWriter } from '../auth/tenant-guard.js';
import { LcmOperation, OperationState } from '../db/entities/index.js';
import type { AccessTokens } from '../engine/access-tokens.js';
import type { OperationHandler } from '../engine/operation-handler.js';
import type { OperationType } from '../db/entities/index.js';
import { applyInUnitOfWork } from '../engine/outcome-tx.js';
import { recordOperation } from '../engine/record-events.js';
import { DomainError, ErrorCode } from '../errors.js';
import { idempotent } from './idempotency.js';
import type { RequestContext } from './request-context.js';
import { findOwned } from './owned-row.js';

export interface OperationServiceDeps {
  handlers: Record<OperationType, OperationHandler>;
  tokens: AccessTokens;
  wake: () => void;
  /** Interrupts the local run of an operation; false when it does not run here (its worker notices on its next heartbeat). */
  cancelLocal: (operationId: string) => boolean;
}

/**
 * What a person decides about an operation (ETSI SOL003): retry, roll back or fail one that stopped in
 * FAILED_TEMP, and cancel one that has not finished. Each is a conditional change of the locked row.
 */
export class OperationService {
  constructor(private readonly d: OperationServiceDeps) {}

  async get(ctx: RequestContext, id: string, em: EntityManager = ctx.em): Promise<LcmOperation> {
    return findOwned(ctx, em, LcmOperation, id, 'operation');
  }

  /** FAILED_TEMP → STARTING: runs again from where it stopped, with the caller's token. */
  retry(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    return this.decide(ctx, id, idempotencyKey, 'retryOperation', [OperationState.FAILED_TEMP], (op) => {
      op.state = OperationState.STARTING;
      op.attempts = 0;
      op.cancelRequested = false;
      op.leaseOwner = null;
      op.leaseExpiresAt = null;
      return Promise.resolve(true);
    });
  }

  /** FAILED_TEMP → ROLLING_BACK: undoes what the operation did, then ROLLED_BACK. */
  rollback(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    return this.decide(ctx, id, idempotencyKey, 'rollbackOperation', [OperationState.FAILED_TEMP], (op) => {
      if (!this.d.handlers[op.type].rollback) throw new DomainError(ErrorCode.CONFLICT, `a ${op.type} operation cannot be rolled back; retry or fail it`, { reason: 'NO_ROLLBACK' });
      op.state = OperationState.ROLLING_BACK;
      op.attempts = 0;
      op.leaseOwner = null;
      op.leaseExpiresAt = null;
      return Promise.resolve(true);
    });
  }

  /** FAILED_TEMP → FAILED: gives up, leaving what was done as it is (the instance can still be terminated). */
  fail(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    return this.decide(ctx, id, idempotencyKey, 'failOperation', [OperationState.FAILED_TEMP], async (op, em) => {
      op.state = OperationState.FAILED;
      op.finishedAt = new Date();
      await applyInUnitOfWork(em, this.d.handlers[op.type].failed?.(op) ?? []);
      return false;
    });
  }

  /**
   * Not started yet (STARTING): stops at once in FAILED_TEMP. Running: the worker interrupts its plugin call and
   * records FAILED_TEMP with code CANCELLED; from there retry, roll back or fail.
   */
  cancel(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    let interrupt = false;
    return this.decide(ctx, id, idempotencyKey, 'cancelOperation', [OperationState.STARTING, OperationState.PROCESSING, OperationState.ROLLING_BACK], (op) => {
      if (op.state === OperationState.STARTING || (op.leaseOwner === null && op.state === OperationState.PROCESSING)) {
        // Not in anybody's hands (not started, or waiting for an automatic retry): decided here.
        op.state = OperationState.FAILED_TEMP;
        op.leaseExpiresAt = null;
        op.error = { code: 'CANCELLED', message: 'the operation was cancelled before it ran', details: null };
      } else {
        op.cancelRequested = true;
        interrupt = true;
      }
      return Promise.resolve(false);
    }).then((op) => {
      if (interrupt) this.d.cancelLocal(op.id);
      return op;
    });
  }

  private async decide(
    ctx: RequestContext,
    id: string,
    idempotencyKey: string | null | undefined,
    name: string,
    from: OperationState[],
    apply: (op: LcmOperation, em: EntityManager) => Promise<boolean>,
  ): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    let requeued = false;
    const op = await idempotent(ctx, idempotencyKey, name, { id }, {
      run: async (em) => {
        const seen = await this.get(ctx, id, em);
        if (!canModify(ctx.principal, seen.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your operation');
        const op = await em.findOneOrFail(LcmOperation, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (!from.includes(op.state)) {
          throw new DomainError(ErrorCode.CONFLICT, `the operation is ${op.state}; ${name} needs ${from.join(' or ')}`, { reason: 'WRONG_STATE', state: op.state });
        }
        requeued = await apply(op, em);
        recordOperation(em, op, 'updated');
        await em.flush();
        return { value: op, remember: { operationId: op.id } };
      },
      replay: (r) => this.get(ctx, String(r.operationId), ctx.em.fork()),
    });
    if (requeued) {
      this.d.tokens.remember(op.id, ctx.accessToken);
      this.d.wake();
    }
    return op;
  }
}
