import fs from 'node:fs/promises';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { isDomainError } from '../../errors.js';
import type { AppLcmHandlers } from '../plugin-kit/applcm-service.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { InstanceDeployer } from './instance-deployer.js';
import { kpiJson, originalEventsJson, originalQueryJson, readInstance, serverEvents } from './instance-reader.js';
import { OwnedRegistry } from './owned-registry.js';
import { packageStatus, uploadKey, type PackageImages } from './package-images.js';
import { parseRcFile } from './rc-file.js';
import { cloudFor, failure, guarded, needsConfig, type VmContext } from './vm-context.js';
import type { VmPackageRecord } from './vm-store.js';
import { NotAVmPackage, readVmTemplate } from './vm-template.js';

/** The local file header every zip starts with. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Whether a stored file starts as every zip does. */
async function isZip(file: string): Promise<boolean> {
  const f = await fs.open(file, 'r');
  try {
    const { bytesRead, buffer } = await f.read(Buffer.alloc(ZIP_MAGIC.length), 0, ZIP_MAGIC.length, 0);
    return bytesRead === ZIP_MAGIC.length && buffer.equals(ZIP_MAGIC);
  } finally {
    await f.close();
  }
}

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
export function appLcmHandlers(ctx: VmContext, deployer: InstanceDeployer, images: PackageImages): AppLcmHandlers {
  const { store } = ctx;

  return {
    needsConfig: (tenantId, hostIp) => needsConfig(ctx, tenantId, hostIp),
    instantiate: (r) => deployer.instantiate(r),
    terminate: (tenantId, hostIp, appInstanceId) => deployer.terminate(tenantId, hostIp, appInstanceId),

    query: async (tenantId, hostIp, appInstanceId) => originalQueryJson(await readInstance(ctx, tenantId, hostIp, appInstanceId)),

    async workloadEvents(tenantId, hostIp, appInstanceId) {
      const v = await readInstance(ctx, tenantId, hostIp, appInstanceId);
      return originalEventsJson(await guarded(`workloadEvents ${appInstanceId}`, () => serverEvents(v)));
    },

    async queryKpi(tenantId, hostIp) {
      const cloud = await cloudFor(ctx, tenantId, hostIp);
      return guarded('queryKPI', () => kpiJson(cloud));
    },

    async packageStatus(tenantId, hostIp, packageId) {
      // Whether the upload runs is asked before the record is read: an upload saves its last state before it stops
      // running, so a record read after it stopped is final (the other order could pair a stale record with "stopped").
      const uploading = ctx.uploads.has(uploadKey(tenantId, hostIp, packageId));
      const rec = await store.package(tenantId, hostIp, packageId);
      if (!rec) throw new RpcError(status.NOT_FOUND, `no package ${packageId} on host ${hostIp}`);
      return packageStatus(rec, uploading).status;
    },

    config: {
      name: 'rc file',
      async put(tenantId, hostIp, content) {
        try {
          parseRcFile(content.toString('utf8'));
        } catch (e) {
          throw new RpcError(status.INVALID_ARGUMENT, `rc file refused: ${(e as Error).message}`);
        }
        await store.putConfig(tenantId, hostIp, content);
      },
      remove: (tenantId, hostIp) => store.removeConfig(tenantId, hostIp),
    },

    packages: {
      tmpDir: store.tmpDir,
      async put(p) {
        const { tenantId, hostIp, appPackageId } = p;
        const cloud = await cloudFor(ctx, tenantId, hostIp);
        // A replaced package: the old one (and the images only it used) goes first.
        await removePackage(ctx, tenantId, hostIp, appPackageId);
        const dir = store.packageDir(tenantId, hostIp, appPackageId);
        const file = await p.commit(path.join(dir, 'package.csar'));
        const rec: VmPackageRecord = { packageId: appPackageId, bytes: file.bytes, sha256: file.sha256, images: [] };
        if (!(await isZip(file.path))) {
          // Not a zip at all: kept as received (the controller distributes packages without knowing their VIM); instantiate refuses it.
          rec.packageError = 'the package is not a zip archive';
        } else {
          try {
            rec.template = await readVmTemplate(file.path);
          } catch (e) {
            if (e instanceof NotAVmPackage) rec.packageError = e.message;
            else {
              await store.removePackage(tenantId, hostIp, appPackageId);
              if (isDomainError(e)) throw new RpcError(status.INVALID_ARGUMENT, `package ${appPackageId} refused: ${e.message}`);
              throw failure(`uploadPackage ${appPackageId}`, e);
            }
          }
        }
        if (rec.template) {
          const used = new Set(rec.template.vdus.map((v) => v.swImageName));
          const missing = [...used].filter((n) => !rec.template!.swImages.some((s) => s.name === n));
          if (missing.length) {
            await store.removePackage(tenantId, hostIp, appPackageId);
            throw new RpcError(status.INVALID_ARGUMENT, `package ${appPackageId} refused: its VDUs use image(s) ${missing.join(', ')} that Image/SwImageDesc.json does not describe`);
          }
          rec.images = [...used].map((name) => ({ name, state: 'UPLOADING' as const }));
        }
        await store.putPackage(tenantId, hostIp, rec);
        if (rec.images.length) images.start(tenantId, hostIp, cloud, rec, file.path);
      },
      remove: (tenantId, hostIp, packageId) => removePackage(ctx, tenantId, hostIp, packageId),
    },
  };
}
