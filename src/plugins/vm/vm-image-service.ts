import { PassThrough } from 'node:stream';
import { status } from '@grpc/grpc-js';
import type {
  CreateVmImageRequest,
  CreateVmImageResponse,
  DeleteVmImageRequest,
  DeleteVmImageResponse,
  DownloadVmImageRequest,
  DownloadVmImageResponse,
  ImportVmImageRequest,
  ImportVmImageResponse,
  QueryVmImageRequest,
  QueryVmImageResponse,
  UploadVmImageRequest,
  UploadVmImageResponse,
  VmImageMangerServer,
} from '../../generated/proto/resourcemanager.js';
import { checkUuid } from '../plugin-kit/identity.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { DOWNLOAD_CHUNK_BYTES, IMAGE_FRAMING, imageIds } from '../plugin-kit/image-calls.js';
import { readFramedUpload } from '../plugin-kit/stream-framing.js';
import { capped } from './image-fetch.js';
import type { GlanceImage } from './openstack/glance.js';
import type { OpenStackCloud } from './openstack/openstack-cloud.js';
import { admit } from '../plugin-kit/shell-context.js';
import { cloudFor, guarded, type VmContext } from './vm-context.js';

/** The original osplugin's envelope. */
const envelope = (data: unknown, message: string, retCode = 200): string => JSON.stringify({ data, retCode, message });

const oneImage = (g: GlanceImage) => ({
  imageId: g.id,
  imageName: g.name,
  status: g.status,
  size: g.size,
  checksum: g.checksum,
  diskFormat: g.disk_format,
  containerFormat: g.container_format,
  minRam: g.min_ram ?? 0,
  minDisk: g.min_disk ?? 0,
  createdAt: g.created_at ?? null,
});

async function existing(cloud: OpenStackCloud, imageId: string): Promise<GlanceImage> {
  checkUuid(imageId, 'imageId');
  const g = await guarded(`image ${imageId}`, () => cloud.glance.image(imageId));
  if (!g) throw new RpcError(status.NOT_FOUND, `no image ${imageId}`);
  return g;
}

/**
 * The original VmImageManger service on Glance and Nova: create (a snapshot of a server when `properties.vmId` names
 * one, else an empty image to upload into), query, delete, download in chunks, upload and import.
 */
