import type { EntityManager } from '@mikro-orm/postgresql';
import { ACTIVE_OPERATION_STATES, LcmOperation } from '../db/entities/index.js';
import { DomainError, ErrorCode } from '../errors.js';

/**
 * The CONFLICT for a second operation on an instance that holds one (the one-active-operation constraint refused it),
 * naming the operation that holds it so the caller can wait for it or decide it.
 */
export async function instanceBusy(em: EntityManager, instanceId: string): Promise<DomainError> {
  const active = await em.findOne(LcmOperation, { instanceId, state: { $in: [...ACTIVE_OPERATION_STATES] } });
  return new DomainError(ErrorCode.CONFLICT, `the instance has an active ${active?.type ?? ''} operation ${active?.id ?? ''} (${active?.state ?? 'in progress'}); wait for it, or retry, roll back or fail it`.replace(/\s+/g, ' '), {
    reason: 'OPERATION_IN_PROGRESS',
    operationId: active?.id ?? null,
  });
}
