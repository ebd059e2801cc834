import type { AbstractSqlConnection } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { AppInstance, AppPackage, type InstanceOperationalState, type InstantiationState, MecHost } from '../db/entities/index.js';
import { PlainEntityReader } from '../db/plain-entity.js';
import { pooledRows } from '../db/pooled-rows.js';
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

/**
 * How a page's packages or hosts are read: `entities` (or `true`) are managed ORM entities (every field resolver
 * works); `plain` objects carry only the eager columns (`InstanceQueryService.plainProperties`), for a selection of
 * those; `{ plain: [...] }` objects carry only the named ones (and `id`), for a selection of exactly those.
 */
export type RelatedRead = 'entities' | 'plain' | { plain: readonly string[] };

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

/**
 * A page row as the statement answers it: an array (a page of objects would repeat every key in every row), with the
 * timestamps as epoch milliseconds (a Date from a number, where a timestamp's text is parsed).
 */
type InstanceRow = [
  id: string,
  tenantId: string,
  packageId: string,
  hostId: string,
  name: string,
  description: string,
  instantiationState: InstantiationState,
  operationalState: InstanceOperationalState | null,
  parameters: Record<string, string>,
  origin: string,
  createdAtMs: number,
  updatedAtMs: number,
  rowVersion: number,
];

/** Epoch milliseconds of a timestamp, truncated to the millisecond as a JavaScript Date holds it. */
const epochMs = (column: string) => `(extract(epoch from date_trunc('milliseconds', ${column})) * 1000)::bigint`;

const PAGE_ROW = `json_build_array(id, tenant_id, package_id, host_id, name, description, instantiation_state, operational_state, parameters, origin, ${epochMs('created_at')}, ${epochMs('updated_at')}, row_version)`;

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Reads of app instances: the tenant's own (guests: their tenant's; admins: all), oldest first like every list. */
export class InstanceQueryService {
  private readers?: { app_package: PlainEntityReader<AppPackage>; mec_host: PlainEntityReader<MecHost> };
  /** The ORM's connection (the same for every request's EntityManager), kept so that a page needs none of its own. */
  private connection?: AbstractSqlConnection;

  constructor(private readonly o: InstanceQueryOptions) {}

