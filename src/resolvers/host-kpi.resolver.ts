import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { MecHost } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { InstanceStatusService } from '../services/instance-status.service.js';
import { LIVE_FIELD_COST } from './types/app-instance.types.js';

/** Live host data from the host's plugin. */
@Resolver(() => MecHost)
export class HostKpiResolver {
  constructor(private readonly live: InstanceStatusService) {}

  @FieldResolver(() => String, {
    nullable: true,
    complexity: LIVE_FIELD_COST,
    description: "The plugin's original queryKPI answer, unchanged (JSON text; one plugin call). Plugin failures are errors on this field only.",
  })
  kpi(@Ctx() ctx: GraphQLContext, @Root() host: MecHost): Promise<string> {
    return this.live.kpi(ctx, host);
  }
}
