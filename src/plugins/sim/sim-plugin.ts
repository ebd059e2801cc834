import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PluginExtensionsService } from '../../generated/proto/applcm_plugin.js';
import { AppLCMService } from '../../generated/proto/lcmservice.js';
import { VmImageMangerService } from '../../generated/proto/resourcemanager.js';
import { DEFAULT_PLUGIN_MAX_MESSAGE_BYTES, startGrpcServer, type RunningGrpcServer } from '../plugin-server.js';
import { appLcmService } from './applcm-service.js';
import { pluginExtensionsService } from './extensions-service.js';
import { FaultBook } from '../plugin-kit/fault-book.js';
import { InstanceLifecycle } from './instance-lifecycle.js';
import { pluginVersion } from '../plugin-kit/plugin-version.js';
import { RpcRunner } from '../plugin-kit/rpc-runner.js';
import type { SimCallRecord, SimFault, SimInstanceState, SimPluginOptions, SimRpc } from './sim-options.js';
import type { SimContext } from './sim-context.js';
import { tmpDir } from './sim-paths.js';
import { DiskPersistence, noPersistence } from './sim-persistence.js';
import { SimStore, type SimInstance } from './sim-store.js';
import { tokenCheck } from '../plugin-kit/token-check.js';
import { vmImageService } from './vm-image-service.js';
import { WatchHub } from '../plugin-kit/watch-hub.js';

/** How long stop() lets calls in flight (uploads) finish before cutting them. */
const STOP_GRACE_MS = 1000;

/**
 * An in-process plugin without a VIM: serves AppLCM, PluginExtensions and VmImageManger by the contract of
 * docs/plugin-protocol.md, keeps its state in memory (packages and images as files), and lets tests inject
 * faults and drive instance states. Used by controller tests, benchmarks and the embedded default.
 *
 * Given a `dataDir`, it also keeps configs, packages, instances and images there (sim-persistence.ts) and picks
 * them up again on the next start; without one it works in a temp dir that stop() removes.
 */
export class SimPlugin {
  private stopping?: Promise<void>;

  private constructor(
    private readonly server: RunningGrpcServer,
    private readonly ctx: SimContext,
    private readonly faults: FaultBook,
    /** The data dir when we made it, removed on stop. */
    private readonly ownDataDir: string | undefined,
  ) {}

