import { randomUUID } from 'node:crypto';
import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/** Properties with defaults that `em.create` need not be given. */
export type BaseOptional = 'id' | 'createdAt' | 'updatedAt' | 'rowVersion';

/**
 * Columns every mutable row shares: a UUID key, timestamps and an optimistic-lock version
 * (a stale write fails with OptimisticLockError, surfaced as CONFLICT).
 */
// Not reachable from any field itself, so it is not emitted; subclasses inherit its fields.
// simpleResolvers (here and on the types a page of results is made of): a plain field is read by GraphQL's default
// resolver rather than through a type-graphql wrapper per field and row, which exists for middlewares this API has none of.
@ObjectType({ simpleResolvers: true })
export abstract class MutableEntity<Optional extends string = never> {
  [OptionalProps]?: BaseOptional | Optional;

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Int, { description: 'Optimistic-lock version; pass it back as expectedVersion to detect concurrent edits' })
  @Property({ version: true, type: 'integer' })
  rowVersion: number = 1;
}
