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
import { isDomainError } from '../../errors.js';
import { checkPackageId, checkUuid } from '../plugin-kit/identity.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { StagedFile } from '../plugin-kit/staged-file.js';
import { callIds, CONFIG_FRAMING, PACKAGE_FRAMING, SUCCESS } from '../plugin-kit/applcm-calls.js';
import { MAX_CONFIG_BYTES, readFramedUpload } from '../plugin-kit/stream-framing.js';
import type { InstanceDeployer } from './instance-deployer.js';
import { kpiJson, originalEventsJson, originalQueryJson, readInstance, serverEvents } from './instance-reader.js';
import { OwnedRegistry } from './owned-registry.js';
import { packageStatus, uploadKey, type PackageImages } from './package-images.js';
import { parseRcFile } from './rc-file.js';
import { admit, cloudFor, failure, guarded, needsConfig, type VmContext } from './vm-context.js';
import type { VmPackageRecord } from './vm-store.js';
import { NotAVmPackage, readVmTemplate } from './vm-template.js';

/** The local file header every zip starts with. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);


/** Removes a package: its uploads in flight stop, the images only it used leave Glance, its files go. */
export async function removePackage(ctx: VmContext, tenantId: string, hostIp: string, packageId: string): Promise<void> {
  ctx.uploads.get(uploadKey(tenantId, hostIp, packageId))?.abort();
  const rec = await ctx.store.package(tenantId, hostIp, packageId);
  if (!rec) return;
  const registry = new OwnedRegistry(ctx, tenantId, hostIp);
  for (const img of rec.images) {
    const id = img.glanceId;
    if (!id || !(await registry.owns('images', id))) continue;
    const cloud = await cloudFor(ctx, tenantId, hostIp);
    await guarded(`delete image ${id} of package ${packageId}`, () => registry.release('images', id, packageId, () => cloud.glance.delete(id)));
  }
  await ctx.store.removePackage(tenantId, hostIp, packageId);
}

