import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { InstanceQueryService } from './instance-query.service.js';
import { InstanceStatusService } from './instance-status.service.js';
import { OperationQueryService } from './operation-query.service.js';
import { ReadLoaderFactory } from './read-loaders.js';

/** The read side of instances and operations: queries, batching loaders and live data from plugins. */
export interface ReadServices {
  instances: InstanceQueryService;
  operations: OperationQueryService;
  loaders: ReadLoaderFactory;
  live: InstanceStatusService;
  maxPageSize: number;
}

export function createReadServices(plugins: PluginRegistry, limits: { maxPageSize: number }): ReadServices {
  const instances = new InstanceQueryService(limits);
  const operations = new OperationQueryService(limits);
  return { instances, operations, loaders: new ReadLoaderFactory(instances, operations), live: new InstanceStatusService(plugins), maxPageSize: limits.maxPageSize };
}
