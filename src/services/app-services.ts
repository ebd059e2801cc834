import type { EventSystem } from '../events/event-system.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostConfigService } from './host-config.service.js';
import type { HostService } from './host.service.js';
import type { LcmService } from './lcm.service.js';
import type { OperationService } from './operation.service.js';
import type { PackageService } from './package.service.js';
import type { ReadServices } from './read-services.js';
import type { VmImageService } from './vm-image.service.js';

/** The use cases GraphQL resolvers and the REST routes delegate to: one set, so no behaviour is written twice. */
export interface Services {
  /** The event log: subscriptions, the change feed, workload watches. */
  events: EventSystem;
  hosts: HostService;
  hostConfig: HostConfigService;
  packages: PackageService;
  plugins: PluginRegistry;
  /** Lifecycle mutations and operation decisions. */
  lcm: LcmService;
  operations: OperationService;
  /** Instance and operation reads, live status. */
  reads: ReadServices;
  /** VM images: snapshot, delete, reads. */
  images: VmImageService;
}
