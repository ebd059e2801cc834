import type { FilterQuery } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { ownedScope } from '../auth/tenant-guard.js';
import { AppInstance, AppPackage, type InstanceOperationalState, type InstantiationState, MecHost } from '../db/entities/index.js';
import { notFound } from '../errors.js';
import { uuidFilter } from './operation-query.service.js';
import { afterCursorFilter, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';
import { isUuid } from './validation.js';

export interface InstanceFilter {
  hostId?: string | null;
  packageId?: string | null;
  instantiationState?: InstantiationState | null;
  operationalState?: InstanceOperationalState | null;
  nameContains?: string | null;
  /** Admins look at one tenant; for others it can only narrow to their own. */
  tenantId?: string | null;
}

export interface InstanceQueryOptions {
  maxPageSize: number;
}

/** Reads of app instances: the tenant's own (guests: their tenant's; admins: all), oldest first like every list. */
export class InstanceQueryService {
  constructor(private readonly o: InstanceQueryOptions) {}

  /** A page of instances; `count` runs only when the client asked for totalCount. */
  async list(ctx: RequestContext, args: PageArgs & { filter?: InstanceFilter | null }): Promise<{ page: Page<AppInstance>; count: () => Promise<number> }> {
    const limit = pageSize(args.first, this.o.maxPageSize);
    const f = args.filter ?? {};
    const where: FilterQuery<AppInstance>[] = [ownedScope(ctx.principal)];
    if (f.hostId != null) where.push({ host: uuidFilter(f.hostId, 'filter.hostId') });
    if (f.packageId != null) where.push({ package: f.packageId });
    if (f.instantiationState != null) where.push({ instantiationState: f.instantiationState });
    if (f.operationalState != null) where.push({ operationalState: f.operationalState });
    if (f.nameContains != null) where.push({ name: { $ilike: `%${f.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
    if (f.tenantId != null) where.push({ tenantId: f.tenantId });
    const filter: FilterQuery<AppInstance> = { $and: where };
    const rows = await ctx.em.find(AppInstance, { $and: [filter, afterCursorFilter(args.after) as FilterQuery<AppInstance>] }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 });
    return { page: toPage(rows, limit, 0), count: () => ctx.em.count(AppInstance, filter) };
  }

  /** An instance the caller may see; NOT_FOUND otherwise (no existence leak across tenants). */
  async get(ctx: RequestContext, id: string): Promise<AppInstance> {
    const inst = isUuid(id) ? await ctx.em.findOne(AppInstance, { id }) : null;
    if (!inst || (!isAdmin(ctx.principal) && inst.tenantId !== ctx.principal.tenantId)) throw notFound('app instance', id);
    return inst;
  }

  /** Packages by id, in one query (the package of each instance of a page). */
  async packagesById(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, AppPackage>> {
    const rows = await ctx.em.find(AppPackage, { id: { $in: [...ids] } });
    return new Map(rows.map((p) => [p.id, p]));
  }

  /** Hosts by id, in one query (the host of each instance of a page). */
  async hostsById(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, MecHost>> {
    const rows = await ctx.em.find(MecHost, { id: { $in: [...ids] } });
    return new Map(rows.map((h) => [h.id, h]));
  }
}