/** AppLCM (the original protocol) for OpenStack hosts: Glance, Nova and Neutron called directly. */
export function appLcmService(ctx: VmContext, deployer: InstanceDeployer, images: PackageImages): AppLCMServer {
  const { runner, store } = ctx;

  return {
    instantiate: runner.unary<InstantiateRequest, InstantiateResponse>('instantiate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      checkPackageId(r.appPackageId);
      await needsConfig(ctx, r.tenantId, r.hostIp);
      await deployer.instantiate({ tenantId: r.tenantId, hostIp: r.hostIp, appInstanceId: r.appInstanceId, appPackageId: r.appPackageId, parameters: { ...r.parameters } });
      return SUCCESS;
    }),

    terminate: runner.unary<TerminateRequest, TerminateResponse>('terminate', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      await needsConfig(ctx, r.tenantId, r.hostIp);
      await deployer.terminate(r.tenantId, r.hostIp, r.appInstanceId);
      return SUCCESS;
    }),

    query: runner.unary<QueryRequest, QueryResponse>('query', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      return { response: originalQueryJson(await readInstance(ctx, r.tenantId, r.hostIp, r.appInstanceId)) };
    }),

    workloadEvents: runner.unary<WorkloadEventsRequest, WorkloadEventsResponse>('workloadEvents', callIds('appInstanceId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      const v = await readInstance(ctx, r.tenantId, r.hostIp, r.appInstanceId);
      return { response: originalEventsJson(await guarded(`workloadEvents ${r.appInstanceId}`, () => serverEvents(v))) };
    }),

    queryKpi: runner.unary<QueryKPIRequest, QueryKPIResponse>('queryKPI', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const cloud = await cloudFor(ctx, r.tenantId, r.hostIp);
      return { response: await guarded('queryKPI', () => kpiJson(cloud)) };
    }),

    queryPackageStatus: runner.unary<QueryPackageStatusRequest, QueryPackageStatusResponse>('queryPackageStatus', callIds('packageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.packageId);
      // Whether the upload runs is asked before the record is read: an upload saves its last state before it stops
      // running, so a record read after it stopped is final (the other order could pair a stale record with "stopped").
      const uploading = ctx.uploads.has(uploadKey(r.tenantId, r.hostIp, r.packageId));
      const rec = await store.package(r.tenantId, r.hostIp, r.packageId);
      if (!rec) throw new RpcError(status.NOT_FOUND, `no package ${r.packageId} on host ${r.hostIp}`);
      return { response: packageStatus(rec, uploading).status };
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
          if (size > MAX_CONFIG_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, `rc file exceeds ${MAX_CONFIG_BYTES} bytes`);
          chunks.push(chunk);
        },
      );
      const content = Buffer.concat(chunks);
      try {
        parseRcFile(content.toString('utf8'));
      } catch (e) {
        throw new RpcError(status.INVALID_ARGUMENT, `rc file refused: ${(e as Error).message}`);
      }
      await store.putRcFile(meta.tenantId, meta.hostIp, content);
      return SUCCESS;
    }),

    removeConfig: runner.unary<RemoveCfgRequest, RemoveCfgResponse>('removeConfig', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      await store.removeRcFile(r.tenantId, r.hostIp);
      return SUCCESS;
    }),

    uploadPackage: runner.clientStream<UploadPackageRequest, UploadPackageResponse>('uploadPackage', async (messages, gate) => {
      let staged: StagedFile | undefined;
      let head = Buffer.alloc(0);
      try {
        const meta = await readFramedUpload(
          messages,
          PACKAGE_FRAMING,
          async (m) => {
            gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.appPackageId });
            await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
            checkPackageId(m.appPackageId);
            await needsConfig(ctx, m.tenantId, m.hostIp);
            staged = await StagedFile.open(store.tmpDir);
          },
          async (chunk) => {
            gate.payload(chunk.length);
            if (head.length < ZIP_MAGIC.length) head = Buffer.concat([head, chunk.subarray(0, ZIP_MAGIC.length)]);
            await staged?.write(chunk);
          },
        );
        if (!staged) throw new Error('package stream admitted without a staging file');
        const cloud = await cloudFor(ctx, meta.tenantId, meta.hostIp);
        // A replaced package: the old one (and the images only it used) goes first.
        await removePackage(ctx, meta.tenantId, meta.hostIp, meta.appPackageId);
        const dir = store.packageDir(meta.tenantId, meta.hostIp, meta.appPackageId);
        const file = await staged.commit(path.join(dir, 'package.csar'));
        staged = undefined;
        const rec: VmPackageRecord = { packageId: meta.appPackageId, bytes: file.bytes, sha256: file.sha256, images: [] };
        if (!head.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
          // Not a zip at all: kept as received (the controller distributes packages without knowing their VIM); instantiate refuses it.
          rec.packageError = 'the package is not a zip archive';
        } else {
          try {
            rec.template = await readVmTemplate(file.path);
          } catch (e) {
            if (e instanceof NotAVmPackage) rec.packageError = e.message;
            else {
              await store.removePackage(meta.tenantId, meta.hostIp, meta.appPackageId);
              if (isDomainError(e)) throw new RpcError(status.INVALID_ARGUMENT, `package ${meta.appPackageId} refused: ${e.message}`);
              throw failure(`uploadPackage ${meta.appPackageId}`, e);
            }
          }
        }
        if (rec.template) {
          const used = new Set(rec.template.vdus.map((v) => v.swImageName));
          const missing = [...used].filter((n) => !rec.template!.swImages.some((s) => s.name === n));
          if (missing.length) {
            await store.removePackage(meta.tenantId, meta.hostIp, meta.appPackageId);
            throw new RpcError(status.INVALID_ARGUMENT, `package ${meta.appPackageId} refused: its VDUs use image(s) ${missing.join(', ')} that Image/SwImageDesc.json does not describe`);
          }
          rec.images = [...used].map((name) => ({ name, state: 'UPLOADING' as const }));
        }
        await store.putPackage(meta.tenantId, meta.hostIp, rec);
        if (rec.images.length) images.start(meta.tenantId, meta.hostIp, cloud, rec, file.path);
        return SUCCESS;
      } finally {
        await staged?.discard();
      }
    }),

    deletePackage: runner.unary<DeletePackageRequest, DeletePackageResponse>('deletePackage', callIds('appPackageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.appPackageId);
      await removePackage(ctx, r.tenantId, r.hostIp, r.appPackageId);
      return SUCCESS;
    }),
  };
}
