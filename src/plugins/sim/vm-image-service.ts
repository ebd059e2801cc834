import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { status } from '@grpc/grpc-js';
import type {
  CreateVmImageRequest,
  CreateVmImageResponse,
  DeleteVmImageRequest,
  DeleteVmImageResponse,
  DownloadVmImageRequest,
  DownloadVmImageResponse,
  QueryVmImageRequest,
  QueryVmImageResponse,
  UploadVmImageRequest,
  UploadVmImageResponse,
  VmImageMangerServer,
} from '../../generated/proto/resourcemanager.js';
import { checkUuid } from '../plugin-kit/identity.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { DOWNLOAD_CHUNK_BYTES, IMAGE_FRAMING, imageIds } from '../plugin-kit/image-calls.js';
import { admit } from '../plugin-kit/shell-context.js';
import { configuredHost, existingInstance, type SimContext } from './sim-context.js';
import { imagePath, tmpDir } from './sim-paths.js';
import { StagedFile } from '../plugin-kit/staged-file.js';
import type { HostState, SimImage, SimInstance } from './sim-store.js';
import { stageUpload } from '../plugin-kit/staged-upload.js';

function existingImage(host: HostState, imageId: string): SimImage {
  checkUuid(imageId, 'imageId');
  const img = host.images.get(imageId.toLowerCase());
  if (!img) throw new RpcError(status.NOT_FOUND, `no image ${imageId}`);
  return img;
}

/**
 * Snapshots being taken, as Glance shows them: `saving` while the VM's disk is copied, `killed` when that failed.
 * Kept beside the store (not in it): a snapshot in progress is not written to the state file.
 */
const snapshots = new WeakMap<SimImage, 'saving' | 'killed'>();

/** Default size of a simulated VM's disk (not a multiple of the chunk size, so short last chunks are exercised). */
export const DEFAULT_SIM_DISK_BYTES = 3 * 1024 * 1024 + 12_345;
const MAX_SIM_DISK_BYTES = 8 * 1024 * 1024 * 1024;

/**
 * What a snapshot of a simulated VM is like, from its instance's parameters (the simulator has no VMs): `simDiskBytes`
 * random bytes (default DEFAULT_SIM_DISK_BYTES), after `simSnapshotMs` (default 50), or killed half-way when
 * `simSnapshotFail` is set.
 */
function snapshotPlan(inst: SimInstance): { bytes: number; delayMs: number; fail: boolean } {
  const num = (v: string | undefined, fallback: number, max: number) => (v !== undefined && /^\d+$/.test(v) ? Math.min(Number(v), max) : fallback);
  return { bytes: num(inst.parameters.simDiskBytes, DEFAULT_SIM_DISK_BYTES, MAX_SIM_DISK_BYTES), delayMs: num(inst.parameters.simSnapshotMs, 50, 600_000), fail: inst.parameters.simSnapshotFail !== undefined };
}

/** Copies the "disk" into the image in the background, as Nova and Glance do after createImage answered. */
async function takeSnapshot(ctx: SimContext, tenantId: string, hostIp: string, img: SimImage, plan: { bytes: number; delayMs: number; fail: boolean }): Promise<void> {
  let staged: StagedFile | undefined;
  const stillThere = () => ctx.store.find(tenantId, hostIp)?.images.get(img.imageId) === img;
  try {
    await new Promise((r) => setTimeout(r, plan.delayMs).unref());
    staged = await StagedFile.open(tmpDir(ctx.dataDir));
    for (let left = plan.bytes; left > 0 && stillThere(); left -= DOWNLOAD_CHUNK_BYTES) {
      if (plan.fail && left <= plan.bytes / 2) throw new Error('simulated snapshot failure');
      await staged.write(randomBytes(Math.min(left, DOWNLOAD_CHUNK_BYTES)));
    }
    if (!stillThere()) return;
    img.file = await staged.commit(imagePath(ctx.dataDir, tenantId, hostIp, img.imageId));
    staged = undefined;
    snapshots.delete(img);
    // Deleted while the file was being moved: keep no file nobody refers to.
    if (!stillThere()) await fs.promises.rm(img.file.path, { force: true });
    else await ctx.persist.save(tenantId, hostIp);
  } catch {
    if (stillThere()) snapshots.set(img, 'killed');
  } finally {
    await staged?.discard();
  }
}

/** The original OpenStack plugin's image JSON, as far as a controller reads it. */
const imageJson = (img: SimImage): string =>
  JSON.stringify({
    imageId: img.imageId,
    name: img.name,
    status: snapshots.get(img) ?? (img.file ? 'active' : 'queued'),
    containerFormat: img.containerFormat,
    diskFormat: img.diskFormat,
    minRam: img.minRam,
    minDisk: img.minDisk,
    size: img.file?.bytes ?? 0,
    checksum: img.file?.sha256 ?? '',
    createdAt: img.createdAt,
    properties: img.properties,
  });

