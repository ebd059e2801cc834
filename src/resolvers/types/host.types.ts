import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { HostConfigStatus, MecHost } from '../../db/entities/index.js';
import { Connection } from './connection.type.js';

@InputType()
export class HwCapabilityInput {
  @Field() hwType!: string;
  @Field({ defaultValue: '' }) hwVendor!: string;
  @Field({ defaultValue: '' }) hwModel!: string;
}

@InputType({ description: 'A new edge host. Field rules follow the original lcmcontroller.' })
export class RegisterHostInput {
  @Field({ description: 'IPv4 address' }) ip!: string;
  @Field({ description: 'Letters and digits, - or _ inside; at most 128 bytes' }) name!: string;
  @Field({ nullable: true }) zipCode?: string;
  @Field({ nullable: true }) city?: string;
  @Field({ nullable: true }) address?: string;
  @Field({ nullable: true }) affinity?: string;
  @Field({ nullable: true }) coordinates?: string;
  @Field({ nullable: true, description: 'VIM type selecting the plugin; default k8s' }) vim?: string;
  @Field({ nullable: true, description: 'MEO (default), MEPM or another origin' }) origin?: string;
  @Field(() => [HwCapabilityInput], { nullable: true }) hwCapabilities?: HwCapabilityInput[];
  @Field(() => String, { nullable: true, description: 'Owner tenant (admins only). Admins omitting it register a shared host.' })
  tenantId?: string | null;
}

@InputType({ description: 'Fields to change; omitted fields keep their value' })
export class UpdateHostInput {
  @Field({ nullable: true }) ip?: string;
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) zipCode?: string;
  @Field({ nullable: true }) city?: string;
  @Field({ nullable: true }) address?: string;
  @Field({ nullable: true }) affinity?: string;
  @Field({ nullable: true }) coordinates?: string;
  @Field({ nullable: true }) vim?: string;
  @Field({ nullable: true }) origin?: string;
  @Field(() => [HwCapabilityInput], { nullable: true }) hwCapabilities?: HwCapabilityInput[];
}

@InputType()
export class HostFilterInput {
  @Field({ nullable: true }) ip?: string;
  @Field({ nullable: true }) nameContains?: string;
  @Field({ nullable: true }) city?: string;
  @Field({ nullable: true }) vim?: string;
  @Field(() => HostConfigStatus, { nullable: true }) configStatus?: HostConfigStatus;
  @Field(() => String, { nullable: true, description: 'Owner tenant; admins use it to look at one tenant' }) tenantId?: string;
}

@ArgsType()
export class HostsArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => HostFilterInput, { nullable: true }) filter?: HostFilterInput;
}

@ObjectType()
export class HostConnection extends Connection(MecHost, 'Host') {}

@ObjectType()
export class DeleteHostPayload {
  @Field(() => ID) id!: string;
}
