import fs from 'node:fs/promises';
import { status } from '@grpc/grpc-js';
import { checkSamePackage } from '../plugin-kit/applcm-calls.js';
import type { AppLcmHandlers } from '../plugin-kit/applcm-service.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { kpiJson, queryJson, workloadEventsJson } from './k8s-json.js';
import { configuredHost, existingInstance, type SimContext } from './sim-context.js';
import { packagePath, tmpDir } from './sim-paths.js';

/** AppLCM on the simulator's in-memory hosts: instances are simulated, packages and configs kept as sent. */
export function appLcmHandlers(ctx: SimContext): AppLcmHandlers {
  const instanceOn = (tenantId: string, hostIp: string, appInstanceId: string) => existingInstance(configuredHost(ctx, tenantId, hostIp), appInstanceId);

  return {
    needsConfig: (tenantId, hostIp) => configuredHost(ctx, tenantId, hostIp),

    async instantiate(r) {
      const host = configuredHost(ctx, r.tenantId, r.hostIp);
      const appInstanceId = r.appInstanceId.toLowerCase();
      // An existing instance first: a retry succeeds even if its package was deleted since.
      const existing = host.instances.get(appInstanceId);
      if (existing) {
        checkSamePackage(existing, appInstanceId, r.appPackageId);
        return;
      }
      if (!host.packages.has(r.appPackageId)) throw new RpcError(status.NOT_FOUND, `no package ${r.appPackageId} on host ${r.hostIp}`);
      ctx.instances.create({ tenantId: r.tenantId.toLowerCase(), hostIp: r.hostIp, appInstanceId, appPackageId: r.appPackageId, parameters: r.parameters });
      await ctx.persist.save(r.tenantId, r.hostIp);
    },

    async terminate(tenantId, hostIp, appInstanceId) {
      const inst = configuredHost(ctx, tenantId, hostIp).instances.get(appInstanceId.toLowerCase());
      if (inst) {
        ctx.instances.remove(inst);
        await ctx.persist.save(tenantId, hostIp);
      }
    },

    query: (tenantId, hostIp, appInstanceId) => queryJson(instanceOn(tenantId, hostIp, appInstanceId)),
    workloadEvents: (tenantId, hostIp, appInstanceId) => workloadEventsJson(instanceOn(tenantId, hostIp, appInstanceId)),
    queryKpi: (tenantId, hostIp) => kpiJson(configuredHost(ctx, tenantId, hostIp).instances.values()),

    packageStatus(tenantId, hostIp, packageId) {
      // Packages are stored by the plugin itself, not on the VIM, so no configuration is needed to answer.
      if (!ctx.store.find(tenantId, hostIp)?.packages.has(packageId)) throw new RpcError(status.NOT_FOUND, `no package ${packageId} on host ${hostIp}`);
      // Stored only once complete, so a known package is always distributed.
      return 'Distributed';
    },

    config: {
      name: 'configuration',
      async put(tenantId, hostIp, content) {
        ctx.store.host(tenantId, hostIp).config = content;
        await ctx.persist.save(tenantId, hostIp);
      },
      async remove(tenantId, hostIp) {
        const host = ctx.store.find(tenantId, hostIp);
        if (host?.config) {
          host.config = undefined;
          await ctx.persist.save(tenantId, hostIp);
        }
      },
    },

    packages: {
      tmpDir: tmpDir(ctx.dataDir),
      async put(p) {
        const file = await p.commit(packagePath(ctx.dataDir, p.tenantId, p.hostIp, p.appPackageId));
        // Same id again replaces the package (the rename above swapped the file).
        ctx.store.host(p.tenantId, p.hostIp).packages.set(p.appPackageId, file);
        await ctx.persist.save(p.tenantId, p.hostIp);
      },
      async remove(tenantId, hostIp, packageId) {
        const host = ctx.store.find(tenantId, hostIp);
        const file = host?.packages.get(packageId);
        if (host && file) {
          host.packages.delete(packageId);
          await ctx.persist.save(tenantId, hostIp);
          await fs.rm(file.path, { force: true });
        }
      },
    },
  };
}