export function vmImageService(ctx: VmContext): VmImageMangerServer {
  const { runner } = ctx;
  const cloudOf = async (r: { accessToken: string; tenantId: string; hostIp: string }) => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    return cloudFor(ctx, r.tenantId, r.hostIp);
  };

  return {
    createVmImage: runner.unary<CreateVmImageRequest, CreateVmImageResponse>('createVmImage', imageIds, async (r) => {
      const cloud = await cloudOf(r);
      if (!r.image?.name) throw new RpcError(status.INVALID_ARGUMENT, 'image.name is required');
      const { name, containerFormat, diskFormat, minRam, minDisk } = r.image;
      const { vmId, appInstanceId, applcmImageId, ...props } = r.image.properties;
      // The caller's own id for the image makes a repeated create (after a lost answer) find the first one.
      if (applcmImageId) {
        const prior = await guarded('find image', () => cloud.glance.list({ applcm_image_id: applcmImageId }));
        if (prior[0]) return { response: envelope({ imageId: prior[0].id }, 'Create success') };
      }
      const own = applcmImageId ? { applcm_image_id: applcmImageId } : {};
      if (vmId !== undefined) {
        if (!vmId) throw new RpcError(status.INVALID_ARGUMENT, 'image.properties.vmId must not be empty');
        if (appInstanceId !== undefined) {
          checkUuid(appInstanceId, 'image.properties.appInstanceId');
          const rec = await ctx.store.instance(r.tenantId, r.hostIp, appInstanceId);
          if (!rec?.servers.some((s) => s.id === vmId)) throw new RpcError(status.NOT_FOUND, `instance ${appInstanceId} has no server ${vmId}`);
        }
        const imageId = await guarded(`snapshot of server ${vmId}`, async () => {
          if (!(await cloud.nova.server(vmId))) throw new RpcError(status.NOT_FOUND, `no server ${vmId}`);
          const res = await cloud.nova.action<{ image_id?: string }>(vmId, { createImage: { name, metadata: { ...props, ...own, ...(appInstanceId ? { applcm_instance_id: appInstanceId } : {}) } } });
          const id = res.body?.image_id ?? res.location?.split('/').pop();
          if (!id) throw new Error('Nova answered createImage without the image id');
          return id;
        });
        return { response: envelope({ imageId }, 'Create success') };
      }
      const g = await guarded('create image', () =>
        cloud.glance.create({ name, container_format: containerFormat || 'bare', disk_format: diskFormat || 'qcow2', min_ram: minRam, min_disk: minDisk, ...props, ...own }),
      );
      return { response: envelope({ imageId: g.id }, 'Create success') };
    }),

    queryVmImage: runner.unary<QueryVmImageRequest, QueryVmImageResponse>('queryVmImage', imageIds, async (r) => {
      const cloud = await cloudOf(r);
      if (!r.imageId) {
        const all = await guarded('list images', () => cloud.glance.list());
        return { response: envelope(all.map((g) => ({ imageId: g.id, imageName: g.name, status: g.status, size: g.size, checksum: g.checksum, visibility: g.visibility, protected: g.protected })), 'Query Images Success') };
      }
      return { response: envelope(oneImage(await existing(cloud, r.imageId)), 'Query Image Success') };
    }),

    deleteVmImage: runner.unary<DeleteVmImageRequest, DeleteVmImageResponse>('deleteVmImage', imageIds, async (r) => {
      const cloud = await cloudOf(r);
      checkUuid(r.imageId, 'imageId');
      await guarded(`delete image ${r.imageId}`, () => cloud.glance.delete(r.imageId));
      return { status: envelope(null, 'Delete Image Success') };
    }),

    downloadVmImage: runner.serverStream<DownloadVmImageRequest, DownloadVmImageResponse>('downloadVmImage', imageIds, async (r, out) => {
      const cloud = await cloudOf(r);
      const g = await existing(cloud, r.imageId);
      if (g.status !== 'active') throw new RpcError(status.FAILED_PRECONDITION, `image ${g.id} is ${g.status}, not active`);
      const abort = new AbortController();
      out.onClose(() => abort.abort());
      const body = await guarded(`download image ${g.id}`, () => cloud.glance.download(g.id, abort.signal));
      if (!body) throw new RpcError(status.FAILED_PRECONDITION, `image ${g.id} has no data`);
      let pending: Buffer[] = [];
      let size = 0;
      const flush = async (): Promise<boolean> => {
        if (size === 0) return true;
        const chunk = Buffer.concat(pending, size);
        pending = [];
        size = 0;
        // Waiting for each chunk to go out keeps at most one chunk buffered per download.
        return out.send({ content: chunk });
      };
      try {
        for await (const piece of body as AsyncIterable<Uint8Array>) {
          let rest = Buffer.from(piece);
          while (rest.length) {
            const take = Math.min(rest.length, DOWNLOAD_CHUNK_BYTES - size);
            pending.push(rest.subarray(0, take));
            size += take;
            rest = rest.subarray(take);
            if (size === DOWNLOAD_CHUNK_BYTES && !(await flush())) return;
          }
        }
      } catch (e) {
        if (!out.isOpen) return;
        throw new RpcError(status.UNAVAILABLE, `download of image ${g.id} broke off: ${(e as Error).message}`);
      }
      if (await flush()) out.end();
    }),

    uploadVmImage: runner.clientStream<UploadVmImageRequest, UploadVmImageResponse>('uploadVmImage', async (messages, gate) => {
      const pipe = new PassThrough({ highWaterMark: DOWNLOAD_CHUNK_BYTES });
      let upload: Promise<void> | undefined;
      const abort = new AbortController();
      try {
        await readFramedUpload(
          messages,
          IMAGE_FRAMING,
          async (m) => {
            gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.imageId });
            const cloud = await cloudOf(m);
            const g = await existing(cloud, m.imageId);
            if (g.status !== 'queued') throw new RpcError(status.FAILED_PRECONDITION, `image ${g.id} is ${g.status}: only a queued image takes data`);
            upload = cloud.glance.upload(g.id, pipe, abort.signal);
            // Seen at once if Glance refuses early; awaited below otherwise.
            upload.catch(() => undefined);
          },
          async (chunk) => {
            gate.payload(chunk.length);
            if (!pipe.write(chunk)) await new Promise((resolve) => pipe.once('drain', resolve));
          },
        );
        pipe.end();
        await guarded('upload image', () => upload!);
        return { status: envelope(null, 'Success', 0) };
      } catch (e) {
        abort.abort();
        pipe.destroy();
        throw e;
      }
    }),

    importVmImage: runner.unary<ImportVmImageRequest, ImportVmImageResponse>('importVmImage', imageIds, async (r) => {
      const cloud = await cloudOf(r);
      const g = await existing(cloud, r.imageId);
      if (g.status !== 'queued') throw new RpcError(status.FAILED_PRECONDITION, `image ${g.id} is ${g.status}: only a queued image takes data`);
      if (!/^https?:\/\//i.test(r.resourceUri)) throw new RpcError(status.INVALID_ARGUMENT, 'resourceUri must be an http or https URL');
      // As the original: the answer comes at once, the bytes follow (queryVmImage shows saving, then active).
      const abort = new AbortController();
      const key = `import:${g.id}`;
      ctx.uploads.set(key, abort);
      void (async () => {
        try {
          await cloud.glance.upload(g.id, capped(await ctx.fetcher.get(r.resourceUri, abort.signal), ctx.opts.maxImageBytes), abort.signal);
        } catch {
          // Glance puts an image whose upload failed back to queued: the import can be asked again.
        } finally {
          ctx.uploads.delete(key);
        }
      })();
      return { status: envelope(null, 'success') };
    }),
  };
}