  /**
   * A page of instances in one statement, as plain objects; with `include`, their packages and hosts are read right
   * after it (one statement each, whatever the page size) and attached, so the page resolves without waiting again.
   */
  async list(ctx: RequestContext, args: PageArgs & { filter?: InstanceFilter | null }, include: { package?: RelatedRead | boolean; host?: RelatedRead | boolean } = {}): Promise<InstancePage> {
    const limit = pageSize(args.first, this.o.maxPageSize);
    const f = args.filter ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    const value = (v: unknown) => `$${params.push(v)}`;
    if (!isAdmin(ctx.principal)) where.push(`i.tenant_id = ${value(ctx.principal.tenantId)}`);
    if (f.hostId != null) where.push(`i.host_id = ${value(uuidFilter(f.hostId, 'filter.hostId'))}`);
    if (f.packageId != null) where.push(`i.package_id = ${value(f.packageId)}`);
    if (f.instantiationState != null) where.push(`i.instantiation_state = ${value(f.instantiationState)}`);
    if (f.operationalState != null) where.push(`i.operational_state = ${value(f.operationalState)}`);
    if (f.nameContains != null) where.push(`i.name ilike ${value(`%${escapeLike(f.nameContains)}%`)}`);
    if (f.tenantId != null) where.push(`i.tenant_id = ${value(f.tenantId)}`);
    // The filter's placeholders come first, so the count reuses them without the cursor's.
    const filterSql = where.length ? `where ${where.join(' and ')}` : '';
    const filterParams = [...params];
    if (args.after) {
      const c = decodeCursor(args.after);
      if (!isUuid(c.id)) throw badInput('after', 'after is not a cursor returned by this API');
      where.push(`(i.created_at, i.id) > (${value(c.createdAt.toISOString())}::timestamptz, ${value(c.id)}::uuid)`);
    }

    // One round trip per page, and each package and host of the page read once however many rows share it: the
    // statement answers one JSON document (parsed natively, where a wide joined row per instance was parsed column by
    // column and its package's JSON documents once per row). It runs on a pooled connection without knex's runner.
    const all = this.readersOf(ctx);
    const readers = {
      app_package: typeof include.package === 'object' ? all.app_package.only(include.package.plain) : all.app_package,
      mec_host: typeof include.host === 'object' ? all.mec_host.only(include.host.plain) : all.mec_host,
    };
    const related = (table: 'app_package' | 'mec_host', column: string) =>
      `(select coalesce(json_agg(r), '[]'::json) from (select ${readers[table].columns.join(', ')} from ${table} where id in (select ${column} from page)) r)`;
    const [doc] = await pooledRows<{ rows: InstanceRow[]; packages: Record<string, unknown>[] | null; hosts: Record<string, unknown>[] | null }>(
      this.connectionOf(ctx).getKnex(),
      `with page as (
         select i.id, i.tenant_id, i.package_id, i.host_id, i.name, i.description, i.instantiation_state, i.operational_state, i.parameters, i.origin, i.created_at, i.updated_at, i.row_version
         from app_instance i ${where.length ? `where ${where.join(' and ')}` : ''} order by i.created_at, i.id limit ${value(limit + 1)})
       select (select coalesce(json_agg(${PAGE_ROW} order by created_at, id), '[]'::json) from page) as rows,
              ${include.package ? related('app_package', 'package_id') : 'null'} as packages,
              ${include.host ? related('mec_host', 'host_id') : 'null'} as hosts`,
      params,
    );
    const rows = doc!.rows;
    const views = rows.slice(0, limit).map(toView);
    const plain = (mode: RelatedRead | boolean | undefined) => mode === 'plain' || typeof mode === 'object';
    const packages = relatedById(doc!.packages, plain(include.package) ? (r) => readers.app_package.read(r) : (r) => ctx.em.map(AppPackage, r as never));
    const hosts = relatedById(doc!.hosts, plain(include.host) ? (r) => readers.mec_host.read(r) : (r) => ctx.em.map(MecHost, r as never));
    for (const v of views) {
      if (packages) v.loadedPackage = packages.get(v.packageId);
      if (hosts) v.loadedHost = hosts.get(v.hostId);
    }
    return {
      page: toPage(rows.length > limit ? [...views, toView(rows[limit]!)] : views, limit, 0),
      count: async () => {
        const [row] = await pooledRows<{ n: number }>(this.connectionOf(ctx).getKnex(), `select count(*)::int as n from app_instance i ${filterSql}`, filterParams);
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
  private async byId<T extends AppPackage | MecHost>(ctx: RequestContext, entity: new () => T, table: 'app_package' | 'mec_host', ids: readonly string[]): Promise<Map<string, T>> {
    const rows = await ctx.em.getConnection().execute<Record<string, unknown>[]>(`select ${this.readersOf(ctx)[table].columns.join(', ')} from ${table} where id in (?)`, [[...ids]], 'all');
    return new Map(rows.map((r) => [String(r.id), ctx.em.map(entity, r)]));
  }

  /** The properties plain packages and hosts of a page carry: a selection within them can be read `plain`. */
  plainProperties(ctx: RequestContext): { package: ReadonlySet<string>; host: ReadonlySet<string> } {
    const r = this.readersOf(ctx);
    return { package: r.app_package.properties, host: r.mec_host.properties };
  }

  // The metadata and the connection are the ORM's, the same through every request's EntityManager: the first
  // request's is asked once (a request context makes its EntityManager on first use).
  private readersOf(ctx: RequestContext): { app_package: PlainEntityReader<AppPackage>; mec_host: PlainEntityReader<MecHost> } {
    return (this.readers ??= { app_package: PlainEntityReader.of(ctx.em, AppPackage), mec_host: PlainEntityReader.of(ctx.em, MecHost) });
  }

  private connectionOf(ctx: RequestContext): AbstractSqlConnection {
    return (this.connection ??= ctx.em.getConnection());
  }
}

/** A page's packages or hosts by id (null when the page was not asked for them). */
function relatedById<T>(rows: Record<string, unknown>[] | null, read: (r: Record<string, unknown>) => T): Map<string, T> | null {
  return rows && new Map(rows.map((r) => [String(r.id), read(r)]));
}

function toView(r: InstanceRow): InstanceView {
  return {
    id: r[0],
    tenantId: r[1],
    packageId: r[2],
    hostId: r[3],
    name: r[4],
    description: r[5],
    instantiationState: r[6],
    operationalState: r[7],
    parameters: r[8],
    origin: r[9],
    createdAt: new Date(r[10]),
    updatedAt: new Date(r[11]),
    rowVersion: r[12],
  };
}
