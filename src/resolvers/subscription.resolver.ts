import { Args, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { subscriptionsOf } from '../events/event-subscriptions.js';
import type { GraphQLContext } from '../graphql/context.js';
import {
  AppInstanceUpdate,
  AppInstanceUpdatedArgs,
  OperationUpdate,
  OperationUpdatedArgs,
  PackageDistributionUpdate,
  PackageDistributionUpdatedArgs,
  WorkloadEventsArgs,
  WorkloadEventUpdate,
} from './types/event.types.js';
import { ImageUpdate, ImageUpdatedArgs } from './types/vm-image.types.js';

type Data<A> = SubscribeResolverData<unknown, A, GraphQLContext>;

/**
 * Live updates over graphql-ws, read from the event log: in commit order, tenant-scoped, resumable with
 * afterSequence. A client that falls too far behind is cut off with SLOW_CONSUMER (extensions.lastSequence says
 * where to resume).
 */
@Resolver()
export class SubscriptionResolver {
  @Subscription(() => OperationUpdate, {
    description: 'Changes of operations (every state, progress and result change), optionally filtered',
    subscribe: ({ args, context, info }: Data<OperationUpdatedArgs>) => subscriptionsOf(info).operationUpdated(context, args),
  })
  operationUpdated(@Root() update: OperationUpdate, @Args(() => OperationUpdatedArgs) _args: OperationUpdatedArgs): OperationUpdate {
    return update;
  }

  @Subscription(() => AppInstanceUpdate, {
    description: 'Changes of app instances, and their removal (deleted: true), optionally filtered',
    subscribe: ({ args, context, info }: Data<AppInstanceUpdatedArgs>) => subscriptionsOf(info).appInstanceUpdated(context, args),
  })
  appInstanceUpdated(@Root() update: AppInstanceUpdate, @Args(() => AppInstanceUpdatedArgs) _args: AppInstanceUpdatedArgs): AppInstanceUpdate {
    return update;
  }

  @Subscription(() => PackageDistributionUpdate, {
    description: "Changes of packages' presence on hosts (distributing, distributed, error, removed), optionally filtered",
    subscribe: ({ args, context, info }: Data<PackageDistributionUpdatedArgs>) => subscriptionsOf(info).packageDistributionUpdated(context, args),
  })
  packageDistributionUpdated(@Root() update: PackageDistributionUpdate, @Args(() => PackageDistributionUpdatedArgs) _args: PackageDistributionUpdatedArgs): PackageDistributionUpdate {
    return update;
  }

  @Subscription(() => ImageUpdate, {
    description: 'Changes of VM images (CREATING, ACTIVE, ERROR, DELETING) and their deletion (deleted: true), optionally filtered',
    subscribe: ({ args, context, info }: Data<ImageUpdatedArgs>) => subscriptionsOf(info).imageUpdated(context, args),
  })
  imageUpdated(@Root() update: ImageUpdate, @Args(() => ImageUpdatedArgs) _args: ImageUpdatedArgs): ImageUpdate {
    return update;
  }

  @Subscription(() => WorkloadEventUpdate, {
    description: "Status changes and workload events of one app instance, as its host's plugin reports them while anyone watches",
    subscribe: ({ args, context, info }: Data<WorkloadEventsArgs>) => subscriptionsOf(info).workloadEvents(context, args),
  })
  workloadEvents(@Root() update: WorkloadEventUpdate, @Args(() => WorkloadEventsArgs) _args: WorkloadEventsArgs): WorkloadEventUpdate {
    return update;
  }
}
