import { Entity, Enum, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { AppPackage } from './app-package.entity.js';
import { MutableEntity } from './base.entity.js';
import { InstanceOperationalState, InstantiationState } from './enums.js';
import { MecHost } from './mec-host.entity.js';

/**
 * An application instance on a host. Hosts and packages cannot be deleted while instances reference them
 * (restrict), which makes "delete a host that still runs apps" a CONFLICT enforced by the database.
 */
@ObjectType({ description: 'An application instance on a host', simpleResolvers: true })
@Entity({ tableName: 'app_instance' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
@Index({ properties: ['host'] })
@Index({ properties: ['package'] })
export class AppInstance extends MutableEntity<'description' | 'instantiationState' | 'operationalState' | 'pluginHandle' | 'parameters' | 'secrets' | 'origin'> {
  @Field()
  @Property({ type: 'text' })
  tenantId!: string;

  @ManyToOne(() => AppPackage, { deleteRule: 'restrict' })
  package!: Rel<AppPackage>;

  @ManyToOne(() => MecHost, { deleteRule: 'restrict' })
  host!: Rel<MecHost>;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field()
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field(() => InstantiationState)
  @Enum({ items: () => InstantiationState, default: InstantiationState.NOT_INSTANTIATED })
  instantiationState: InstantiationState = InstantiationState.NOT_INSTANTIATED;

  @Field(() => InstanceOperationalState, { nullable: true, description: 'STARTED or STOPPED once instantiated' })
  @Enum({ items: () => InstanceOperationalState, nullable: true })
  operationalState: InstanceOperationalState | null = null;

  /** What the plugin needs to find its workload again: release and namespace, or VM/stack ids. */
  @Property({ type: 'jsonb', default: '{}' })
  pluginHandle: Record<string, string> = {};

  /** Non-secret instantiation parameters. */
  @Field(() => GraphQLJSONObject, { description: 'Instantiation parameters (secrets excluded: they are write-only)' })
  @Property({ type: 'jsonb', default: '{}' })
  parameters: Record<string, string> = {};

  /** Write-only secrets (AK/SK, secret parameters): never exposed by any API. */
  @Property({ type: 'jsonb', default: '{}', lazy: true })
  secrets: Record<string, string> = {};

  @Field()
  @Property({ type: 'text', default: 'MEO' })
  origin: string = 'MEO';
}
