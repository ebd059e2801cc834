import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { AppPackage, LcmOperation, MecHost } from '../db/entities/index.js';
import type { InstanceQueryService } from './instance-query.service.js';
import type { OperationQueryService } from './operation-query.service.js';
import type { RequestContext } from './request-context.js';

/**
 * One GraphQL execution: a query or mutation, or one event of a subscription. graphql-js coerces the variables
 * into a fresh object for every execution (subscriptions too, once per event), so that object scopes caches that
 * must neither outlive a response nor be shared between a subscription's events.
 */
export const executionScope = (info: GraphQLResolveInfo): object => info.variableValues;

/** The batching loaders of one execution: every nested read of a page is one query per kind, whatever its size. */
export interface ReadLoaders {
  package: DataLoader<string, AppPackage | null>;
  host: DataLoader<string, MecHost | null>;
  activeOperation: DataLoader<string, LcmOperation | null>;
  /** Operations of an instance, newest first, for one `first`. */
  history(first: number): DataLoader<string, LcmOperation[]>;
}

const byKey = <V>(keys: readonly string[], found: Map<string, V>, missing: V): V[] => keys.map((k) => found.get(k) ?? missing);

export class ReadLoaderFactory {
  private readonly scopes = new WeakMap<object, ReadLoaders>();

  constructor(
    private readonly instances: InstanceQueryService,
    private readonly operations: OperationQueryService,
  ) {}

  /** The loaders of the execution `info` belongs to, made on first use. */
  for(ctx: RequestContext, info: GraphQLResolveInfo): ReadLoaders {
    const scope = executionScope(info);
    let loaders = this.scopes.get(scope);
    if (!loaders) {
      loaders = this.create(ctx);
      this.scopes.set(scope, loaders);
    }
    return loaders;
  }

  private create(ctx: RequestContext): ReadLoaders {
    const histories = new Map<number, DataLoader<string, LcmOperation[]>>();
    return {
      package: new DataLoader(async (ids) => byKey(ids, await this.instances.packagesById(ctx, ids), null)),
      host: new DataLoader(async (ids) => byKey(ids, await this.instances.hostsById(ctx, ids), null)),
      activeOperation: new DataLoader(async (ids) => byKey(ids, await this.operations.activeFor(ctx, ids), null)),
      history: (first) => {
        let loader = histories.get(first);
        if (!loader) {
          loader = new DataLoader(async (ids) => byKey(ids, await this.operations.historyFor(ctx, ids, first), []));
          histories.set(first, loader);
        }
        return loader;
      },
    };
  }
}
