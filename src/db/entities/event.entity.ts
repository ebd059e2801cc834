import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * The append-only event log. Subscriptions and the upward change feed read it with a sequence cursor,
 * so a client that reconnects with its last sequence misses nothing.
 */
@Entity({ tableName: 'event' })
@Index({ properties: ['topic', 'seq'] })
@Index({ properties: ['tenantId', 'seq'] })
// One subject's history (the workload watcher's duplicate check, workloadEvents replays).
@Index({ properties: ['subjectId', 'seq'] })
@Unique({ name: 'event_position_unique', expression: `create unique index "event_position_unique" on "event" ("position") where "position" is not null` })
@Index({ name: 'event_unpositioned_idx', expression: `create index "event_unpositioned_idx" on "event" ("seq") where "position" is null` })
export class Event {
  [OptionalProps]?: 'seq' | 'createdAt' | 'tenantId' | 'subjectId' | 'position';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  seq!: string;

  /** Where readers find the event: given after commit, in commit order, by the event sequencer (null until then). */
  @Property({ type: new BigIntType('string'), nullable: true })
  position: string | null = null;

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
