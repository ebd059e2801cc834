import { Entity, Enum, Index, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { MutableEntity } from './base.entity.js';
import { HostConfigStatus } from './enums.js';

@ObjectType({ description: 'A hardware capability of a host (GPU, FPGA, …)', simpleResolvers: true })
export class HwCapability {
  @Field() hwType!: string;
  @Field() hwVendor!: string;
  @Field() hwModel!: string;
}

/**
 * An edge (MEC) host. `tenantId` is the owning tenant; a host registered by an admin without a tenant is
 * shared: every tenant can read and deploy to it, only admins change it (as the original's admin hosts).
 */
@ObjectType({ description: 'An edge (MEC) host that applications are deployed to', simpleResolvers: true })
@Entity({ tableName: 'mec_host' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
// One registration per ip per owner; shared hosts (null tenant) count as one owner.
@Unique({
  name: 'mec_host_tenant_ip_unique',
  expression: `create unique index "mec_host_tenant_ip_unique" on "mec_host" (coalesce("tenant_id", ''), "ip")`,
})
export class MecHost extends MutableEntity<'tenantId' | 'zipCode' | 'city' | 'address' | 'affinity' | 'coordinates' | 'vim' | 'configStatus' | 'origin' | 'hwCapabilities'> {
  @Field(() => String, { nullable: true, description: 'Owning tenant; null for a shared host registered by an admin' })
  @Property({ type: 'text', nullable: true })
  tenantId: string | null = null;

  @Field({ description: 'IPv4 address of the host' })
  @Property({ type: 'text' })
  ip!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field()
  @Property({ type: 'text', default: '' })
  zipCode: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  city: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  address: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  affinity: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  coordinates: string = '';

  @Field({ description: 'VIM type that selects the plugin: k8s, openstack or any registered type' })
  @Property({ type: 'text', default: 'k8s' })
  vim: string = 'k8s';

  @Field(() => HostConfigStatus)
  @Enum({ items: () => HostConfigStatus, default: HostConfigStatus.NOT_UPLOADED })
  configStatus: HostConfigStatus = HostConfigStatus.NOT_UPLOADED;

  @Field({ description: 'Who registered the host: MEO (orchestrator), MEPM (edge-local) or another origin' })
  @Property({ type: 'text', default: 'MEO' })
  origin: string = 'MEO';

  @Field(() => [HwCapability])
  @Property({ type: 'jsonb', default: '[]' })
  hwCapabilities: HwCapability[] = [];
}
