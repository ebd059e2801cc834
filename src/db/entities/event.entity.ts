import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The append-only event log. Subscriptions and the upward change feed read it with a sequence cursor,
 * so a client that reconnects with its last sequence misses nothing.
 */
@Entity({ tableName: 'event' })
@Index({ properties: ['topic', 'seq'] })
@Index({ properties: ['tenantId', 'seq'] })
export class Event {
  [OptionalProps]?: 'seq' | 'createdAt' | 'tenantId' | 'subjectId';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  seq!: string;

  @Property({ type: 'text', nullable: true })
  tenantId: string | null = null;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'text', nullable: true })
  subjectId: string | null = null;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
