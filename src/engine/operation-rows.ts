import { randomUUID } from 'node:crypto';
import { LcmOperation, OperationState, type OperationType } from '../db/entities/index.js';
import { pgDate, pgDateOrNull } from '../db/sql-tx.js';
import type { OperationError } from '../db/entities/lcm-operation.entity.js';

/** An `lcm_operation` row as a raw statement returns it (jsonb parsed; timestamps as text, see sql-tx.ts `pgDate`). */
export interface OperationRow {
  id: string;
  created_at: string;
  updated_at: string;
  row_version: number;
  tenant_id: string;
  type: string;
  state: string;
  instance_id: string | null;
  package_id: string | null;
  host_id: string | null;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: OperationError | null;
  progress: Record<string, unknown> | null;
  attempts: number;
  created_by: string | null;
  started_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  idempotency_key: string | null;
  cancel_requested: boolean;
  finished_at: string | null;
}

/**
 * The operation a raw statement returned, as the entity class (detached: no unit of work tracks it), so handlers,
 * snapshots and GraphQL read it like one the ORM loaded.
 */
export function operationFromRow(r: OperationRow): LcmOperation {
  return asEntity({
    id: r.id,
    createdAt: pgDate(r.created_at),
    updatedAt: pgDate(r.updated_at),
    rowVersion: r.row_version,
    tenantId: r.tenant_id,
    type: r.type as OperationType,
    state: r.state as OperationState,
    instanceId: r.instance_id,
    packageId: r.package_id,
    hostId: r.host_id,
    params: r.params,
    result: r.result,
    error: r.error,
    progress: r.progress,
    attempts: r.attempts,
    createdBy: r.created_by,
    startedAt: pgDateOrNull(r.started_at),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: pgDateOrNull(r.lease_expires_at),
    idempotencyKey: r.idempotency_key,
    cancelRequested: r.cancel_requested,
    finishedAt: pgDateOrNull(r.finished_at),
  } satisfies Partial<LcmOperation>);
}

/**
 * The fields as an LcmOperation. The prototype is set last: the ORM defines setters on it (change tracking) that
 * assigning through would run for every field, making a half-managed entity at several times the cost.
 */
const asEntity = (fields: Partial<LcmOperation>): LcmOperation => Object.setPrototypeOf(fields, LcmOperation.prototype) as LcmOperation;

/** A new operation, not stored yet (STARTING, never attempted), as the entity class. */
export function newOperation(f: Pick<LcmOperation, 'tenantId' | 'type' | 'instanceId' | 'packageId' | 'hostId' | 'params' | 'createdBy'>): LcmOperation {
  const now = new Date();
  return asEntity({
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    rowVersion: 1,
    state: OperationState.STARTING,
    result: null,
    error: null,
    progress: null,
    attempts: 0,
    startedAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    idempotencyKey: null,
    cancelRequested: false,
    finishedAt: null,
    ...f,
  } satisfies Partial<LcmOperation>);
}
