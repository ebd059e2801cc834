import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';

@ObjectType({ description: 'The authenticated caller' })
export class Viewer {
  @Field() userId!: string;
  @Field() userName!: string;
  @Field() tenantId!: string;
  @Field(() => Role) role!: Role;
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who the access token says you are' })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    return { ...ctx.principal };
  }
}
