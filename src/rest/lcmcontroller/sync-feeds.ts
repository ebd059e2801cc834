import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AppInstance, AppPackage, MecHost } from '../../db/entities/index.js';
import type { EventTopic } from '../../events/event-log.js';
import type { EventReader, LoggedEvent } from '../../events/event-reader.js';
import { toMecHostInfo, type MecHostInfo } from './host.routes.js';
import type { SyncAnswer, SyncStart } from './sync-cursors.js';
import { toAppInfoRec, toAppPackageRecordInfo, type AppInfoRec, type AppPackageRecordInfo } from './sync-records.js';

/** Whose records a sync answer reports: one tenant's (with the shared hosts), or every tenant's (null). */
export interface SyncScope {
  tenantId: string | null;
}

export interface PackageStaleRecords {
  appPackageStaleRec: { appPackageId: string; tenantId: string }[];
  appPackageHostStaleRec: { packageId: string; tenantId: string; hostIp: string }[];
}

/** Events read for one answer at most; a longer backlog is reported over several calls. */
const WINDOW = 500;

/** Only what the edge (MEPM) created is synchronised upward, as the original's `sync_status` flag did (§2.1). */
const MEPM = 'mepm';
const isMepm = (origin: unknown): boolean => typeof origin === 'string' && origin.toLowerCase() === MEPM;
const mepmRows = { origin: { $ilike: MEPM } };

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The records of the sync routes, read from the change feed: what changed after the caller's position (records as
 * they are now, each once per answer), and what was deleted (from the deletion events' last snapshots). Updated
 * records can also be answered from the current state (a caller's first call).
 */
export class SyncFeeds {
  constructor(private readonly reader: EventReader) {}

  async hostsUpdated(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<MecHostInfo[]>> {
    const where: FilterQuery<MecHost> = scope.tenantId === null ? mepmRows : { ...mepmRows, $or: [{ tenantId: scope.tenantId }, { tenantId: null }] };
    if (start.snapshot) {
      const end = await this.reader.head(em);
      const rows = await em.find(MecHost, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
      return { body: rows.map(toMecHostInfo), end };
    }
    // Shared hosts' events carry no tenant: read every tenant's and keep the caller's and the shared ones.
    const { events, end } = await this.window(em, start.after, ['host.created', 'host.updated'], null);
    const ids = subjects(events.filter((e) => scope.tenantId === null || e.tenantId === null || e.tenantId === scope.tenantId));
    const rows = ids.length ? await em.find(MecHost, { $and: [where, { id: { $in: ids } }] }) : [];
    return { body: inOrder(ids, rows).map(toMecHostInfo), end };
  }

  async hostsDeleted(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<{ mechostIp: string }[]>> {
    const { events, end } = await this.window(em, start.after, ['host.deleted'], null);
    const ips = events.filter((e) => (scope.tenantId === null || e.tenantId === null || e.tenantId === scope.tenantId) && isMepm(e.payload.origin)).map((e) => str(e.payload.ip));
    return { body: unique(ips).map((mechostIp) => ({ mechostIp })), end };
  }

  async instancesUpdated(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<AppInfoRec[]>> {
    const where: FilterQuery<AppInstance> = scope.tenantId === null ? mepmRows : { ...mepmRows, tenantId: scope.tenantId };
    if (start.snapshot) {
      const end = await this.reader.head(em);
      const rows = await em.find(AppInstance, where, { populate: ['host'], orderBy: { createdAt: 'asc', id: 'asc' } });
      return { body: rows.map(toAppInfoRec), end };
    }
    const { events, end } = await this.window(em, start.after, ['instance.updated'], scope.tenantId);
    const ids = subjects(events);
    const rows = ids.length ? await em.find(AppInstance, { $and: [where, { id: { $in: ids } }] }, { populate: ['host'] }) : [];
    return { body: inOrder(ids, rows).map(toAppInfoRec), end };
  }

  async instancesDeleted(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<{ appInstanceId: string; tenantId: string }[]>> {
    const { events, end } = await this.window(em, start.after, ['instance.deleted'], scope.tenantId);
    const seen = new Set<string>();
    const body = events
      .filter((e) => isMepm(e.payload.origin) && !seen.has(str(e.payload.id)) && seen.add(str(e.payload.id)))
      .map((e) => ({ appInstanceId: str(e.payload.id), tenantId: str(e.payload.tenantId) }));
    return { body, end };
  }

  /** Packages whose presence on hosts changed, each with all its hosts (the original listed it once per changed host). */
  async packagesUpdated(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<AppPackageRecordInfo[]>> {
    const where: FilterQuery<AppPackage> = scope.tenantId === null ? mepmRows : { ...mepmRows, tenantId: scope.tenantId };
    const populate = ['distributions', 'distributions.host'] as const;
    if (start.snapshot) {
      const end = await this.reader.head(em);
      const rows = await em.find(AppPackage, where, { populate, orderBy: { createdAt: 'asc', id: 'asc' } });
      return { body: rows.filter((p) => p.distributions.length > 0).map(toAppPackageRecordInfo), end };
    }
    const { events, end } = await this.window(em, start.after, ['distribution.updated'], scope.tenantId);
    const ids = unique(events.map((e) => str(e.payload.packageId)));
    const rows = ids.length ? await em.find(AppPackage, { $and: [where, { id: { $in: ids } }] }, { populate }) : [];
    return { body: inOrder(ids, rows).map(toAppPackageRecordInfo), end };
  }

  /** Deleted packages, and packages removed from a host (its ip and the package's origin read where they still are). */
  async packagesDeleted(start: SyncStart, em: EntityManager, scope: SyncScope): Promise<SyncAnswer<PackageStaleRecords>> {
    const { events, end } = await this.window(em, start.after, ['package.deleted', 'distribution.deleted'], scope.tenantId);
    const removed = events.filter((e) => e.topic === 'distribution.deleted');
    const origins = await this.lastFields(em, unique(removed.map((e) => str(e.payload.packageId))), async (ids) => (await em.find(AppPackage, { id: { $in: ids } }, { fields: ['id', 'origin'] })).map((p) => [p.id, p.origin]), 'origin', 'package.deleted');
    const ips = await this.lastFields(em, unique(removed.map((e) => str(e.payload.hostId))), async (ids) => (await em.find(MecHost, { id: { $in: ids } }, { fields: ['id', 'ip'] })).map((h) => [h.id, h.ip]), 'ip', 'host.');
    const body: PackageStaleRecords = { appPackageStaleRec: [], appPackageHostStaleRec: [] };
    for (const e of events) {
      if (e.topic === 'package.deleted' && isMepm(e.payload.origin)) {
        body.appPackageStaleRec.push({ appPackageId: str(e.payload.id), tenantId: str(e.payload.tenantId) });
      } else if (e.topic === 'distribution.deleted' && isMepm(origins.get(str(e.payload.packageId)))) {
        body.appPackageHostStaleRec.push({ packageId: str(e.payload.packageId), tenantId: str(e.payload.tenantId), hostIp: ips.get(str(e.payload.hostId)) ?? '' });
      }
    }
    return { body, end };
  }

  private async window(em: EntityManager, after: bigint, topics: EventTopic[], tenantId: string | null): Promise<{ events: LoggedEvent[]; end: bigint }> {
    const events = await this.reader.read({ after, topics, limit: WINDOW, tenantId: tenantId ?? undefined }, em);
    return { events, end: events.at(-1)?.seq ?? after };
  }

  /**
   * `field` of each id: as `current` reads it from the rows, or for rows gone since, from the last event about them
   * whose topic starts with `topicPrefix` (its snapshot holds the field).
   */
  private async lastFields(em: EntityManager, ids: string[], current: (ids: string[]) => Promise<[string, string][]>, field: 'origin' | 'ip', topicPrefix: string): Promise<Map<string, string>> {
    const out = new Map(ids.length ? await current(ids) : []);
    for (const id of ids.filter((i) => !out.has(i))) {
      const [last] = await em
        .getConnection()
        .execute<{ value: string | null }[]>('select payload->>? as value from event where subject_id = ? and starts_with(topic, ?) order by seq desc limit 1', [field, id, topicPrefix], 'all', em.getTransactionContext());
      if (last?.value) out.set(id, last.value);
    }
    return out;
  }
}

/** The subjects of `events`, each once, in the order they first changed. */
const subjects = (events: readonly LoggedEvent[]): string[] => unique(events.map((e) => e.subjectId).filter((s): s is string => s !== null));

/** `rows` in the order of `ids` (rows gone or filtered out are simply absent). */
function inOrder<T extends { id: string }>(ids: readonly string[], rows: readonly T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is T => r !== undefined);
}
