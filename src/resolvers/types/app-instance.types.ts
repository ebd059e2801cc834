import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AppInstance, InstanceOperationalState, InstantiationState } from '../../db/entities/index.js';
import type { CostArgs } from '../../graphql/limits.js';
import type { Page } from '../../services/pagination.js';
import { encodeCursor } from '../../services/pagination.js';
import { Connection, type ConnectionShape } from './connection.type.js';

@InputType()
export class AppInstanceFilterInput {
  @Field(() => ID, { nullable: true }) hostId?: string;
  @Field(() => ID, { nullable: true }) packageId?: string;
  @Field(() => InstantiationState, { nullable: true }) instantiationState?: InstantiationState;
  @Field(() => InstanceOperationalState, { nullable: true }) operationalState?: InstanceOperationalState;
  @Field({ nullable: true, description: 'Case-insensitive part of the name' }) nameContains?: string;
  @Field(() => String, { nullable: true, description: 'Owner tenant; admins use it to look at one tenant' }) tenantId?: string;
}

@ArgsType()
export class AppInstancesArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => AppInstanceFilterInput, { nullable: true }) filter?: AppInstanceFilterInput;
}

@ObjectType()
export class AppInstanceConnection extends Connection(AppInstance, 'AppInstance') {}

/** An edge whose cursor is encoded only when a client asks for it (a prototype getter: no closure per edge). */
class LazyCursorEdge<T extends { createdAt: Date; id: string }> {
  constructor(readonly node: T) {}

  get cursor(): string {
    return encodeCursor(this.node);
  }
}

/**
 * A connection whose totalCount is counted only when the client selects it: graphql-js reads the property
 * through the getter, so a page without totalCount costs one query less.
 */
export function lazyCountConnection<T extends { createdAt: Date; id: string }>(page: Page<T>, count: () => Promise<number>): ConnectionShape<T> {
  let counted: Promise<number> | undefined;
  return {
    edges: page.nodes.map((node) => new LazyCursorEdge(node)),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    get totalCount(): number {
      counted ??= count();
      return counted as unknown as number;
    },
  };
}

/**
 * The cost of a field that asks a plugin (live status, events, KPI): one gRPC call per object, priced so that a
 * page of 50 instances asking it is already over the default limit of 5000 while the default page of 20 is not.
 */
export const LIVE_FIELD_COST = 100;

/**
 * A list's cost: its page size (`first`, or the default when omitted) times its children, as limits.ts prices lists.
 * It reads no other argument (`costArgs`), so a list's cost is reused across its pages and filters.
 */
export const pageCost = (defaultFirst: number) =>
  Object.assign(
    ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }): number =>
      1 + childComplexity * (typeof args.first === 'number' && args.first >= 0 ? args.first : defaultFirst),
    { costArgs: ['first'] } satisfies CostArgs,
  );
