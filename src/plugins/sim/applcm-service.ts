import fs from 'node:fs/promises';
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
import { kpiJson, queryJson, workloadEventsJson } from './k8s-json.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { admit, configuredHost, existingInstance, type SimContext } from './sim-context.js';
import { packagePath, tmpDir } from './sim-paths.js';
import { StagedFile } from '../plugin-kit/staged-file.js';
import { callIds, CONFIG_FRAMING, PACKAGE_FRAMING, SUCCESS } from '../plugin-kit/applcm-calls.js';
import { MAX_CONFIG_BYTES, readFramedUpload } from '../plugin-kit/stream-framing.js';


export function appLcmService(ctx: SimContext): AppLCMServer {
  const { runner } = ctx;
  return {
    instantiate: runner.unary<InstantiateRequest, InstantiateResponse>('instantiate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      checkPackageId(r.appPackageId);
      const host = configuredHost(ctx, r.tenantId, r.hostIp);
      const appInstanceId = r.appInstanceId.toLowerCase();
      // An existing instance first: a retry succeeds even if its package was deleted since.
      const existing = host.instances.get(appInstanceId);
      if (existing) {
        if (existing.appPackageId === r.appPackageId) return SUCCESS;
        throw new RpcError(status.ALREADY_EXISTS, `instance ${appInstanceId} exists with package ${existing.appPackageId}`);
      }
      if (!host.packages.has(r.appPackageId)) throw new RpcError(status.NOT_FOUND, `no package ${r.appPackageId} on host ${r.hostIp}`);
      ctx.instances.create({ tenantId: r.tenantId.toLowerCase(), hostIp: r.hostIp, appInstanceId, appPackageId: r.appPackageId, parameters: { ...r.parameters } });
      await ctx.persist.save(r.tenantId, r.hostIp);
      return SUCCESS;
    }),

    terminate: runner.unary<TerminateRequest, TerminateResponse>('terminate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      const inst = configuredHost(ctx, r.tenantId, r.hostIp).instances.get(r.appInstanceId.toLowerCase());
      if (inst) {
        ctx.instances.remove(inst);
        await ctx.persist.save(r.tenantId, r.hostIp);
      }
      return SUCCESS;
    }),

    query: runner.unary<QueryRequest, QueryResponse>('query', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      return { response: queryJson(existingInstance(configuredHost(ctx, r.tenantId, r.hostIp), r.appInstanceId)) };
    }),

    queryKpi: runner.unary<QueryKPIRequest, QueryKPIResponse>('queryKPI', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      return { response: kpiJson(configuredHost(ctx, r.tenantId, r.hostIp).instances.values()) };
    }),

    queryPackageStatus: runner.unary<QueryPackageStatusRequest, QueryPackageStatusResponse>('queryPackageStatus', callIds('packageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.packageId);
      // Packages are stored by the plugin itself, not on the VIM, so no configuration is needed to answer.
      if (!ctx.store.find(r.tenantId, r.hostIp)?.packages.has(r.packageId)) throw new RpcError(status.NOT_FOUND, `no package ${r.packageId} on host ${r.hostIp}`);
      // Stored only once complete, so a known package is always distributed.
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
          if (size > MAX_CONFIG_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, `configuration exceeds ${MAX_CONFIG_BYTES} bytes`);
          chunks.push(chunk);
        },
      );
      // Only a stream that completed gets here: a cancelled or dropped one threw out of the read above.
      ctx.store.host(meta.tenantId, meta.hostIp).config = Buffer.concat(chunks);
      await ctx.persist.save(meta.tenantId, meta.hostIp);
      return SUCCESS;
    }),

    removeConfig: runner.unary<RemoveCfgRequest, RemoveCfgResponse>('removeConfig', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const host = ctx.store.find(r.tenantId, r.hostIp);
      if (host?.config) {
        host.config = undefined;
        await ctx.persist.save(r.tenantId, r.hostIp);
      }
      return SUCCESS;
    }),

    workloadEvents: runner.unary<WorkloadEventsRequest, WorkloadEventsResponse>('workloadEvents', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      return { response: workloadEventsJson(existingInstance(configuredHost(ctx, r.tenantId, r.hostIp), r.appInstanceId)) };
    }),

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
            configuredHost(ctx, m.tenantId, m.hostIp);
            staged = await StagedFile.open(tmpDir(ctx.dataDir));
          },
          async (chunk) => {
            gate.payload(chunk.length);
            await staged?.write(chunk);
          },
        );
        if (!staged) throw new Error('package stream admitted without a staging file');
        const file = await staged.commit(packagePath(ctx.dataDir, meta.tenantId, meta.hostIp, meta.appPackageId));
        staged = undefined;
        // Same id again replaces the package (the rename above swapped the file).
        ctx.store.host(meta.tenantId, meta.hostIp).packages.set(meta.appPackageId, file);
        await ctx.persist.save(meta.tenantId, meta.hostIp);
        return SUCCESS;
      } finally {
        await staged?.discard();
      }
    }),

    deletePackage: runner.unary<DeletePackageRequest, DeletePackageResponse>('deletePackage', callIds('appPackageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.appPackageId);
      const host = ctx.store.find(r.tenantId, r.hostIp);
      const file = host?.packages.get(r.appPackageId);
      if (host && file) {
        host.packages.delete(r.appPackageId);
        await ctx.persist.save(r.tenantId, r.hostIp);
        await fs.rm(file.path, { force: true });
      }
      return SUCCESS;
    }),
  };
}
