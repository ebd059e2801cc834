import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ChangeFeed } from '../events/change-feed.js';
import type { GraphQLContext } from '../graphql/context.js';
import { ChangeConnection, ChangesArgs } from './types/event.types.js';

@Resolver()
export class ChangeResolver {
  constructor(private readonly feed: ChangeFeed) {}

  @Query(() => ChangeConnection, {
    description: 'The event log in sequence (= commit) order after a cursor: the caller’s tenant’s entries (admins: all). Poll with the returned endCursor; nothing is skipped.',
  })
  changes(@Ctx() ctx: GraphQLContext, @Args(() => ChangesArgs) args: ChangesArgs): Promise<ChangeConnection> {
    return this.feed.page(ctx, args);
  }
}
