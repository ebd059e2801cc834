import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { HostResolver } from '../resolvers/host.resolver.js';
import { ViewerResolver } from '../resolvers/viewer.resolver.js';
import type { HostService } from '../services/host.service.js';

/** The use cases the resolvers delegate to. */
export interface Services {
  hosts: HostService;
}

/** Builds the executable schema; resolvers are constructed here with their services (no global container). */
export async function buildAppSchema(services: Services): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>([
    [HostResolver, new HostResolver(services.hosts)],
    [ViewerResolver, new ViewerResolver()],
  ]);
  return buildSchema({
    resolvers: [HostResolver, ViewerResolver],
    container: { get: (cls) => instances.get(cls) },
    // Inputs are validated by the services (shared with the REST shim), not by class-validator.
    validate: false,
  });
}
