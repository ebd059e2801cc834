import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PluginExtensionsService } from '../../generated/proto/applcm_plugin.js';
import { AppLCMService } from '../../generated/proto/lcmservice.js';
import { FlavorManagerService, NetworkManagerService, SecurityGroupManagerService, VmImageMangerService, VmManagerService } from '../../generated/proto/resourcemanager.js';
import { CallSlots } from '../call-slots.js';
import { DEFAULT_PLUGIN_MAX_MESSAGE_BYTES, startGrpcServer, type RunningGrpcServer } from '../plugin-server.js';
import { FaultBook } from '../plugin-kit/fault-book.js';
import { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { pluginVersion } from '../plugin-kit/plugin-version.js';
import { RpcRunner } from '../plugin-kit/rpc-runner.js';
import { tokenCheck } from '../plugin-kit/token-check.js';
import { WatchHub } from '../plugin-kit/watch-hub.js';
import { appLcmService } from './applcm-service.js';
import { pluginExtensionsService } from './extensions-service.js';
import { ImageFetcher } from './image-fetch.js';
import { InstanceDeployer } from './instance-deployer.js';
import { PackageImages } from './package-images.js';
import { flavorService, networkService, securityGroupService, vmService } from './resource-services.js';
import { hostKey, type VmContext } from './vm-context.js';
import { vmImageService } from './vm-image-service.js';
import { resolveVmOptions, type VmPluginOptions } from './vm-options.js';
import { VmStore } from './vm-store.js';

const STOP_GRACE_MS = 1000;

/**
 * The VM plugin: AppLCM, the original resource-manager services (VmImageManger, VmManager, FlavorManager,
 * NetworkManager, SecurityGroupManager) and PluginExtensions over gRPC for hosts whose VIM is OpenStack. Each host's
 * rc file gives a Keystone v3 session; Glance, Nova and Neutron are called directly. State is files under the data
 * dir (rc files, packages, instance records, the resources the plugin created); the resources live in the cloud.
 */
export class VmPlugin {
  private stopping?: Promise<void>;

  private constructor(
    private readonly server: RunningGrpcServer,
    private readonly ctx: VmContext,
    private readonly ownDataDir: string | undefined,
  ) {}

  static async start(o: VmPluginOptions = {}): Promise<VmPlugin> {
    const dataDir = o.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-vm-')));
    const ownDataDir = o.dataDir ? undefined : dataDir;
    const opts = resolveVmOptions(o);
    const store = new VmStore(dataDir);
    const maxReceiveMessageBytes = o.maxReceiveMessageBytes ?? DEFAULT_PLUGIN_MAX_MESSAGE_BYTES;
    const ctx: VmContext = {
      store,
      opts,
      // No faults are injected into the real plugin; the runner logs calls and ends streams on stop.
      runner: new RpcRunner(new FaultBook()),
      checkToken: tokenCheck(o.verifyToken),
      locks: new KeyedLock(),
      hub: new WatchHub(),
      maxReceiveMessageBytes,
      health: { ok: true, message: '' },
      clouds: new Map(),
      uploads: new Map(),
      imageSlots: new CallSlots(opts.maxImageUploads),
      fetcher: new ImageFetcher(opts.imageProxy),
    };
    try {
      await store.init();
      const services: Record<string, { path: string }>[] = [AppLCMService, PluginExtensionsService, VmImageMangerService, VmManagerService, FlavorManagerService, NetworkManagerService, SecurityGroupManagerService];
      const operations = services.flatMap((s) => Object.values(s).map((m) => m.path));
      const server = await startGrpcServer({
        host: o.host,
        port: o.port,
        tls: o.tls,
        maxReceiveMessageBytes,
        services: [
          { definition: AppLCMService, implementation: appLcmService(ctx, new InstanceDeployer(ctx), new PackageImages(ctx)) },
          { definition: PluginExtensionsService, implementation: pluginExtensionsService(ctx, operations, pluginVersion()) },
          { definition: VmImageMangerService, implementation: vmImageService(ctx) },
          { definition: VmManagerService, implementation: vmService(ctx) },
          { definition: FlavorManagerService, implementation: flavorService(ctx) },
          { definition: NetworkManagerService, implementation: networkService(ctx) },
          { definition: SecurityGroupManagerService, implementation: securityGroupService(ctx) },
        ],
      });
      return new VmPlugin(server, ctx, ownDataDir);
    } catch (e) {
      await ctx.fetcher.close();
      if (ownDataDir) await fs.rm(ownDataDir, { recursive: true, force: true });
      throw e;
    }
  }

  get address(): string {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  get dataDir(): string {
    return this.ctx.store.dataDir;
  }

  /** Keystone authentications made for a host so far (token reuse shows as few). */
  authentications(tenantId: string, hostIp: string): number {
    return this.ctx.clouds.get(hostKey(tenantId, hostIp))?.cloud.session.authentications ?? 0;
  }

  /** Open watch streams, calls and image uploads, for leak checks. */
  get openResources(): { watchers: number; calls: number; uploads: number } {
    return { watchers: this.ctx.hub.size, calls: this.ctx.runner.openCalls, uploads: this.ctx.uploads.size };
  }

  /** Ends watch streams and uploads, lets calls in flight finish for a moment, and removes its own data dir. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ctx.runner.stop();
      for (const a of this.ctx.uploads.values()) a.abort();
      await this.server.stop(STOP_GRACE_MS);
      await this.ctx.fetcher.close();
      if (this.ownDataDir) await fs.rm(this.ownDataDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
