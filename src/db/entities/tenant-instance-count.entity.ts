import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many app instances a tenant has, for the instance quota, kept by triggers on `app_instance` (migration
 * Migration20261129222915): instantiate reads a handful of rows instead of counting the tenant's instances.
 * A tenant's count is the sum of its shards; each transaction adds to one shard (chosen by its transaction id), so
 * concurrent instantiates of one tenant seldom wait for each other's commit on the same row.
 */
@Entity({ tableName: 'tenant_instance_count' })
export class TenantInstanceCount {
  [OptionalProps]?: 'instances';

  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @PrimaryKey({ type: 'smallint' })
  shard!: number;

  /** This shard's part of the count (a shard may be negative: deletes land on any shard). */
  @Property({ type: 'integer', default: 0 })
  instances: number = 0;
}
