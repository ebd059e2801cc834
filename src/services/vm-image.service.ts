import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { canModify, requireWriter } from '../auth/tenant-guard.js';
import { isUniqueViolation } from '../db/db-errors.js';
import { ACTIVE_OPERATION_STATES, AppInstance, InstantiationState, LcmOperation, MecHost, OperationType, VmImage } from '../db/entities/index.js';
import { VmImageStatus } from '../db/entities/vm-image.entity.js';
import type { AccessTokens } from '../engine/access-tokens.js';
import { recordOperation } from '../engine/record-events.js';
import { appendEvent } from '../events/event-log.js';
import { imageEvent, newImageSnapshot } from '../events/image-events.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import type { PluginClient, PluginTarget } from '../plugins/plugin-client.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { pluginTarget } from '../plugins/plugin-target.js';
import { idempotent } from './idempotency.js';
import { instanceBusy } from './instance-busy.js';
import { findOwned } from './owned-row.js';
import { afterCursorFilter, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';
import { uuidFilter } from './operation-query.service.js';
import { validateCreateImage, type CreateImageRequest } from './vm-image.validation.js';

export interface VmImageServiceDeps {
  plugins: PluginRegistry;
  tokens: AccessTokens;
  /** Tells the local worker that an operation is due. */
  wake: () => void;
  maxPageSize: number;
}

export interface VmImageFilter {
  instanceId?: string | null;
  hostId?: string | null;
  status?: VmImageStatus | null;
  nameContains?: string | null;
  /** Admins look at one tenant; for others it can only narrow to their own. */
  tenantId?: string | null;
}

/** What a download streams from: an ACTIVE image and its host's image service. */
export interface ImageSource {
  image: VmImage & { sizeBytes: number | null };
  client: PluginClient;
  target: PluginTarget;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * VM images: snapshots of an instance's VM made and deleted as operations (CREATE_IMAGE, DELETE_IMAGE) that the
 * engine's workers run, their reads, and the source of a download. The image row and its operation are written
 * in one transaction with their events.
 */
export class VmImageService {
  constructor(private readonly d: VmImageServiceDeps) {}

  /** Starts a snapshot of one of the instance's VMs; answers its CREATE_IMAGE operation at once. */
  async create(ctx: RequestContext, input: CreateImageRequest, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    const req = validateCreateImage(input);
    const seen = await findOwned(ctx, ctx.em, AppInstance, req.appInstanceId, 'app instance', { populate: ['host'] });
    // A host whose plugin is missing or down is refused now, not after the operation was queued.
    await this.d.plugins.clientFor(seen.host.vim);
    let op: LcmOperation;
    try {
      op = await idempotent(ctx, idempotencyKey, 'createVmImage', req, {
        run: async (em) => {
          const inst = await findOwned(ctx, em, AppInstance, req.appInstanceId, 'app instance', { populate: ['host'] });
          if (!canModify(ctx.principal, inst.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your app instance');
          if (inst.instantiationState !== InstantiationState.INSTANTIATED) {
            throw new DomainError(ErrorCode.CONFLICT, `the instance is ${inst.instantiationState}; only an instantiated instance's VM can be snapshotted`, { reason: 'NOT_INSTANTIATED' });
          }
          const image = em.create(VmImage, { tenantId: inst.tenantId, instanceId: inst.id, hostId: inst.host.id, vmId: req.vmId, name: req.name, status: VmImageStatus.CREATING });
          // The operation holds the instance (at most one active operation each): no terminate while the VM is copied.
          const op = em.create(LcmOperation, {
            tenantId: inst.tenantId,
            type: OperationType.CREATE_IMAGE,
            instanceId: inst.id,
            packageId: inst.package.id,
            hostId: inst.host.id,
            params: { imageId: image.id, appInstanceId: inst.id, vmId: req.vmId, name: req.name },
            createdBy: ctx.principal.userId,
          });
          appendEvent(em, imageEvent(newImageSnapshot(image), false));
          recordOperation(em, op, 'created');
          await em.flush();
          return { value: op, remember: { operationId: op.id } };
        },
        replay: (r) => this.operation(ctx.em, String(r.operationId)),
      });
    } catch (e) {
      if (!isUniqueViolation(e, 'lcm_operation_one_active_per_instance')) throw e;
      throw await instanceBusy(ctx.em.fork(), req.appInstanceId);
    }
    this.started(ctx, op);
    return op;
  }

  /** Starts deleting an image (ACTIVE or ERROR) from its host and the database; answers its DELETE_IMAGE operation. */
  async delete(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    const seen = await findOwned(ctx, ctx.em, VmImage, id, 'VM image');
    const host = await ctx.em.findOneOrFail(MecHost, { id: seen.hostId });
    await this.d.plugins.clientFor(host.vim);
    const op = await idempotent(ctx, idempotencyKey, 'deleteVmImage', { id }, {
      run: async (em) => {
        const image = await findOwned(ctx, em, VmImage, id, 'VM image', { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!canModify(ctx.principal, image.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your VM image');
        if (image.status === VmImageStatus.CREATING) {
          throw new DomainError(ErrorCode.CONFLICT, 'the image is still being created; wait for its operation, or roll it back or fail it', { reason: 'IMAGE_NOT_READY', status: image.status });
        }
        if (image.status === VmImageStatus.DELETING) {
          const deleting = await em.findOne(LcmOperation, { type: OperationType.DELETE_IMAGE, state: { $in: [...ACTIVE_OPERATION_STATES] }, params: { imageId: image.id } });
          throw new DomainError(ErrorCode.CONFLICT, `the image is already being deleted${deleting ? ` by operation ${deleting.id} (${deleting.state})` : ''}`, { reason: 'ALREADY_DELETING', operationId: deleting?.id ?? null });
        }
        image.status = VmImageStatus.DELETING;
        const op = em.create(LcmOperation, {
          tenantId: image.tenantId,
          type: OperationType.DELETE_IMAGE,
          hostId: image.hostId,
          params: { imageId: image.id, name: image.name, pluginImageId: image.pluginImageId },
          createdBy: ctx.principal.userId,
        });
        appendEvent(em, imageEvent({ ...newImageSnapshot(image), rowVersion: image.rowVersion + 1, updatedAt: new Date().toISOString() }, false));
        recordOperation(em, op, 'created');
        await em.flush();
        return { value: op, remember: { operationId: op.id } };
      },
      replay: (r) => this.operation(ctx.em, String(r.operationId)),
    });
    this.started(ctx, op);
    return op;
  }

  /** An image the caller may see; NOT_FOUND otherwise (no existence leak across tenants). */
  get(ctx: RequestContext, id: string): Promise<VmImage> {
    return findOwned(ctx, ctx.em, VmImage, id, 'VM image');
  }

  /** A page of the images the caller may see, oldest first; the count runs only when asked for. */
  async list(ctx: RequestContext, args: PageArgs & { filter?: VmImageFilter | null }): Promise<{ page: Page<VmImage>; count: () => Promise<number> }> {
    const limit = pageSize(args.first, this.d.maxPageSize);
    const f = args.filter ?? {};
    const where: FilterQuery<VmImage> & Record<string, unknown> = {};
    if (!isAdmin(ctx.principal)) where.tenantId = ctx.principal.tenantId;
    else if (f.tenantId != null) where.tenantId = f.tenantId;
    if (f.instanceId != null) where.instanceId = uuidFilter(f.instanceId, 'filter.instanceId');
    if (f.hostId != null) where.hostId = uuidFilter(f.hostId, 'filter.hostId');
    if (f.status != null) where.status = f.status;
    if (f.nameContains != null) where.name = { $ilike: `%${escapeLike(f.nameContains)}%` };
    const em = ctx.em.fork();
    const rows = await em.find(VmImage, { ...where, ...afterCursorFilter(args.after) }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 });
    return { page: toPage(rows, limit, 0), count: () => em.fork().count(VmImage, where) };
  }

  /**
   * What a download of `id` streams from. The path's tenant must be the image's (as for packages); the image must
   * be ACTIVE (CONFLICT with its status otherwise) and its host's plugin available.
   */
  async downloadSource(ctx: RequestContext, pathTenant: string, id: string): Promise<ImageSource> {
    const image = await findOwned(ctx, ctx.em, VmImage, id, 'VM image');
    if (image.tenantId !== pathTenant) throw notFound('VM image', id);
    if (image.status !== VmImageStatus.ACTIVE || !image.pluginImageId) {
      throw new DomainError(ErrorCode.CONFLICT, `the image is ${image.status}; only an ACTIVE image can be downloaded`, { reason: 'IMAGE_NOT_ACTIVE', status: image.status });
    }
    const host = await ctx.em.findOneOrFail(MecHost, { id: image.hostId });
    const client = await this.d.plugins.clientFor(host.vim);
    return { image, client, target: pluginTarget(host, ctx.accessToken) };
  }

  // ---- internals ----

  private started(ctx: RequestContext, op: LcmOperation): void {
    this.d.tokens.remember(op.id, ctx.accessToken);
    this.d.wake();
  }

  private operation(em: EntityManager, id: string): Promise<LcmOperation> {
    return em.fork().findOneOrFail(LcmOperation, { id });
  }

  /** The refusal of a second active operation on an instance, naming the one that holds it. */
}
