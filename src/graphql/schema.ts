import type { GraphQLSchema } from 'graphql';
import type { Services } from '../services/app-services.js';
import { buildSchema, type PubSub } from 'type-graphql';
import { bindSubscriptions } from '../events/event-subscriptions.js';
import { ChangeResolver } from '../resolvers/change.resolver.js';
import { SubscriptionResolver } from '../resolvers/subscription.resolver.js';
import { AppInstanceResolver, answerLoadedRelationsFirst } from '../resolvers/app-instance.resolver.js';
import { HostKpiResolver } from '../resolvers/host-kpi.resolver.js';
import { HostResolver } from '../resolvers/host.resolver.js';
import { LcmResolver } from '../resolvers/lcm.resolver.js';
import { OperationQueryResolver } from '../resolvers/operation-query.resolver.js';
import { PackageResolver } from '../resolvers/package.resolver.js';
import { PluginResolver } from '../resolvers/plugin.resolver.js';
import { ViewerResolver } from '../resolvers/viewer.resolver.js';
import { VmImageResolver } from '../resolvers/vm-image.resolver.js';

export type { Services };

const RESOLVERS = [ViewerResolver, HostResolver, PackageResolver, PluginResolver, LcmResolver, AppInstanceResolver, HostKpiResolver, OperationQueryResolver, VmImageResolver] as const;

const EVENT_RESOLVERS = [SubscriptionResolver, ChangeResolver] as const;

/** type-graphql requires a PubSub once subscriptions exist; ours read the event log (EventSubscriptions) instead. */
const NO_PUBSUB: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error('subscriptions read the event log; there is no PubSub');
  },
};

/**
 * Builds the executable schema; resolvers are constructed here with their services (no global container).
 * Without services (printing the SDL) nothing can execute, so nothing is constructed.
 */
export async function buildAppSchema(services: Services | null): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>(
    services
      ? [
          [ViewerResolver, new ViewerResolver()],
          [SubscriptionResolver, new SubscriptionResolver()],
          [ChangeResolver, new ChangeResolver(services.events.changes)],
          [HostResolver, new HostResolver(services.hosts, services.hostConfig, services.plugins)],
          [PackageResolver, new PackageResolver(services.packages)],
          [PluginResolver, new PluginResolver(services.plugins)],
          [LcmResolver, new LcmResolver(services.lcm, services.operations)],
          [AppInstanceResolver, new AppInstanceResolver(services.reads.instances, services.reads.loaders, services.reads.live, services.reads.maxPageSize)],
          [HostKpiResolver, new HostKpiResolver(services.reads.live)],
          [OperationQueryResolver, new OperationQueryResolver(services.reads.operations)],
          [VmImageResolver, new VmImageResolver(services.images)],
        ]
      : [],
  );
  const schema = await buildSchema({
    resolvers: [...RESOLVERS, ...EVENT_RESOLVERS],
    pubSub: NO_PUBSUB,
    container: { get: (cls) => instances.get(cls) },
    // Inputs are validated by the services (shared with the REST shim), not by class-validator.
    validate: false,
  });
  if (services) {
    bindSubscriptions(schema, services.events.subscriptions);
    answerLoadedRelationsFirst(schema);
  }
  return schema;
}
