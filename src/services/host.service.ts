import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { canModify, canRead, requireWriter, targetTenant } from '../auth/tenant-guard.js';
import { isAdmin } from '../auth/principal.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/db-errors.js';
import { AppInstance, HostConfigStatus, MecHost } from '../db/entities/index.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { appendEvent } from '../events/event-log.js';
import { idempotent } from './idempotency.js';
import { validateHostFields, type HostFields } from './host.validation.js';
import { afterCursorFilter, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';
import { isUuid } from './validation.js';

export interface RegisterHostRequest extends HostFields {
  ip: string;
  name: string;
  /** Owner tenant; admins only. Omitted by an admin (or null) registers a shared host. */
  tenantId?: string | null;
}

export interface HostFilter {
  ip?: string | null;
  nameContains?: string | null;
  city?: string | null;
  vim?: string | null;
  configStatus?: HostConfigStatus | null;
  tenantId?: string | null;
}

export interface HostServiceOptions {
  maxHostsPerTenant: number;
  maxPageSize: number;
}

const snapshot = (h: MecHost): Record<string, unknown> => ({
  id: h.id,
  tenantId: h.tenantId,
  ip: h.ip,
  name: h.name,
  city: h.city,
  vim: h.vim,
  origin: h.origin,
  configStatus: h.configStatus,
  rowVersion: h.rowVersion,
});

/** MEC host registration and queries, with the original's validations and per-tenant isolation. */
export class HostService {
  constructor(private readonly opts: HostServiceOptions) {}

  /** Hosts the caller may see: its own and shared ones; admins see all. */
  private visibleScope(ctx: RequestContext): FilterQuery<MecHost> {
    return isAdmin(ctx.principal) ? {} : { $or: [{ tenantId: ctx.principal.tenantId }, { tenantId: null }] };
  }

  async list(ctx: RequestContext, args: PageArgs & { filter?: HostFilter | null }): Promise<Page<MecHost>> {
    const limit = pageSize(args.first, this.opts.maxPageSize);
    const f = args.filter ?? {};
    const where: FilterQuery<MecHost>[] = [this.visibleScope(ctx)];
    if (f.ip != null) where.push({ ip: f.ip });
    if (f.nameContains != null) where.push({ name: { $ilike: `%${f.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
    if (f.city != null) where.push({ city: f.city });
    if (f.vim != null) where.push({ vim: f.vim.toLowerCase() });
    if (f.configStatus != null) where.push({ configStatus: f.configStatus });
    if (f.tenantId !== undefined) where.push({ tenantId: f.tenantId });
    const filter: FilterQuery<MecHost> = { $and: where };
    const [rows, total] = await Promise.all([
      ctx.em.find(MecHost, { $and: [filter, afterCursorFilter(args.after) as FilterQuery<MecHost>] }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 }),
      ctx.em.count(MecHost, filter),
    ]);
    return toPage(rows, limit, total);
  }

  /** A visible host by id; NOT_FOUND for ids the caller may not see (no existence leak). */
  async get(ctx: RequestContext, id: string, em: EntityManager = ctx.em): Promise<MecHost> {
    const host = isUuid(id) ? await em.findOne(MecHost, { id }) : null;
    if (!host || !canRead(ctx.principal, host.tenantId)) throw notFound('host', id);
    return host;
  }

  async register(ctx: RequestContext, req: RegisterHostRequest, idempotencyKey?: string | null): Promise<MecHost> {
    requireWriter(ctx.principal);
    const tenantId = targetTenant(ctx.principal, req.tenantId, true);
    const fields = validateHostFields(req, true);
    return idempotent(ctx, idempotencyKey, 'registerHost', { ...fields, tenantId }, {
      run: async (em) => {
        await this.lockTenantHosts(em, tenantId);
        const count = await em.count(MecHost, { tenantId });
        if (count >= this.opts.maxHostsPerTenant) {
          throw new DomainError(ErrorCode.QUOTA_EXCEEDED, `at most ${this.opts.maxHostsPerTenant} hosts per tenant`, { limit: this.opts.maxHostsPerTenant });
        }
        const host = em.create(MecHost, { ...fields, ip: fields.ip!, name: fields.name!, tenantId });
        appendEvent(em, { topic: 'host.created', tenantId, subjectId: host.id, payload: snapshot(host) });
        await this.flushHost(em, host);
        return { value: host, remember: { hostId: host.id } };
      },
      replay: (r) => this.get(ctx, String(r.hostId)),
    });
  }

  async update(ctx: RequestContext, id: string, req: HostFields, expectedVersion?: number | null, idempotencyKey?: string | null): Promise<MecHost> {
    requireWriter(ctx.principal);
    const fields = validateHostFields(req, false);
    return idempotent(ctx, idempotencyKey, 'updateHost', { id, fields, expectedVersion }, {
      run: async (em) => {
        const host = await this.get(ctx, id, em);
        if (!canModify(ctx.principal, host.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'shared hosts are managed by admins');
        if (expectedVersion != null && expectedVersion !== host.rowVersion) {
          throw new DomainError(ErrorCode.CONFLICT, `host is at version ${host.rowVersion}, not ${expectedVersion}`, { field: 'expectedVersion', currentVersion: host.rowVersion });
        }
        em.assign(host, fields);
        // As in the original, changing where the host is means its VIM configuration must be uploaded again.
        if (fields.ip !== undefined && fields.ip !== host.ip) host.configStatus = HostConfigStatus.NOT_UPLOADED;
        await this.flushHost(em, host);
        appendEvent(em, { topic: 'host.updated', tenantId: host.tenantId, subjectId: host.id, payload: snapshot(host) });
        await em.flush();
        return { value: host, remember: { hostId: host.id } };
      },
      replay: (r) => this.get(ctx, String(r.hostId)),
    });
  }

  /** Deletes a host; refused with CONFLICT while app instances still reference it (enforced by a foreign key). */
  async delete(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<string> {
    requireWriter(ctx.principal);
    return idempotent(ctx, idempotencyKey, 'deleteHost', { id }, {
      run: async (em) => {
        const host = await this.get(ctx, id, em);
        if (!canModify(ctx.principal, host.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'shared hosts are managed by admins');
        const instances = await em.count(AppInstance, { host: host.id });
        if (instances > 0) throw hostInUse(instances);
        appendEvent(em, { topic: 'host.deleted', tenantId: host.tenantId, subjectId: host.id, payload: snapshot(host) });
        em.remove(host);
        try {
          await em.flush();
        } catch (e) {
          // An instance created after the count: the foreign key has the last word.
          if (isForeignKeyViolation(e)) throw hostInUse(1);
          throw e;
        }
        return { value: id, remember: { hostId: id } };
      },
      replay: (r) => Promise.resolve(String(r.hostId)),
    });
  }

  /** Serialises registrations per owner so the quota check and the insert cannot interleave. */
  private async lockTenantHosts(em: EntityManager, tenantId: string | null): Promise<void> {
    await em.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`mec_host:${tenantId ?? '<shared>'}`], 'get', em.getTransactionContext());
  }

  private async flushHost(em: EntityManager, host: MecHost): Promise<void> {
    try {
      await em.flush();
    } catch (e) {
      if (isUniqueViolation(e, 'mec_host_tenant_ip_unique')) {
        throw new DomainError(ErrorCode.CONFLICT, `a host with ip ${host.ip} is already registered`, { field: 'ip' });
      }
      throw e;
    }
  }
}

const hostInUse = (n: number) =>
  new DomainError(ErrorCode.CONFLICT, `the host still has ${n} app instance(s); terminate them first`, { reason: 'HOST_IN_USE' });
