import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Where one caller of the REST shim's sync routes stands in the change feed (docs/rest-shim.md "Sync"): per caller,
 * path tenant and feed. `confirmed` is the position every change up to which the caller has received; `sent` the end
 * of the last answer not yet confirmed, and `sentComplete` whether that answer left this server completely (a
 * caller's next call confirms it only then).
 */
@Entity({ tableName: 'shim_sync_state' })
export class ShimSyncState {
  [OptionalProps]?: 'confirmed' | 'sent' | 'sentComplete' | 'updatedAt';

  /** The token's userId; '' for the anonymous caller of the open mode. */
  @PrimaryKey({ type: 'text' })
  caller!: string;

  /** The path's tenant ('' on the v1 routes, which have none). */
  @PrimaryKey({ type: 'text' })
  scope!: string;

  /** hosts.updated, hosts.deleted, instances.updated, … */
  @PrimaryKey({ type: 'text' })
  feed!: string;

  @Property({ type: new BigIntType('string'), default: '0' })
  confirmed: string = '0';

  @Property({ type: new BigIntType('string'), nullable: true })
  sent: string | null = null;

  @Property({ type: 'boolean', default: false })
  sentComplete: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
