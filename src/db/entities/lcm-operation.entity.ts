import { Entity, Enum, Index, Property, Unique } from '@mikro-orm/core';
import { MutableEntity } from './base.entity.js';
import { OperationState, OperationType } from './enums.js';

/**
 * An LCM operation occurrence (ETSI MEC 010-2). Subject ids are plain columns, not foreign keys, so an
 * operation's history outlives the instance, package or host it acted on.
 */
@Entity({ tableName: 'lcm_operation' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
@Index({ name: 'lcm_operation_claimable_idx', properties: ['state', 'leaseExpiresAt'] })
// At most one active operation per instance, enforced by the database rather than check-then-insert.
@Unique({
  name: 'lcm_operation_one_active_per_instance',
  expression: `create unique index "lcm_operation_one_active_per_instance" on "lcm_operation" ("instance_id") where "instance_id" is not null and "state" in ('STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK')`,
})
@Unique({
  name: 'lcm_operation_idempotency_key_unique',
  expression: `create unique index "lcm_operation_idempotency_key_unique" on "lcm_operation" ("tenant_id", "idempotency_key") where "idempotency_key" is not null`,
})
export class LcmOperation extends MutableEntity<'state' | 'instanceId' | 'packageId' | 'hostId' | 'params' | 'result' | 'error' | 'attempts' | 'leaseOwner' | 'leaseExpiresAt' | 'idempotencyKey' | 'cancelRequested' | 'finishedAt'> {
  @Property({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => OperationType })
  type!: OperationType;

  @Enum({ items: () => OperationState, default: OperationState.STARTING })
  state: OperationState = OperationState.STARTING;

  @Property({ type: 'uuid', nullable: true })
  instanceId: string | null = null;

  @Property({ type: 'text', nullable: true })
  packageId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  hostId: string | null = null;

  @Property({ type: 'jsonb', default: '{}' })
  params: Record<string, unknown> = {};

  @Property({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null = null;

  /** Problem details (type, title, detail, code) when the operation failed. */
  @Property({ type: 'jsonb', nullable: true })
  error: Record<string, unknown> | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'text', nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'boolean', default: false })
  cancelRequested: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
