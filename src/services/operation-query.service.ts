import type { FilterQuery } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { ownedScope } from '../auth/tenant-guard.js';
import { ACTIVE_OPERATION_STATES, LcmOperation, type OperationState, type OperationType } from '../db/entities/index.js';
import { badInput } from '../errors.js';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';
import { findOwned } from './owned-row.js';
import { isUuid } from './validation.js';

export interface OperationFilter {
  instanceId?: string | null;
  packageId?: string | null;
  hostId?: string | null;
  type?: OperationType | null;
  state?: OperationState | null;
  /** Admins look at one tenant; for others it can only narrow to their own. */
  tenantId?: string | null;
}

export interface OperationQueryOptions {
  maxPageSize: number;
}

/** A filter value that must be a UUID: anything else is BAD_USER_INPUT naming the field. */
export function uuidFilter(value: string, field: string): string {
  if (!isUuid(value)) throw badInput(field, `${field} must be a UUID`);
  return value;
}

/** Continues after a cursor for rows ordered newest first, by (createdAt desc, id desc). */
export function beforeCursorFilter(after: string | null | undefined): Record<string, unknown> {
  if (!after) return {};
  const c = decodeCursor(after);
  return { $or: [{ createdAt: { $lt: c.createdAt } }, { createdAt: c.createdAt, id: { $lt: c.id } }] };
}

/**
 * Reads of LCM operation occurrences: the tenant's own (admins: all), newest first. The history of an instance and
 * its active operation are read in batches for many instances at once (one query per batch, whatever the page size).
 */
export class OperationQueryService {
  constructor(private readonly o: OperationQueryOptions) {}

  async list(ctx: RequestContext, args: PageArgs & { filter?: OperationFilter | null }): Promise<{ page: Page<LcmOperation>; count: () => Promise<number> }> {
    const limit = pageSize(args.first, this.o.maxPageSize);
    const f = args.filter ?? {};
    const where: FilterQuery<LcmOperation>[] = [ownedScope(ctx.principal)];
    if (f.instanceId != null) where.push({ instanceId: uuidFilter(f.instanceId, 'filter.instanceId') });
    if (f.packageId != null) where.push({ packageId: f.packageId });
    if (f.hostId != null) where.push({ hostId: uuidFilter(f.hostId, 'filter.hostId') });
    if (f.type != null) where.push({ type: f.type });
    if (f.state != null) where.push({ state: f.state });
    if (f.tenantId != null) where.push({ tenantId: f.tenantId });
    const filter: FilterQuery<LcmOperation> = { $and: where };
    const rows = await ctx.em.find(LcmOperation, { $and: [filter, beforeCursorFilter(args.after) as FilterQuery<LcmOperation>] }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    return { page: toPage(rows, limit, 0), count: () => ctx.em.count(LcmOperation, filter) };
  }

  /** An operation the caller may see; NOT_FOUND otherwise (no existence leak across tenants). */
  async get(ctx: RequestContext, id: string): Promise<LcmOperation> {
    return findOwned(ctx, ctx.em, LcmOperation, id, 'operation');
  }

  /** The operation holding each instance (STARTING, PROCESSING, FAILED_TEMP or ROLLING_BACK), if any. */
  async activeFor(ctx: RequestContext, instanceIds: readonly string[]): Promise<Map<string, LcmOperation>> {
    const rows = await ctx.em.find(LcmOperation, { instanceId: { $in: [...instanceIds] }, state: { $in: [...ACTIVE_OPERATION_STATES] }, ...ownedScope(ctx.principal) });
    return new Map(rows.map((op) => [op.instanceId!, op]));
  }

  /** The newest `first` operations of each instance, newest first, in one query for all of them. */
  async historyFor(ctx: RequestContext, instanceIds: readonly string[], first: number): Promise<Map<string, LcmOperation[]>> {
    const out = new Map<string, LcmOperation[]>(instanceIds.map((id) => [id, []]));
    if (instanceIds.length === 0 || first === 0) return out;
    const scope = isAdmin(ctx.principal) ? '' : 'and o.tenant_id = ?';
    const params: unknown[] = [[...instanceIds], ...(scope ? [ctx.principal.tenantId] : []), first];
    const rows = await ctx.em.getConnection().execute<Record<string, unknown>[]>(
      `select * from (
         select o.*, row_number() over (partition by o.instance_id order by o.created_at desc, o.id desc) as applcm_rn
         from lcm_operation o where o.instance_id in (?) ${scope}
       ) h where h.applcm_rn <= ? order by h.instance_id, h.created_at desc, h.id desc`,
      params,
    );
    for (const row of rows) {
      delete row.applcm_rn;
      const op = ctx.em.map(LcmOperation, row);
      out.get(op.instanceId!)?.push(op);
    }
    return out;
  }
}
