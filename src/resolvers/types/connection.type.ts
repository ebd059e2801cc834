import type { ClassType } from 'type-graphql';
import { Field, Int, ObjectType } from 'type-graphql';
import type { Page } from '../../services/pagination.js';
import { encodeCursor } from '../../services/pagination.js';

@ObjectType({ description: 'Relay page information', simpleResolvers: true })
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface EdgeShape<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: EdgeShape<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds the Relay connection and edge object types for a node type (`HostConnection`, `HostEdge`, …). */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field() cursor!: string;
    @Field(() => node) node!: T;
  }

  // Not simpleResolvers: totalCount may be a promise (lazyCountConnection), which only a resolver hands on to be awaited.
  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: 'Rows matching the filter, across all pages' }) totalCount!: number;
  }
  return ConnectionClass;
}

export function toConnection<T extends { createdAt: Date; id: string }>(page: Page<T>): ConnectionShape<T> {
  return {
    edges: page.nodes.map((node) => ({ cursor: encodeCursor(node), node })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  };
}