  static async start(o: SimPluginOptions = {}): Promise<SimPlugin> {
    const dataDir = o.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-sim-')));
    const ownDataDir = o.dataDir ? undefined : dataDir;
    const store = new SimStore();
    const hub = new WatchHub();
    const faults = new FaultBook();
    const maxReceiveMessageBytes = o.maxReceiveMessageBytes ?? DEFAULT_PLUGIN_MAX_MESSAGE_BYTES;
    const disk = ownDataDir ? undefined : new DiskPersistence(dataDir, store);
    const persist = disk ?? noPersistence;
    // Instance changes that no call waits for (the deploy step, the test hooks) are written in the background;
    // a failed write shows in the next one, which writes the whole host again.
    const changed = (inst: SimInstance): void => void persist.save(inst.tenantId, inst.hostIp).catch(() => undefined);
    const ctx: SimContext = {
      store,
      hub,
      instances: new InstanceLifecycle(store, hub, o.deployDelayMs ?? 0, changed),
      runner: new RpcRunner(faults),
      checkToken: tokenCheck(o.verifyToken),
      dataDir,
      persist,
      vimTypes: o.vimTypes ?? ['k8s'],
      maxReceiveMessageBytes,
      heartbeatMs: o.heartbeatMs ?? 15_000,
      health: { ok: true, message: '' },
    };
    try {
      await disk?.load();
      await fs.mkdir(tmpDir(dataDir), { recursive: true });
      const vmImages = vmImageService(ctx);
      // importVmImage answers UNIMPLEMENTED, so it is not announced.
      const operations = [
        ...Object.values(AppLCMService).map((m) => m.path),
        ...Object.values(PluginExtensionsService).map((m) => m.path),
        ...Object.values(VmImageMangerService)
          .map((m) => m.path)
          .filter((p) => p !== VmImageMangerService.importVmImage.path),
      ];
      const server = await startGrpcServer({
        host: o.host,
        port: o.port,
        tls: o.tls,
        maxReceiveMessageBytes,
        services: [
          { definition: AppLCMService, implementation: appLcmService(ctx) },
          { definition: PluginExtensionsService, implementation: pluginExtensionsService(ctx, operations, pluginVersion()) },
          { definition: VmImageMangerService, implementation: vmImages },
        ],
      });
      return new SimPlugin(server, ctx, faults, ownDataDir);
    } catch (e) {
      if (ownDataDir) await fs.rm(ownDataDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** host:port to dial. */
  get address(): string {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  injectFault(f: SimFault): void {
    this.faults.inject(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every call received, in arrival order (stream calls fill in tenant, host and id once their metadata came). */
  get calls(): SimCallRecord[] {
    return this.ctx.runner.calls;
  }

  callCount(rpc: SimRpc): number {
    return this.ctx.runner.calls.filter((c) => c.rpc === rpc).length;
  }

  config(tenantId: string, hostIp: string): Buffer | undefined {
    return this.ctx.store.find(tenantId, hostIp)?.config;
  }

  package(tenantId: string, hostIp: string, packageId: string): { bytes: number; sha256: string; path: string } | undefined {
    const f = this.ctx.store.find(tenantId, hostIp)?.packages.get(packageId);
    return f && { ...f };
  }

  instance(tenantId: string, hostIp: string, appInstanceId: string): { appPackageId: string; parameters: Record<string, string>; state: string } | undefined {
    const inst = this.findInstance(tenantId, hostIp, appInstanceId);
    return inst && { appPackageId: inst.appPackageId, parameters: { ...inst.parameters }, state: inst.state };
  }

  /** Changes an instance's state as its VIM would, and tells its watchers. */
  setInstanceState(tenantId: string, hostIp: string, appInstanceId: string, state: SimInstanceState, reason = ''): void {
    this.ctx.instances.setState(this.mustFindInstance(tenantId, hostIp, appInstanceId), state, reason);
  }

  /** Records a workload event, which watchers that asked for events receive. */
  emitWorkloadEvent(tenantId: string, hostIp: string, appInstanceId: string, ev: { type: string; reason: string; message: string }): void {
    this.ctx.instances.addEvent(this.mustFindInstance(tenantId, hostIp, appInstanceId), ev);
  }

  setHealthy(ok: boolean, message = ''): void {
    this.ctx.health.ok = ok;
    this.ctx.health.message = ok ? '' : message || 'not serving';
  }

  /** Open watch subscriptions, server streams and stalled calls: what a leak would show in. */
  get openResources(): { watchers: number; calls: number } {
    return { watchers: this.ctx.hub.size, calls: this.ctx.runner.openCalls };
  }

  /**
   * Ends watch streams (OK) and stalled calls (UNAVAILABLE), shuts the server down, finishes writing its state,
   * removes its own data dir (or, in a given one, the uploads in progress).
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ctx.runner.stop();
      this.ctx.instances.dispose();
      await this.server.stop(STOP_GRACE_MS);
      await this.ctx.persist.flush();
      await fs.rm(this.ownDataDir ?? tmpDir(this.ctx.dataDir), { recursive: true, force: true });
    })();
    return this.stopping;
  }

  private findInstance(tenantId: string, hostIp: string, appInstanceId: string): SimInstance | undefined {
    return this.ctx.store.find(tenantId, hostIp)?.instances.get(appInstanceId.toLowerCase());
  }

  private mustFindInstance(tenantId: string, hostIp: string, appInstanceId: string): SimInstance {
    const inst = this.findInstance(tenantId, hostIp, appInstanceId);
    if (!inst) throw new Error(`no simulated instance ${appInstanceId} on ${hostIp} for tenant ${tenantId}`);
    return inst;
  }
}
