import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type { AppLcmHandlers } from '../plugin-kit/applcm-service.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { extractChart } from './chart-package.js';
import { failure, type InstanceDeployer } from './instance-deployer.js';
import { firstNode, instanceEvents, readInstance, type InstanceView } from './instance-reader.js';
import { kubeFor, needsConfig, type K8sContext } from './k8s-context.js';
import { kubeconfigProblem } from './kubeconfig-check.js';
import { kpiJson } from './node-kpi.js';
import { originalEventsJson, originalQueryJson } from './workload-status.js';

/** AppLCM (the original protocol) for Kubernetes hosts: helm deploys, the API is read with @kubernetes/client-node. */
export function appLcmHandlers(ctx: K8sContext, deployer: InstanceDeployer): AppLcmHandlers {
  const { store } = ctx;

  /** query and workloadEvents: the instance as the cluster shows it, rendered as the original plugin's JSON. */
  const instanceAnswer = async (tenantId: string, hostIp: string, appInstanceId: string, rpc: string, render: (v: InstanceView) => Promise<string>): Promise<string> => {
    const v = await readInstance(ctx, tenantId, hostIp, appInstanceId);
    try {
      return await render(v);
    } catch (e) {
      throw failure(`${rpc} ${appInstanceId}`, e);
    }
  };

  return {
    needsConfig: (tenantId, hostIp) => needsConfig(ctx, tenantId, hostIp),
    instantiate: (r) => deployer.instantiate(r),
    terminate: (tenantId, hostIp, appInstanceId) => deployer.terminate(tenantId, hostIp, appInstanceId),
    query: (tenantId, hostIp, appInstanceId) => instanceAnswer(tenantId, hostIp, appInstanceId, 'query', async (v) => originalQueryJson(v.workloads, await firstNode(v.kube))),
    workloadEvents: (tenantId, hostIp, appInstanceId) => instanceAnswer(tenantId, hostIp, appInstanceId, 'workloadEvents', async (v) => originalEventsJson(v.workloads, await instanceEvents(v))),

    async queryKpi(tenantId, hostIp) {
      const { kube } = await kubeFor(ctx, tenantId, hostIp);
      try {
        return await kpiJson(kube);
      } catch (e) {
        throw failure('queryKPI', e);
      }
    },

    async packageStatus(tenantId, hostIp, packageId) {
      if (!(await store.package(tenantId, hostIp, packageId))) throw new RpcError(status.NOT_FOUND, `no package ${packageId} on host ${hostIp}`);
      // Recorded only once stored and its chart looked at, so a known package is distributed.
      return 'Distributed';
    },

    config: {
      name: 'kubeconfig',
      async put(tenantId, hostIp, content) {
        const problem = kubeconfigProblem(content.toString('utf8'));
        if (problem) throw new RpcError(status.INVALID_ARGUMENT, `kubeconfig refused: ${problem}`);
        await store.putConfig(tenantId, hostIp, content);
      },
      remove: (tenantId, hostIp) => store.removeConfig(tenantId, hostIp),
    },

    packages: {
      tmpDir: store.tmpDir,
      async put(p) {
        // A replaced package: the old record goes first, so a half-replaced one is never taken for the new.
        await store.removePackage(p.tenantId, p.hostIp, p.appPackageId);
        const dir = store.packageDir(p.tenantId, p.hostIp, p.appPackageId);
        const file = await p.commit(path.join(dir, 'package.csar'));
        const chart = await extractChart(file.path, dir);
        await store.putPackage(p.tenantId, p.hostIp, { packageId: p.appPackageId, bytes: file.bytes, sha256: file.sha256, ...chart });
      },
      remove: (tenantId, hostIp, packageId) => store.removePackage(tenantId, hostIp, packageId),
    },
  };
}
