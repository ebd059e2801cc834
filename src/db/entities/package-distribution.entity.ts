import { Entity, Enum, Index, ManyToOne, Property, type Rel, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { AppPackage } from './app-package.entity.js';
import { MutableEntity } from './base.entity.js';
import { DistributionState } from './enums.js';
import { MecHost } from './mec-host.entity.js';

/** A package's presence on one host. Removed with its package or its host. */
@ObjectType({ description: 'A package on one host', simpleResolvers: true })
@Entity({ tableName: 'package_distribution' })
@Unique({ properties: ['package', 'host'] })
@Index({ properties: ['host'] })
export class PackageDistribution extends MutableEntity<'state' | 'error' | 'operationId'> {
  @ManyToOne(() => AppPackage, { deleteRule: 'cascade' })
  package!: Rel<AppPackage>;

  @Field(() => MecHost)
  @ManyToOne(() => MecHost, { deleteRule: 'cascade' })
  host!: Rel<MecHost>;

  @Property({ type: 'text' })
  tenantId!: string;

  @Field(() => DistributionState)
  @Enum({ items: () => DistributionState, default: DistributionState.DISTRIBUTING })
  state: DistributionState = DistributionState.DISTRIBUTING;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /** The operation that last moved this row (distribute or remove); a host is distributed by one operation at a time. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  operationId: string | null = null;
}
