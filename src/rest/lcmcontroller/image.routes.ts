import { type Request, Router } from 'express';
import { type LcmOperation, OperationState, OperationType, type VmImage } from '../../db/entities/index.js';
import { VmImageStatus } from '../../db/entities/vm-image.entity.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { RequestContext } from '../../services/request-context.js';
import { isUuid } from '../../services/validation.js';
import { sendOk, sendRaw, ShimError, type FailureSpec } from './envelope.js';
import { ImageCursor, ImageCursorPark } from './image-cursors.js';
import { READERS, WRITERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { operationFailure, stillRunning } from './operation-answers.js';
import { clientGone, isSettled, startOrJoin, waitForOperation } from './operation-wait.js';
import { Message, RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkInstanceId, INSTANCE_NOT_FOUND } from './shim-lookups.js';

/** Bytes per `chunk_num` of a download: the plugins' stream chunk (and the original osplugin's image chunk). */
export const IMAGE_CHUNK_BYTES = 1024 * 1024;

export const IMAGE_NOT_FOUND = 'Image record does not exist in database';

/** Glance's words for the image's state, as the original osplugin reported them. */
const STATUS: Record<VmImageStatus, string> = {
  [VmImageStatus.CREATING]: 'saving',
  [VmImageStatus.ACTIVE]: 'active',
  [VmImageStatus.ERROR]: 'killed',
  [VmImageStatus.DELETING]: 'pending_delete',
};

const IMAGE_FAILURES: FailureSpec = {
  fields: { appInstanceId: { retCode: RetCode.INSTANCE_ID_INVALID, message: 'App instance is invalid' } },
  // An image still being made, or not active yet for a download: the request is refused, not the instance.
  codes: { [ErrorCode.CONFLICT]: { status: 409, retCode: RetCode.BAD_REQUEST } },
};

/** The original's image record: who it belongs to, its state and how a download is cut into chunks. */
function imageRecord(image: VmImage): Record<string, unknown> {
  const size = image.sizeBytes;
  return {
    imageId: image.id,
    imageName: image.name,
    appInstanceId: image.instanceId,
    vmId: image.vmId,
    status: STATUS[image.status],
    size,
    checksum: image.checksum,
    diskFormat: image.diskFormat,
    chunkSize: IMAGE_CHUNK_BYTES,
    sumChunkNum: size === null ? 0 : Math.ceil(size / IMAGE_CHUNK_BYTES),
    createTime: image.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** The path's instance of the path's tenant, else 404 `App info record does not exist in database`. */
async function pathInstance(d: LcmControllerDeps, ctx: RequestContext, req: Request): Promise<string> {
  const id = checkInstanceId(String(req.params.appInstanceId));
  try {
    const inst = await d.reads.instances.get(ctx, id);
    if (inst.tenantId === req.params.tenantId) return id;
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== ErrorCode.NOT_FOUND) throw e;
  }
  throw new ShimError(404, RetCode.NOT_FOUND_IN_DB, INSTANCE_NOT_FOUND);
}

/** The path's image of the path's instance and tenant, else 404 `Image record does not exist in database`. */
async function pathImage(d: LcmControllerDeps, ctx: RequestContext, req: Request): Promise<VmImage> {
  const instanceId = checkInstanceId(String(req.params.appInstanceId));
  const id = String(req.params.imageId);
  if (!isUuid(id) || id !== id.toLowerCase()) throw badInput('imageId', 'image id is invalid');
  const missing = new ShimError(404, RetCode.NOT_FOUND_IN_DB, IMAGE_NOT_FOUND);
  let image: VmImage;
  try {
    image = await d.images.get(ctx, id);
  } catch (e) {
    throw e instanceof DomainError && e.code === ErrorCode.NOT_FOUND ? missing : e;
  }
  if (image.tenantId !== req.params.tenantId || image.instanceId !== instanceId) throw missing;
  return image;
}

/**
 * Waits for the operation as instantiate does; a failed or unfinished one is the original's plugin failure. A snapshot
 * that failed is rolled back, as a failed instantiate is: the caller of the original routes cannot retry or roll back
 * an operation, and must not be left with a half-made image (the rollback removes what the plugin made, and the row).
 */
async function settledOk(d: LcmControllerDeps, ctx: RequestContext, op: LcmOperation, signal: AbortSignal): Promise<LcmOperation> {
  const done = await waitForOperation(d, ctx, op.id, { timeoutMs: d.shim.waitMs, signal });
  if (done.state === OperationState.FAILED_TEMP && done.type === OperationType.CREATE_IMAGE) {
    await d.operations.rollback(ctx, done.id).catch((err: unknown) => ctx.log.warn({ err, operationId: done.id }, 'could not roll back a failed snapshot'));
  }
  if (!isSettled(done)) throw stillRunning(done, d.shim.waitMs, RetCode.PLUGIN_REPORT_FAILED);
  if (done.state !== OperationState.COMPLETED) throw operationFailure(done, RetCode.PLUGIN_REPORT_FAILED);
  return done;
}

/** The `chunk_num` header: a whole number (400 `31400` otherwise). */
function chunkNumber(req: Request): number {
  const v = req.headers['chunk_num'];
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw badInput('chunk_num', 'chunk_num must be a whole number from 0');
  return Number(v);
}

/**
 * The original lcmcontroller's VM image routes (applcm-original.md §1.6, removed there in 2021), on the controller's
 * VM images (docs/vm-images.md): create is the snapshot operation, waited for as instantiate is; get and delete; and
 * the file by `chunk_num`, streamed from the plugin, never held whole.
 */
export function imageRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const images = '/v1/tenants/:tenantId/app_instances/:appInstanceId/images';
  const cursors = new ImageCursorPark();

  router.post(
    images,
    shimRoute(d, { policy: WRITERS, failures: IMAGE_FAILURES }, async (ctx, req, res) => {
      const appInstanceId = await pathInstance(d, ctx, req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw badInput('body', Message.UNMARSHAL_FAILED);
      const vmId = typeof body.vmId === 'string' ? body.vmId : '';
      // The original body named the VM only; its images were named after the time they were taken.
      const name = typeof body.name === 'string' && body.name !== '' ? body.name : `image-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
      const op = await startOrJoin(d, ctx, OperationType.CREATE_IMAGE, () => d.images.create(ctx, { appInstanceId, vmId, name }));
      // A re-sent request joins the snapshot in progress; a snapshot of another VM is a conflict.
      if (op.params.vmId !== vmId) throw new DomainError(ErrorCode.CONFLICT, `the instance is taking a snapshot of VM ${String(op.params.vmId)} (operation ${op.id}); wait for it`, { reason: 'OPERATION_IN_PROGRESS' });
      await settledOk(d, ctx, op, clientGone(res));
      sendRaw(res, { imageId: String(op.params.imageId) });
    }),
  );

  router.get(
    `${images}/:imageId`,
    shimRoute(d, { policy: READERS, failures: IMAGE_FAILURES }, async (ctx, req, res) => {
      sendRaw(res, imageRecord(await pathImage(d, ctx, req)));
    }),
  );

  router.delete(
    `${images}/:imageId`,
    shimRoute(d, { policy: WRITERS, failures: IMAGE_FAILURES }, async (ctx, req, res) => {
      const image = await pathImage(d, ctx, req);
      let op: LcmOperation;
      try {
        op = await d.images.delete(ctx, image.id);
      } catch (e) {
        // A re-sent delete waits for the one already running.
        const running = e instanceof DomainError && e.details.reason === 'ALREADY_DELETING' && typeof e.details.operationId === 'string' ? e.details.operationId : undefined;
        if (!running) throw e;
        op = await d.reads.operations.get(ctx, running);
        // One that failed on the way is tried again: the caller asks for the delete once more.
        if (op.state === OperationState.FAILED_TEMP) op = await d.operations.retry(ctx, op.id);
      }
      await settledOk(d, ctx, op, clientGone(res));
      sendOk(res, 'Delete image is successful');
    }),
  );

  router.get(
    `${images}/:imageId/file`,
    shimRoute(d, { policy: READERS, failures: IMAGE_FAILURES }, async (ctx, req, res) => {
      const n = chunkNumber(req);
      const found = await pathImage(d, ctx, req);
      const { image, client, target } = await d.images.downloadSource(ctx, found.tenantId, found.id);
      const size = image.sizeBytes;
      if (size === null) throw new ShimError(500, RetCode.PLUGIN_REPORT_FAILED, 'the image service did not report the image size');
      const sum = Math.ceil(size / IMAGE_CHUNK_BYTES);
      if (n >= sum) throw badInput('chunk_num', `chunk_num ${n} is out of range: the image has ${sum} chunks (0 to ${sum - 1})`);
      const start = n * IMAGE_CHUNK_BYTES;
      const length = Math.min(size, start + IMAGE_CHUNK_BYTES) - start;
      const gone = clientGone(res);
      const key = `${ctx.principal.userId}/${image.id}`;
      const open = () => new ImageCursor(client.downloadVmImage(target, image.pluginImageId!, { correlationId: ctx.correlationId }));
      let cursor = cursors.take(key, start);
      try {
        try {
          await cursor?.prime();
        } catch {
          // A parked stream that broke off (its deadline, the plugin restarted): start again from the top.
          cursor = undefined;
        }
        cursor ??= open();
        await cursor.skipTo(start);
        await cursor.prime();
        res.status(200).set({ 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Cache-Control': 'no-store', chunk_num: String(n), sum_chunk_num: String(sum) });
        res.flushHeaders();
        const sent = await cursor.copy(res, length, gone);
        // Never complete a chunk short: the client must see a broken download, not a wrong file.
        if (sent !== length) throw new DomainError(ErrorCode.PLUGIN_ERROR, `the image service sent ${sent} of the ${length} bytes of chunk ${n}`, { imageId: image.id });
        res.end();
        if (n + 1 < sum) cursors.park(key, cursor);
        else await cursor.close();
        cursor = undefined;
      } finally {
        await cursor?.close();
      }
    }),
  );

  return router;
}
