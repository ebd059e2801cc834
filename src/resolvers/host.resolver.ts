import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { MecHost } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { HostService } from '../services/host.service.js';
import { toConnection } from './types/connection.type.js';
import { DeleteHostPayload, HostConnection, HostsArgs, RegisterHostInput, UpdateHostInput } from './types/host.types.js';

@Resolver(() => MecHost)
export class HostResolver {
  constructor(private readonly hostService: HostService) {}

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
}
