import { setTimeout as sleep } from 'node:timers/promises';
import { VmImageStatus } from '../../db/entities/vm-image.entity.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { PluginImage } from '../../plugins/vm-image-json.js';
import type { HandlerContext, OperationHandler } from '../operation-handler.js';
import { lifecycleCall } from './plugin-access.js';
import { deleteImage, imageOnPlugin, notePluginImage, updateImage, type ImageOnPlugin } from './image-rows.js';

/** How long one run waits for a snapshot; past it the run fails with DEADLINE_EXCEEDED and is retried (waiting on). */
const SNAPSHOT_WAIT_MS = 30 * 60_000;

const imageIdOf = (ctx: HandlerContext): string => String(ctx.op.params.imageId);

/** The plugin's view of an image made earlier; null when it no longer holds it. */
async function earlier(ctx: HandlerContext, p: ImageOnPlugin, pluginImageId: string): Promise<PluginImage | null> {
  try {
    return await p.client.queryVmImage(p.target, pluginImageId, { signal: ctx.signal, correlationId: ctx.correlationId });
  } catch (e) {
    if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) return null;
    throw e;
  }
}

/** Polls the image service (every APPLCM_WORKER_POLL_MS) until the snapshot is active; its progress shows each status. */
async function untilActive(ctx: HandlerContext, p: ImageOnPlugin, pluginImageId: string): Promise<PluginImage> {
  const until = Date.now() + SNAPSHOT_WAIT_MS;
  let shown = '';
  for (;;) {
    const img = await p.client.queryVmImage(p.target, pluginImageId, { signal: ctx.signal, correlationId: ctx.correlationId });
    if (img.state === 'ACTIVE') return img;
    if (img.state !== 'PENDING') {
      throw new DomainError(ErrorCode.PLUGIN_ERROR, `the snapshot failed: the host's image service reports image ${pluginImageId} ${img.status}`, { pluginImageId, pluginStatus: img.status });
    }
    if (img.status !== shown) {
      shown = img.status;
      await ctx.progress({ step: 'snapshotting', message: `the image service reports the image ${img.status}`, pluginImageId, status: img.status });
    }
    if (Date.now() > until) throw new DomainError(ErrorCode.DEADLINE_EXCEEDED, `the snapshot did not become active within ${SNAPSHOT_WAIT_MS / 60_000} minutes; waiting again`, { pluginImageId });
    await sleep(ctx.options.pollMs, undefined, { signal: ctx.signal });
  }
}

/**
 * Snapshots an instance's VM into an image on its host's image service (createVmImage with the VM's id), then
 * waits for the image to become active. The plugin's image id is kept on the row as soon as it is known, so a
 * resumed or retried run follows the same image; a snapshot that failed on the plugin is deleted and taken again.
 */
export const createImageHandler: OperationHandler = {
  async run(ctx) {
    const p = await imageOnPlugin(ctx);
    if (!p) throw new DomainError(ErrorCode.NOT_FOUND, `VM image ${imageIdOf(ctx)} no longer exists`, { resource: 'VM image' });
    let pluginImageId = p.image.pluginImageId;
    if (pluginImageId) {
      const prior = await earlier(ctx, p, pluginImageId);
      if (!prior || prior.state === 'FAILED' || prior.state === 'GONE') {
        if (prior) await p.client.deleteVmImage(p.target, pluginImageId, lifecycleCall(ctx));
        await notePluginImage(ctx, p.image.id, null);
        pluginImageId = null;
      }
    }
    if (!pluginImageId) {
      // applcmImageId: a create repeated after a lost answer finds the first image instead of making a second.
      const properties = { vmId: p.image.vmId, appInstanceId: p.image.instanceId ?? '', applcmImageId: p.image.id };
      pluginImageId = await p.client.createVmImage(p.target, { name: p.image.name, properties }, lifecycleCall(ctx));
      await notePluginImage(ctx, p.image.id, pluginImageId);
    }
    const img = await untilActive(ctx, p, pluginImageId);
    return { imageId: p.image.id, pluginImageId, sizeBytes: img.sizeBytes, checksum: img.checksum, diskFormat: img.diskFormat };
  },

  completed: (op, result) => [
    updateImage(String(op.params.imageId), 'status = ?, size_bytes = ?, checksum = ?, disk_format = ?, plugin_image_id = ?', [VmImageStatus.ACTIVE, result?.sizeBytes ?? null, result?.checksum ?? null, result?.diskFormat ?? null, result?.pluginImageId ?? null], { required: true }),
  ],

  /** Deletes what the snapshot made on the plugin; the row goes with the ROLLED_BACK outcome. */
  async rollback(ctx) {
    const p = await imageOnPlugin(ctx);
    if (p?.image.pluginImageId) await p.client.deleteVmImage(p.target, p.image.pluginImageId, lifecycleCall(ctx));
  },

  rolledBack: (op) => [deleteImage(String(op.params.imageId))],

  /** Given up: the image is ERROR (never ACTIVE); deleteVmImage removes it and whatever the plugin holds of it. */
  failed: (op) => [updateImage(String(op.params.imageId), 'status = ?', [VmImageStatus.ERROR])],
};
