import path from 'node:path';
import { status } from '@grpc/grpc-js';
import type {
  AppLCMServer,
  DeletePackageRequest,
  DeletePackageResponse,
  InstantiateRequest,
  InstantiateResponse,
  QueryKPIRequest,
  QueryKPIResponse,
  QueryPackageStatusRequest,
  QueryPackageStatusResponse,
  QueryRequest,
  QueryResponse,
  RemoveCfgRequest,
  RemoveCfgResponse,
  TerminateRequest,
  TerminateResponse,
  UploadCfgRequest,
  UploadCfgResponse,
  UploadPackageRequest,
  UploadPackageResponse,
  WorkloadEventsRequest,
  WorkloadEventsResponse,
} from '../../generated/proto/lcmservice.js';
import { checkPackageId, checkUuid } from '../plugin-kit/identity.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { StagedFile } from '../plugin-kit/staged-file.js';
import { callIds, CONFIG_FRAMING, PACKAGE_FRAMING, SUCCESS } from '../plugin-kit/applcm-calls.js';
import { MAX_CONFIG_BYTES, readFramedUpload } from '../plugin-kit/stream-framing.js';
import { extractChart } from './chart-package.js';
import { failure, type InstanceDeployer } from './instance-deployer.js';
import { firstNode, instanceEvents, readInstance, type InstanceView } from './instance-reader.js';
import { admit, kubeFor, type K8sContext } from './k8s-context.js';
import { kubeconfigProblem } from './kubeconfig-check.js';
import { kpiJson } from './node-kpi.js';
import { originalEventsJson, originalQueryJson } from './workload-status.js';


/** AppLCM (the original protocol) for Kubernetes hosts: helm deploys, the API is read with @kubernetes/client-node. */
export function appLcmService(ctx: K8sContext, deployer: InstanceDeployer): AppLCMServer {
  const { runner, store } = ctx;
  const needsConfig = async (tenantId: string, hostIp: string): Promise<void> => {
    if (!(await store.hasKubeconfig(tenantId, hostIp))) throw new RpcError(status.FAILED_PRECONDITION, `no kubeconfig uploaded for host ${hostIp} of tenant ${tenantId}`);
  };

  /** query and workloadEvents: the instance as the cluster shows it, rendered as the original plugin's JSON. */
  const instanceAnswer = async (
    r: { accessToken: string; tenantId: string; hostIp: string; appInstanceId: string },
    rpc: string,
    render: (v: InstanceView) => Promise<string>,
  ): Promise<{ response: string }> => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
    const v = await readInstance(ctx, r.tenantId, r.hostIp, r.appInstanceId);
    try {
      return { response: await render(v) };
    } catch (e) {
      throw failure(`${rpc} ${r.appInstanceId}`, e);
    }
  };

  return {
    instantiate: runner.unary<InstantiateRequest, InstantiateResponse>('instantiate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      checkPackageId(r.appPackageId);
      await needsConfig(r.tenantId, r.hostIp);
      await deployer.instantiate({ tenantId: r.tenantId, hostIp: r.hostIp, appInstanceId: r.appInstanceId, appPackageId: r.appPackageId, parameters: { ...r.parameters } });
      return SUCCESS;
    }),

    terminate: runner.unary<TerminateRequest, TerminateResponse>('terminate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      await needsConfig(r.tenantId, r.hostIp);
      await deployer.terminate(r.tenantId, r.hostIp, r.appInstanceId);
      return SUCCESS;
    }),

    query: runner.unary<QueryRequest, QueryResponse>('query', callIds('appInstanceId'), (r) =>
      instanceAnswer(r, 'query', async (v) => originalQueryJson(v.workloads, await firstNode(v.kube))),
    ),

    queryKpi: runner.unary<QueryKPIRequest, QueryKPIResponse>('queryKPI', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const { kube } = await kubeFor(ctx, r.tenantId, r.hostIp);
      try {
        return { response: await kpiJson(kube) };
      } catch (e) {
        throw failure('queryKPI', e);
      }
    }),

    queryPackageStatus: runner.unary<QueryPackageStatusRequest, QueryPackageStatusResponse>('queryPackageStatus', callIds('packageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.packageId);
      if (!(await store.package(r.tenantId, r.hostIp, r.packageId))) throw new RpcError(status.NOT_FOUND, `no package ${r.packageId} on host ${r.hostIp}`);
      // Recorded only once stored and its chart looked at, so a known package is distributed.
      return { response: 'Distributed' };
    }),

    uploadConfig: runner.clientStream<UploadCfgRequest, UploadCfgResponse>('uploadConfig', async (messages, gate) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const meta = await readFramedUpload(
        messages,
        CONFIG_FRAMING,
        async (m) => {
          gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp });
          await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
        },
        (chunk) => {
          gate.payload(chunk.length);
          size += chunk.length;
          if (size > MAX_CONFIG_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, `kubeconfig exceeds ${MAX_CONFIG_BYTES} bytes`);
          chunks.push(chunk);
        },
      );
      const content = Buffer.concat(chunks);
      const problem = kubeconfigProblem(content.toString('utf8'));
      if (problem) throw new RpcError(status.INVALID_ARGUMENT, `kubeconfig refused: ${problem}`);
      await store.putKubeconfig(meta.tenantId, meta.hostIp, content);
      return SUCCESS;
    }),

    removeConfig: runner.unary<RemoveCfgRequest, RemoveCfgResponse>('removeConfig', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      await store.removeKubeconfig(r.tenantId, r.hostIp);
      return SUCCESS;
    }),

    workloadEvents: runner.unary<WorkloadEventsRequest, WorkloadEventsResponse>('workloadEvents', callIds('appInstanceId'), (r) =>
      instanceAnswer(r, 'workloadEvents', async (v) => originalEventsJson(v.workloads, await instanceEvents(v))),
    ),

    uploadPackage: runner.clientStream<UploadPackageRequest, UploadPackageResponse>('uploadPackage', async (messages, gate) => {
      let staged: StagedFile | undefined;
      try {
        const meta = await readFramedUpload(
          messages,
          PACKAGE_FRAMING,
          async (m) => {
            gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.appPackageId });
            await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
            checkPackageId(m.appPackageId);
            await needsConfig(m.tenantId, m.hostIp);
            staged = await StagedFile.open(store.tmpDir);
          },
          async (chunk) => {
            gate.payload(chunk.length);
            await staged?.write(chunk);
          },
        );
        if (!staged) throw new Error('package stream admitted without a staging file');
        // A replaced package: the old record goes first, so a half-replaced one is never taken for the new.
        await store.removePackage(meta.tenantId, meta.hostIp, meta.appPackageId);
        const dir = store.packageDir(meta.tenantId, meta.hostIp, meta.appPackageId);
        const file = await staged.commit(path.join(dir, 'package.csar'));
        staged = undefined;
        const chart = await extractChart(file.path, dir);
        await store.putPackage(meta.tenantId, meta.hostIp, { packageId: meta.appPackageId, bytes: file.bytes, sha256: file.sha256, ...chart });
        return SUCCESS;
      } finally {
        await staged?.discard();
      }
    }),

    deletePackage: runner.unary<DeletePackageRequest, DeletePackageResponse>('deletePackage', callIds('appPackageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.appPackageId);
      await store.removePackage(r.tenantId, r.hostIp, r.appPackageId);
      return SUCCESS;
    }),
  };
}

