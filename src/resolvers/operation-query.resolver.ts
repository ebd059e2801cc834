import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { LcmOperation } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { OperationQueryService } from '../services/operation-query.service.js';
import { DEFAULT_PAGE_SIZE } from '../services/pagination.js';
import { lazyCountConnection, pageCost } from './types/app-instance.types.js';
import { OperationConnection, OperationsArgs } from './types/operation.types.js';

@Resolver(() => LcmOperation)
export class OperationQueryResolver {
  constructor(private readonly reads: OperationQueryService) {}

  @Query(() => OperationConnection, { description: 'LCM operations of the caller’s tenant (admins: all), newest first', complexity: pageCost(DEFAULT_PAGE_SIZE) })
  async operations(@Ctx() ctx: GraphQLContext, @Args(() => OperationsArgs) args: OperationsArgs): Promise<OperationConnection> {
    const { page, count } = await this.reads.list(ctx, args);
    return lazyCountConnection(page, count);
  }

  @Query(() => LcmOperation, { description: 'One operation; NOT_FOUND when absent or not visible' })
  operation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<LcmOperation> {
    return this.reads.get(ctx, id);
  }
}
