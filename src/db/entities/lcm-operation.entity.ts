import { Entity, Enum, Index, Property, Unique } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { MutableEntity } from './base.entity.js';
import { OperationState, OperationType } from './enums.js';

@ObjectType({ description: 'Why an operation failed: a code from the error catalogue and a message safe to show', simpleResolvers: true })
export class OperationError {
  @Field() code!: string;
  @Field() message!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Structured details (the plugin, the gRPC code, the field, …)' }) details?: Record<string, unknown> | null;
}

/**
 * An LCM operation occurrence (ETSI MEC 010-2). Subject ids are plain columns, not foreign keys, so an
 * operation's history outlives the instance, package or host it acted on.
 */
@ObjectType({ description: 'A piece of lifecycle work (an ETSI "LCM operation occurrence"), returned at once by the mutation that starts it', simpleResolvers: true })
@Entity({ tableName: 'lcm_operation' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
@Index({ name: 'lcm_operation_claimable_idx', properties: ['state', 'leaseExpiresAt'] })
// An instance's history, newest first, and the admins' newest-first list of everything.
@Index({ name: 'lcm_operation_instance_history_idx', expression: `create index "lcm_operation_instance_history_idx" on "lcm_operation" ("instance_id", "created_at" desc, "id" desc)` })
@Index({ name: 'lcm_operation_created_at_id_index', properties: ['createdAt', 'id'] })
// At most one active operation per instance, enforced by the database rather than check-then-insert.
@Unique({
  name: 'lcm_operation_one_active_per_instance',
  expression: `create unique index "lcm_operation_one_active_per_instance" on "lcm_operation" ("instance_id") where "instance_id" is not null and "state" in ('STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK')`,
})
@Unique({
  name: 'lcm_operation_idempotency_key_unique',
  expression: `create unique index "lcm_operation_idempotency_key_unique" on "lcm_operation" ("tenant_id", "idempotency_key") where "idempotency_key" is not null`,
})
export class LcmOperation extends MutableEntity<'state' | 'instanceId' | 'packageId' | 'hostId' | 'params' | 'result' | 'error' | 'attempts' | 'leaseOwner' | 'leaseExpiresAt' | 'idempotencyKey' | 'cancelRequested' | 'finishedAt' | 'createdBy' | 'startedAt' | 'progress'> {
  @Field()
  @Property({ type: 'text' })
  tenantId!: string;

  @Field(() => OperationType)
  @Enum({ items: () => OperationType })
  type!: OperationType;

  @Field(() => OperationState)
  @Enum({ items: () => OperationState, default: OperationState.STARTING })
  state: OperationState = OperationState.STARTING;

  @Field(() => String, { nullable: true, description: 'The app instance it acts on (instantiate, terminate, operate)' })
  @Property({ type: 'uuid', nullable: true })
  instanceId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  packageId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  hostId: string | null = null;

  /** What the operation was asked to do. Never holds secrets (AK/SK and secret parameters live on the instance, write-only). */
  @Field(() => GraphQLJSONObject, { description: 'What the operation was asked to do (no secrets)' })
  @Property({ type: 'jsonb', default: '{}' })
  params: Record<string, unknown> = {};

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'What it produced; distribution: the outcome per host' })
  @Property({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null = null;

  /** Why it failed (code, message, details), when it did. */
  @Field(() => OperationError, { nullable: true })
  @Property({ type: 'jsonb', nullable: true })
  error: OperationError | null = null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Where a running operation is: { step, message, done, total }' })
  @Property({ type: 'jsonb', nullable: true })
  progress: Record<string, unknown> | null = null;

  @Field(() => Int, { description: 'How many times a worker started it' })
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Field(() => String, { nullable: true, description: 'userId of the caller that started it' })
  @Property({ type: 'text', nullable: true })
  createdBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Field({ description: 'A cancel was asked for and the worker has not acted on it yet' })
  @Property({ type: 'boolean', default: false })
  cancelRequested: boolean = false;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
