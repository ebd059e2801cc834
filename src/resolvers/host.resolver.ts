import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { MecHost } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import { PluginAvailability, type PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostConfigService } from '../services/host-config.service.js';
import type { HostService } from '../services/host.service.js';
import { toConnection } from './types/connection.type.js';
import { DeleteHostPayload, HostConnection, HostsArgs, RegisterHostInput, UpdateHostInput } from './types/host.types.js';

@Resolver(() => MecHost)
export class HostResolver {
  constructor(
    private readonly hostService: HostService,
    private readonly hostConfig: HostConfigService,
    private readonly plugins: PluginRegistry,
  ) {}

  @FieldResolver(() => PluginAvailability, { description: 'Whether a plugin serves this host\'s VIM type and is up; MISSING flags a VIM type without plugin' })
  pluginStatus(@Root() host: MecHost): PluginAvailability {
    return this.plugins.availability(host.vim);
  }

  @Query(() => HostConnection, { description: 'Hosts visible to the caller: its own and shared ones (admins: all)' })
  async hosts(@Ctx() ctx: GraphQLContext, @Args(() => HostsArgs) args: HostsArgs): Promise<HostConnection> {
    return toConnection(await this.hostService.list(ctx, args));
  }

  @Query(() => MecHost, { description: 'One host; NOT_FOUND when absent or not visible' })
  host(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<MecHost> {
    return this.hostService.get(ctx, id);
  }

  @Mutation(() => MecHost)
  registerHost(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RegisterHostInput) input: RegisterHostInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<MecHost> {
    return this.hostService.register(ctx, input, idempotencyKey);
  }

  @Mutation(() => MecHost)
  updateHost(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateHostInput) input: UpdateHostInput,
    @Arg('expectedVersion', () => Int, { nullable: true, description: 'Fail with CONFLICT unless the host is at this rowVersion' }) expectedVersion?: number,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<MecHost> {
    return this.hostService.update(ctx, id, input, expectedVersion, idempotencyKey);
  }

  @Mutation(() => DeleteHostPayload, { description: 'Refused with CONFLICT while app instances run on the host' })
  async deleteHost(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<DeleteHostPayload> {
    return { id: await this.hostService.delete(ctx, id, idempotencyKey) };
  }

  @Mutation(() => MecHost, {
    description:
      "Sends the host's kubeconfig (k8s) or OpenStack rc file (openstack) to its plugin; configStatus becomes UPLOADED once the plugin confirmed. The file is not stored by the controller and cannot be read back. Files up to 5 MiB go through the multipart endpoint POST /api/v1/tenants/{tenantId}/hosts/{hostId}/config.",
  })
  uploadHostConfig(
    @Ctx() ctx: GraphQLContext,
    @Arg('hostId', () => ID) hostId: string,
    @Arg('content', { description: 'The file as text' }) content: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<MecHost> {
    return this.hostConfig.upload(ctx, hostId, Buffer.from(content, 'utf8'), idempotencyKey);
  }

  @Mutation(() => MecHost, { description: "Removes the host's configuration from its plugin; configStatus becomes NOT_UPLOADED" })
  removeHostConfig(
    @Ctx() ctx: GraphQLContext,
    @Arg('hostId', () => ID) hostId: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<MecHost> {
    return this.hostConfig.remove(ctx, hostId, idempotencyKey);
  }
}
