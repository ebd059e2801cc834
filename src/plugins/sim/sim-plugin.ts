import fs from 'node:fs/promises';
import { VmImageMangerService } from '../../generated/proto/resourcemanager.js';
import { PluginShell, startPlugin } from '../plugin-kit/plugin-shell.js';
import { appLcmHandlers } from './applcm-service.js';
import { extensionsHandlers } from './extensions-service.js';
import { InstanceLifecycle } from './instance-lifecycle.js';
import type { SimCallRecord, SimFault, SimInstanceState, SimPluginOptions, SimRpc } from './sim-options.js';
import type { SimContext } from './sim-context.js';
import { tmpDir } from './sim-paths.js';
import { DiskPersistence, noPersistence } from './sim-persistence.js';
import { SimStore, type SimInstance } from './sim-store.js';
import { vmImageService } from './vm-image-service.js';

/**
 * An in-process plugin without a VIM: serves AppLCM, PluginExtensions and VmImageManger by the contract of
 * docs/plugin-protocol.md, keeps its state in memory (packages and images as files), and lets tests inject
 * faults and drive instance states. Used by controller tests, benchmarks and the embedded default.
 *
 * Given a `dataDir`, it also keeps configs, packages, instances and images there (sim-persistence.ts) and picks
 * them up again on the next start; without one it works in a temp dir that stop() removes.
 */
export class SimPlugin extends PluginShell<SimContext> {
  static async start(o: SimPluginOptions = {}): Promise<SimPlugin> {
    let disk: DiskPersistence | undefined;
    const running = await startPlugin(o, {
      name: 'sim',
      vimTypes: o.vimTypes ?? ['k8s'],
      context(shared, dataDir): SimContext {
        const store = new SimStore();
        disk = dataDir.own ? undefined : new DiskPersistence(dataDir.path, store);
        const persist = disk ?? noPersistence;
        // Instance changes that no call waits for (the deploy step, the test hooks) are written in the background;
        // a failed write shows in the next one, which writes the whole host again.
        const changed = (inst: SimInstance): void => void persist.save(inst.tenantId, inst.hostIp).catch(() => undefined);
        return { ...shared, store, instances: new InstanceLifecycle(store, shared.hub, o.deployDelayMs ?? 0, changed), dataDir: dataDir.path, persist };
      },
      async prepare(ctx) {
        await disk?.load();
        await fs.mkdir(tmpDir(ctx.dataDir), { recursive: true });
      },
      appLcm: appLcmHandlers,
      extensions: extensionsHandlers,
      services: (ctx) => [{ definition: VmImageMangerService, implementation: vmImageService(ctx) }],
      // importVmImage answers UNIMPLEMENTED, so it is not announced.
      unannounced: [VmImageMangerService.importVmImage.path],
      // Pending deploy steps would change instances after the plugin stopped.
      halt: (ctx) => ctx.instances.dispose(),
      // Finishes writing its state; in a given data dir the uploads in progress go (its own goes whole).
      async settle(ctx) {
        await ctx.persist.flush();
        if (o.dataDir) await fs.rm(tmpDir(ctx.dataDir), { recursive: true, force: true });
      },
    });
    return new SimPlugin(running);
  }

  injectFault(f: SimFault): void {
    this.running.faults.inject(f);
  }

  clearFaults(): void {
    this.running.faults.clear();
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

  private findInstance(tenantId: string, hostIp: string, appInstanceId: string): SimInstance | undefined {
    return this.ctx.store.find(tenantId, hostIp)?.instances.get(appInstanceId.toLowerCase());
  }

  private mustFindInstance(tenantId: string, hostIp: string, appInstanceId: string): SimInstance {
    const inst = this.findInstance(tenantId, hostIp, appInstanceId);
    if (!inst) throw new Error(`no simulated instance ${appInstanceId} on ${hostIp} for tenant ${tenantId}`);
    return inst;
  }
}