/** VM images of the original resource-manager protocol, kept as files like packages. */
export function vmImageService(ctx: SimContext): VmImageMangerServer {
  const { runner } = ctx;
  return {
    createVmImage: runner.unary<CreateVmImageRequest, CreateVmImageResponse>('createVmImage', imageIds, async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const host = configuredHost(ctx, r.tenantId, r.hostIp);
      if (!r.image?.name) throw new RpcError(status.INVALID_ARGUMENT, 'image.name is required');
      const { name, containerFormat, diskFormat, minRam, minDisk, properties } = r.image;
      // The caller's own id for the image makes a repeated create (after a lost answer) find the first one.
      const own = properties.applcmImageId;
      const prior = own ? [...host.images.values()].find((i) => i.properties.applcmImageId === own) : undefined;
      if (prior) return { response: JSON.stringify({ imageId: prior.imageId }) };
      // A snapshot names the VM and its instance; a plain create makes an empty image to upload into.
      let vm: SimInstance | undefined;
      if (properties.vmId !== undefined) {
        if (!properties.vmId) throw new RpcError(status.INVALID_ARGUMENT, 'image.properties.vmId must not be empty');
        checkUuid(properties.appInstanceId ?? '', 'image.properties.appInstanceId');
        vm = existingInstance(host, properties.appInstanceId!);
      }
      const imageId = randomUUID();
      const img: SimImage = { imageId, name, containerFormat, diskFormat, minRam, minDisk, properties: { ...properties }, createdAt: new Date().toISOString() };
      host.images.set(imageId, img);
      if (vm) {
        snapshots.set(img, 'saving');
        void takeSnapshot(ctx, r.tenantId, r.hostIp, img, snapshotPlan(vm));
      }
      await ctx.persist.save(r.tenantId, r.hostIp);
      return { response: JSON.stringify({ imageId }) };
    }),

    queryVmImage: runner.unary<QueryVmImageRequest, QueryVmImageResponse>('queryVmImage', imageIds, async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      return { response: imageJson(existingImage(configuredHost(ctx, r.tenantId, r.hostIp), r.imageId)) };
    }),

    deleteVmImage: runner.unary<DeleteVmImageRequest, DeleteVmImageResponse>('deleteVmImage', imageIds, async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.imageId, 'imageId');
      const host = configuredHost(ctx, r.tenantId, r.hostIp);
      const img = host.images.get(r.imageId.toLowerCase());
      if (img) {
        host.images.delete(img.imageId);
        await ctx.persist.save(r.tenantId, r.hostIp);
        if (img.file) await fs.promises.rm(img.file.path, { force: true });
      }
      return { status: 'Success' };
    }),

    downloadVmImage: runner.serverStream<DownloadVmImageRequest, DownloadVmImageResponse>('downloadVmImage', imageIds, async (r, out) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const img = existingImage(configuredHost(ctx, r.tenantId, r.hostIp), r.imageId);
      if (!img.file) throw new RpcError(status.FAILED_PRECONDITION, `image ${img.imageId} has no content yet`);
      const file = fs.createReadStream(img.file.path, { highWaterMark: DOWNLOAD_CHUNK_BYTES });
      out.onClose(() => file.destroy());
      for await (const chunk of file as AsyncIterable<Buffer>) {
        // Waiting for each chunk to go out keeps at most one chunk buffered per download.
        if (!(await out.send({ content: chunk }))) return;
      }
      out.end();
    }),

    uploadVmImage: runner.clientStream<UploadVmImageRequest, UploadVmImageResponse>('uploadVmImage', (messages, gate) => {
      let image: SimImage | undefined;
      return stageUpload(
        messages,
        gate,
        IMAGE_FRAMING,
        tmpDir(ctx.dataDir),
        async (m) => {
          gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.imageId });
          await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
          image = existingImage(configuredHost(ctx, m.tenantId, m.hostIp), m.imageId);
        },
        async (meta, commit) => {
          if (!image) throw new Error('image stream admitted without its image');
          const file = await commit(imagePath(ctx.dataDir, meta.tenantId, meta.hostIp, image.imageId));
          // Deleted while the bytes were coming: keep no file nobody refers to.
          if (ctx.store.find(meta.tenantId, meta.hostIp)?.images.get(image.imageId) !== image) {
            await fs.promises.rm(file.path, { force: true });
            throw new RpcError(status.NOT_FOUND, `image ${image.imageId} was deleted during the upload`);
          }
          image.file = file;
          await ctx.persist.save(meta.tenantId, meta.hostIp);
          return { status: 'Success' };
        },
      );
    }),

    // Importing needs a reachable image store URL; a simulator has nothing to fetch from.
    importVmImage: (_call, callback) => callback(new RpcError(status.UNIMPLEMENTED, 'importVmImage is not simulated')),
  };
}
