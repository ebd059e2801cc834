import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AppInstanceResolver } from '../resolvers/app-instance.resolver.js';
import { HostKpiResolver } from '../resolvers/host-kpi.resolver.js';
import { HostResolver } from '../resolvers/host.resolver.js';
import { OperationQueryResolver } from '../resolvers/operation-query.resolver.js';
import { PackageResolver } from '../resolvers/package.resolver.js';
import { PluginResolver } from '../resolvers/plugin.resolver.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostConfigService } from '../services/host-config.service.js';
import { ViewerResolver } from '../resolvers/viewer.resolver.js';
import type { HostService } from '../services/host.service.js';
import type { PackageService } from '../services/package.service.js';
import type { ReadServices } from '../services/read-services.js';

/** The use cases the resolvers delegate to. */
export interface Services {
  hosts: HostService;
  hostConfig: HostConfigService;
  packages: PackageService;
  plugins: PluginRegistry;
  /** Instance and operation reads, live status. */
  reads: ReadServices;
}

const RESOLVERS = [ViewerResolver, HostResolver, PackageResolver, PluginResolver, AppInstanceResolver, HostKpiResolver, OperationQueryResolver] as const;

/**
 * Builds the executable schema; resolvers are constructed here with their services (no global container).
 * Without services (printing the SDL) nothing can execute, so nothing is constructed.
 */
export async function buildAppSchema(services: Services | null): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>(
    services
      ? [
          [ViewerResolver, new ViewerResolver()],
          [HostResolver, new HostResolver(services.hosts, services.hostConfig, services.plugins)],
          [PackageResolver, new PackageResolver(services.packages)],
          [PluginResolver, new PluginResolver(services.plugins)],
          [AppInstanceResolver, new AppInstanceResolver(services.reads.instances, services.reads.loaders, services.reads.live, services.reads.maxPageSize)],
          [HostKpiResolver, new HostKpiResolver(services.reads.live)],
          [OperationQueryResolver, new OperationQueryResolver(services.reads.operations)],
        ]
      : [],
  );
  return buildSchema({
    resolvers: RESOLVERS,
    container: { get: (cls) => instances.get(cls) },
    // Inputs are validated by the services (shared with the REST shim), not by class-validator.
    validate: false,
  });
}
