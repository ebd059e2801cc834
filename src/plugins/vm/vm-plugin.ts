import { FlavorManagerService, NetworkManagerService, SecurityGroupManagerService, VmImageMangerService, VmManagerService } from '../../generated/proto/resourcemanager.js';
import { CallSlots } from '../call-slots.js';
import { hostKey } from '../plugin-kit/host-keys.js';
import { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { PluginShell, startPlugin } from '../plugin-kit/plugin-shell.js';
import { appLcmHandlers } from './applcm-service.js';
import { extensionsHandlers } from './extensions-service.js';
import { ImageFetcher } from './image-fetch.js';
import { InstanceDeployer } from './instance-deployer.js';
import { PackageImages } from './package-images.js';
import { flavorService, networkService, securityGroupService, vmService } from './resource-services.js';
import type { VmContext } from './vm-context.js';
import { vmImageService } from './vm-image-service.js';
import { resolveVmOptions, type VmPluginOptions } from './vm-options.js';
import { VmStore } from './vm-store.js';

/**
 * The VM plugin: AppLCM, the original resource-manager services (VmImageManger, VmManager, FlavorManager,
 * NetworkManager, SecurityGroupManager) and PluginExtensions over gRPC for hosts whose VIM is OpenStack. Each host's
 * rc file gives a Keystone v3 session; Glance, Nova and Neutron are called directly. State is files under the data
 * dir (rc files, packages, instance records, the resources the plugin created); the resources live in the cloud.
 */
export class VmPlugin extends PluginShell<VmContext> {
  static async start(o: VmPluginOptions = {}): Promise<VmPlugin> {
    const running = await startPlugin(o, {
      name: 'vm',
      vimTypes: ['openstack'],
      context(shared, dataDir): VmContext {
        const opts = resolveVmOptions(o);
        return {
          ...shared,
          store: new VmStore(dataDir.path),
          opts,
          locks: new KeyedLock(),
          clouds: new Map(),
          uploads: new Map(),
          imageSlots: new CallSlots(opts.maxImageUploads),
          fetcher: new ImageFetcher(opts.imageProxy),
        };
      },
      prepare: (ctx) => ctx.store.init(),
      appLcm: (ctx) => appLcmHandlers(ctx, new InstanceDeployer(ctx), new PackageImages(ctx)),
      extensions: extensionsHandlers,
      services: (ctx) => [
        { definition: VmImageMangerService, implementation: vmImageService(ctx) },
        { definition: VmManagerService, implementation: vmService(ctx) },
        { definition: FlavorManagerService, implementation: flavorService(ctx) },
        { definition: NetworkManagerService, implementation: networkService(ctx) },
        { definition: SecurityGroupManagerService, implementation: securityGroupService(ctx) },
      ],
      // Image uploads to Glance in flight end with the plugin.
      halt(ctx) {
        for (const a of ctx.uploads.values()) a.abort();
      },
      release: (ctx) => ctx.fetcher.close(),
    });
    return new VmPlugin(running);
  }

  /** Keystone authentications made for a host so far (token reuse shows as few). */
  authentications(tenantId: string, hostIp: string): number {
    return this.ctx.clouds.get(hostKey(tenantId, hostIp))?.cloud.session.authentications ?? 0;
  }

  /** Open watch streams, calls and image uploads, for leak checks. */
  override get openResources(): { watchers: number; calls: number; uploads: number } {
    return { ...super.openResources, uploads: this.ctx.uploads.size };
  }
}
