import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { HostResolver } from '../resolvers/host.resolver.js';
import { PackageResolver } from '../resolvers/package.resolver.js';
import { PluginResolver } from '../resolvers/plugin.resolver.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostConfigService } from '../services/host-config.service.js';
import { ViewerResolver } from '../resolvers/viewer.resolver.js';
import type { HostService } from '../services/host.service.js';
import type { PackageService } from '../services/package.service.js';

/** The use cases the resolvers delegate to. */
export interface Services {
  hosts: HostService;
  hostConfig: HostConfigService;
  packages: PackageService;
  plugins: PluginRegistry;
}

const RESOLVERS = [ViewerResolver, HostResolver, PackageResolver, PluginResolver] as const;

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
