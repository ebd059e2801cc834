import { randomUUID } from 'node:crypto';
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
import { admit, configuredHost, type SimContext } from './sim-context.js';
import { imagePath, tmpDir } from './sim-paths.js';
import { StagedFile } from '../plugin-kit/staged-file.js';
import type { HostState, SimImage } from './sim-store.js';
import { readFramedUpload } from '../plugin-kit/stream-framing.js';

/** The protocol's largest download chunk. */
export const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

const IMAGE_FRAMING = { meta: ['accessToken', 'hostIp', 'tenantId', 'imageId'] as const, payload: 'content' };

const imageIds = (r: { tenantId: string; hostIp: string; imageId?: string }) => ({ tenantId: r.tenantId, hostIp: r.hostIp, ...(r.imageId ? { id: r.imageId } : {}) });

function existingImage(host: HostState, imageId: string): SimImage {
  checkUuid(imageId, 'imageId');
  const img = host.images.get(imageId.toLowerCase());
  if (!img) throw new RpcError(status.NOT_FOUND, `no image ${imageId}`);
  return img;
}

/** The original OpenStack plugin's image JSON, as far as a controller reads it. */
const imageJson = (img: SimImage): string =>
  JSON.stringify({
    imageId: img.imageId,
    name: img.name,
    status: img.file ? 'active' : 'queued',
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
      const imageId = randomUUID();
      const { name, containerFormat, diskFormat, minRam, minDisk, properties } = r.image;
      host.images.set(imageId, { imageId, name, containerFormat, diskFormat, minRam, minDisk, properties: { ...properties }, createdAt: new Date().toISOString() });
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

    uploadVmImage: runner.clientStream<UploadVmImageRequest, UploadVmImageResponse>('uploadVmImage', async (messages, gate) => {
      let staged: StagedFile | undefined;
      let image: SimImage | undefined;
      try {
        const meta = await readFramedUpload(
          messages,
          IMAGE_FRAMING,
          async (m) => {
            gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.imageId });
            await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
            image = existingImage(configuredHost(ctx, m.tenantId, m.hostIp), m.imageId);
            staged = await StagedFile.open(tmpDir(ctx.dataDir));
          },
          async (chunk) => {
            gate.payload(chunk.length);
            await staged?.write(chunk);
          },
        );
        if (!staged || !image) throw new Error('image stream admitted without a staging file');
        const file = await staged.commit(imagePath(ctx.dataDir, meta.tenantId, meta.hostIp, image.imageId));
        staged = undefined;
        // Deleted while the bytes were coming: keep no file nobody refers to.
        if (ctx.store.find(meta.tenantId, meta.hostIp)?.images.get(image.imageId) !== image) {
          await fs.promises.rm(file.path, { force: true });
          throw new RpcError(status.NOT_FOUND, `image ${image.imageId} was deleted during the upload`);
        }
        image.file = file;
        await ctx.persist.save(meta.tenantId, meta.hostIp);
        return { status: 'Success' };
      } finally {
        await staged?.discard();
      }
    }),

    // Importing needs a reachable image store URL; a simulator has nothing to fetch from.
    importVmImage: (_call, callback) => callback(new RpcError(status.UNIMPLEMENTED, 'importVmImage is not simulated')),
  };
}
