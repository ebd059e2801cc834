import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * The remembered outcome of a mutation sent with an idempotency key: a replay with the same request returns
 * the same result; the same key with a different request is a CONFLICT.
 */
@Entity({ tableName: 'idempotency_record' })
@Unique({ properties: ['principalId', 'key'] })
export class IdempotencyRecord {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  principalId!: string;

  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  operation!: string;

  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'jsonb' })
  response!: Record<string, unknown>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
