import { ReferenceKind, type EntityManager } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { AppInstance, AppPackage, type InstanceOperationalState, type InstantiationState, MecHost } from '../db/entities/index.js';
import { pgDate, sqlRows } from '../db/sql-tx.js';
import { badInput } from '../errors.js';
import { uuidFilter } from './operation-query.service.js';
import { decodeCursor, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';
import { findOwned } from './owned-row.js';
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

/**
 * An instance as a list reads it: the GraphQL fields of AppInstance and the ids of its package and host, as a plain
 * object (a page is read with one SQL statement, without building ORM entities for every row).
 */
export type InstanceView = Pick<
  AppInstance,
  'id' | 'tenantId' | 'name' | 'description' | 'instantiationState' | 'operationalState' | 'parameters' | 'origin' | 'createdAt' | 'updatedAt' | 'rowVersion'
> & {
  packageId: string;
  hostId: string;
  /** Its package and host, when the list was asked to read them with the page. */
  loadedPackage?: AppPackage;
  loadedHost?: MecHost;
};

export interface InstancePage {
  page: Page<InstanceView>;
  /** Counts the rows matching the filter; run only when the client asked for totalCount. */
  count: () => Promise<number>;
}

interface InstanceRow {
  id: string;
  tenant_id: string;
  package_id: string;
  host_id: string;
  name: string;
  description: string;
  instantiation_state: InstantiationState;
  operational_state: InstanceOperationalState | null;
  parameters: Record<string, string>;
  origin: string;
  created_at: string | Date;
  updated_at: string | Date;
  row_version: number;
}

/** The columns an entity reads eagerly (lazy JSON documents are left to their own field resolvers). */
function eagerColumns(em: EntityManager, entity: typeof AppPackage | typeof MecHost): string[] {
  return em
    .getMetadata()
    .get(entity.name)
    .props.filter((p) => (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE) && !p.lazy && p.persist !== false)
    .flatMap((p) => p.fieldNames);
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of app instances: the tenant's own (guests: their tenant's; admins: all), oldest first like every list. */
export class InstanceQueryService {
  private columns?: Record<string, string[]>;

  constructor(private readonly o: InstanceQueryOptions) {}

  /**
   * A page of instances in one statement, as plain objects; with `include`, their packages and hosts are read right
   * after it (one statement each, whatever the page size) and attached, so the page resolves without waiting again.
   */
  async list(ctx: RequestContext, args: PageArgs & { filter?: InstanceFilter | null }, include: { package?: boolean; host?: boolean } = {}): Promise<InstancePage> {
    const limit = pageSize(args.first, this.o.maxPageSize);
    const f = args.filter ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    const cond = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (!isAdmin(ctx.principal)) cond('i.tenant_id = ?', ctx.principal.tenantId);
    if (f.hostId != null) cond('i.host_id = ?', uuidFilter(f.hostId, 'filter.hostId'));
    if (f.packageId != null) cond('i.package_id = ?', f.packageId);
    if (f.instantiationState != null) cond('i.instantiation_state = ?', f.instantiationState);
    if (f.operationalState != null) cond('i.operational_state = ?', f.operationalState);
    if (f.nameContains != null) cond('i.name ilike ?', `%${escapeLike(f.nameContains)}%`);
    if (f.tenantId != null) cond('i.tenant_id = ?', f.tenantId);
    const filterSql = where.length ? `where ${where.join(' and ')}` : '';
    const filterParams = [...params];
    if (args.after) {
      const c = decodeCursor(args.after);
      if (!isUuid(c.id)) throw badInput('after', 'after is not a cursor returned by this API');
      cond('(i.created_at, i.id) > (?::timestamptz, ?::uuid)', c.createdAt.toISOString(), c.id);
    }

    // The packages and hosts the page asks for come joined in the same statement: one round trip per page.
    const joined = [include.package && { table: 'app_package', alias: 'p', column: 'package_id' }, include.host && { table: 'mec_host', alias: 'h', column: 'host_id' }].filter((j) => !!j);
    const columns = this.columnsOf(ctx.em);
    const select = joined.flatMap((j) => columns[j.table]!.map((c) => `${j.alias}.${c} as "${j.alias}__${c}"`));
    const rows = await sqlRows<InstanceRow & Record<string, unknown>>(
      ctx.em.getConnection().getKnex(),
      `select i.id, i.tenant_id, i.package_id, i.host_id, i.name, i.description, i.instantiation_state, i.operational_state, i.parameters, i.origin, i.created_at, i.updated_at, i.row_version${select.length ? `, ${select.join(', ')}` : ''}
       from app_instance i ${joined.map((j) => `join ${j.table} ${j.alias} on ${j.alias}.id = i.${j.column}`).join(' ')}
       ${where.length ? `where ${where.join(' and ')}` : ''} order by i.created_at, i.id limit ?`,
      [...params, limit + 1],
    );
    const views = rows.slice(0, limit).map(toView);
    const packages = new Map<string, AppPackage>();
    const hosts = new Map<string, MecHost>();
    rows.slice(0, limit).forEach((r, n) => {
      const v = views[n]!;
      if (include.package) v.loadedPackage = entityOf(ctx.em, AppPackage, packages, v.packageId, r, 'p__');
      if (include.host) v.loadedHost = entityOf(ctx.em, MecHost, hosts, v.hostId, r, 'h__');
    });
    return {
      page: toPage(rows.length > limit ? [...views, toView(rows[limit]!)] : views, limit, 0),
      count: async () => {
        const [row] = await ctx.em.getConnection().execute<{ n: number }[]>(`select count(*)::int as n from app_instance i ${filterSql}`, filterParams, 'all');
        return row?.n ?? 0;
      },
    };
  }

  /** An instance the caller may see; NOT_FOUND otherwise (no existence leak across tenants). */
  async get(ctx: RequestContext, id: string): Promise<AppInstance> {
    return findOwned(ctx, ctx.em, AppInstance, id, 'app instance');
  }

  /** Packages by id, in one query (the package of each instance of a page): their eager columns, as ORM entities. */
  packagesById(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, AppPackage>> {
    return this.byId(ctx, AppPackage, 'app_package', ids);
  }

  /** Hosts by id, in one query (the host of each instance of a page), as ORM entities. */
  hostsById(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, MecHost>> {
    return this.byId(ctx, MecHost, 'mec_host', ids);
  }

  /** Plain SQL and one entity per row: the ORM's query building costs more than the query for these lookups. */
  private async byId<T extends AppPackage | MecHost>(ctx: RequestContext, entity: new () => T, table: string, ids: readonly string[]): Promise<Map<string, T>> {
    const columns = this.columnsOf(ctx.em);
    const rows = await ctx.em.getConnection().execute<Record<string, unknown>[]>(`select ${columns[table]!.join(', ')} from ${table} where id in (?)`, [[...ids]], 'all');
    return new Map(rows.map((r) => [String(r.id), ctx.em.map(entity, r)]));
  }

  private columnsOf(em: EntityManager): Record<string, string[]> {
    return (this.columns ??= { app_package: eagerColumns(em, AppPackage), mec_host: eagerColumns(em, MecHost) });
  }
}

/** The entity of a joined row's prefixed columns, made once per id for the page. */
function entityOf<T extends AppPackage | MecHost>(em: EntityManager, entity: new () => T, seen: Map<string, T>, id: string, row: Record<string, unknown>, prefix: string): T {
  const known = seen.get(id);
  if (known) return known;
  const own: Record<string, unknown> = {};
  for (const k in row) if (k.startsWith(prefix)) own[k.slice(prefix.length)] = row[k];
  const made = em.map<T>(entity, own as never);
  seen.set(id, made);
  return made;
}

function toView(r: InstanceRow): InstanceView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    packageId: r.package_id,
    hostId: r.host_id,
    name: r.name,
    description: r.description,
    instantiationState: r.instantiation_state,
    operationalState: r.operational_state,
    parameters: r.parameters,
    origin: r.origin,
    createdAt: pgDate(r.created_at),
    updatedAt: pgDate(r.updated_at),
    rowVersion: r.row_version,
  };
}
