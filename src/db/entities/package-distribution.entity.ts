import { Entity, Enum, Index, ManyToOne, Property, type Rel, Unique } from '@mikro-orm/core';
import { AppPackage } from './app-package.entity.js';
import { MutableEntity } from './base.entity.js';
import { DistributionState } from './enums.js';
import { MecHost } from './mec-host.entity.js';

/** A package's presence on one host. Removed with its package or its host. */
@Entity({ tableName: 'package_distribution' })
@Unique({ properties: ['package', 'host'] })
@Index({ properties: ['host'] })
export class PackageDistribution extends MutableEntity<'state' | 'error'> {
  @ManyToOne(() => AppPackage, { deleteRule: 'cascade' })
  package!: Rel<AppPackage>;

  @ManyToOne(() => MecHost, { deleteRule: 'cascade' })
  host!: Rel<MecHost>;

  @Property({ type: 'text' })
  tenantId!: string;

  @Enum({ items: () => DistributionState, default: DistributionState.DISTRIBUTING })
  state: DistributionState = DistributionState.DISTRIBUTING;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;
}
