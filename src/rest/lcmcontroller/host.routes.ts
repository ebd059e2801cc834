import { type Request, Router } from 'express';
import { isAdmin } from '../../auth/principal.js';
import { translateDbError } from '../../db/db-errors.js';
import { HostConfigStatus, type MecHost } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { HostFilter, HostService } from '../../services/host.service.js';
import type { HostFields, HwCapabilityData } from '../../services/host.validation.js';
import type { RequestContext } from '../../services/request-context.js';
import { checkIpv4 } from '../../services/validation.js';
import { sendFailure, sendRaw, type FailureSpec } from './envelope.js';
import { callerOrigin, READERS, WRITERS, type ShimAuthDeps } from './lcm-auth.js';
import { Message, RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';

export interface HostRoutesDeps extends ShimAuthDeps {
  hosts: HostService;
  maxPageSize: number;
}

/** The original's `MecHostInfo` (applcm-original.md §1.5). */
export interface MecHostInfo {
  mechostIp: string;
  mechostName: string;
  zipCode: string;
  city: string;
  address: string;
  affinity: string;
  userName: string;
  tenantId: string;
  configUploadStatus: string;
  coordinates: string;
  vim: string;
  origin: string;
  hwcapabilities: HwCapabilityData[] | null;
}

const HOST_NOT_FOUND = 'Mec host info record does not exist in database';

/** The original's texts for each host field; our own message would name the same field in other words. */
const HOST_FAILURES: FailureSpec = {
  fields: {
    ip: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid' },
    name: { retCode: RetCode.BAD_REQUEST, message: 'Mec host name is invalid' },
    zipCode: { retCode: RetCode.BAD_REQUEST, message: 'Zipcode is invalid' },
    city: { retCode: RetCode.BAD_REQUEST, message: 'City is invalid' },
    address: { retCode: RetCode.BAD_REQUEST, message: 'Address is invalid' },
    affinity: { retCode: RetCode.BAD_REQUEST, message: 'Affinity is invalid' },
    coordinates: { retCode: RetCode.BAD_REQUEST, message: 'Coordinates is invalid' },
    vim: { retCode: RetCode.BAD_REQUEST, message: 'Vim is invalid' },
    origin: { retCode: RetCode.ORIGIN_INVALID, message: 'Origin is invalid' },
    hwCapabilities: { retCode: RetCode.BAD_REQUEST, message: 'Hardware capabilities are invalid' },
    hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid from url' },
  },
  codes: {
    [ErrorCode.NOT_FOUND]: { status: 404, retCode: RetCode.NOT_FOUND_IN_DB, message: HOST_NOT_FOUND },
    [ErrorCode.QUOTA_EXCEEDED]: { status: 403, retCode: RetCode.PACKAGE_NUM_UP_TO_MAX, message: 'Maximum number of host records are exceeded' },
  },
};

export function toMecHostInfo(h: MecHost): MecHostInfo {
  return {
    mechostIp: h.ip,
    mechostName: h.name,
    zipCode: h.zipCode,
    city: h.city,
    address: h.address,
    affinity: h.affinity,
    userName: '',
    tenantId: h.tenantId ?? '',
    configUploadStatus: h.configStatus === HostConfigStatus.UPLOADED ? 'Uploaded' : '',
    coordinates: h.coordinates,
    vim: h.vim,
    origin: h.origin,
    hwcapabilities: h.hwCapabilities.length ? h.hwCapabilities.map((c) => ({ hwType: c.hwType, hwVendor: c.hwVendor, hwModel: c.hwModel })) : null,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unmarshal = () => badInput('body', Message.UNMARSHAL_FAILED);

/** A JSON string field as Go unmarshals it: absent or null is "", any other type fails the whole body. */
function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw unmarshal();
  return v;
}

/**
 * The body of add/update as the original reads it: every field is written (absent means empty), `tenantId` and
 * `configUploadStatus` are ignored, unknown fields too. An empty `vim` is the original's k8s; an empty `origin` is
 * the `origin` header's, else MEO.
 */
function parseHostInfo(req: Request): HostFields {
  const body: unknown = req.body;
  if (!isRecord(body)) throw unmarshal();
  const caps = body.hwcapabilities;
  if (caps !== undefined && caps !== null && !Array.isArray(caps)) throw unmarshal();
  const hwCapabilities = (caps ?? []).map((c: unknown) => {
    if (!isRecord(c)) throw unmarshal();
    return { hwType: str(c, 'hwType'), hwVendor: str(c, 'hwVendor'), hwModel: str(c, 'hwModel') };
  });
  return {
    ip: str(body, 'mechostIp'),
    name: str(body, 'mechostName'),
    zipCode: str(body, 'zipCode'),
    city: str(body, 'city'),
    address: str(body, 'address'),
    affinity: str(body, 'affinity'),
    coordinates: str(body, 'coordinates'),
    vim: str(body, 'vim') || 'k8s',
    origin: str(body, 'origin') || callerOrigin(req) || 'MEO',
    hwCapabilities,
  };
}

/** Every page of a host listing (a tenant has at most its quota of hosts; an admin may see many tenants'). */
async function listAll(ctx: RequestContext, hosts: HostService, pageSize: number, filter?: HostFilter): Promise<MecHost[]> {
  const out: MecHost[] = [];
  for (let after: string | null = null; ; ) {
    const page = await hosts.list(ctx, { first: pageSize, after, filter });
    out.push(...page.nodes);
    if (!page.hasNextPage) return out;
    after = page.endCursor;
  }
}

/** The host with this ip that the caller registers into: an admin's are shared, a tenant's its own. */
async function ownHostByIp(ctx: RequestContext, hosts: HostService, ip: string): Promise<MecHost | undefined> {
  const page = await hosts.list(ctx, { first: 1, filter: { ip, tenantId: isAdmin(ctx.principal) ? null : ctx.principal.tenantId } });
  return page.nodes[0];
}

/** Concurrent writers of one host each lose at most once per winner before them; a short jitter spreads them. */
const UPSERT_ATTEMPTS = 10;

/**
 * Add-or-update by ip, as the original's POST and PUT: a second call with the same ip updates (so appo's re-sent
 * POSTs are harmless). Hardware capabilities are merged by type, never removed, as the original upserts them.
 */
async function upsertHost(ctx: RequestContext, hosts: HostService, fields: HostFields): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const existing = await ownHostByIp(ctx, hosts, checkIpv4(fields.ip ?? '', 'ip'));
    try {
      if (!existing) {
        await hosts.register(ctx, { ...fields, ip: fields.ip!, name: fields.name! });
        return;
      }
      const given = new Set(fields.hwCapabilities?.map((c) => c.hwType));
      const hwCapabilities = [...existing.hwCapabilities.filter((c) => !given.has(c.hwType)), ...(fields.hwCapabilities ?? [])];
      const { ip: _ip, ...rest } = fields;
      await hosts.update(ctx, existing.id, { ...rest, hwCapabilities });
      return;
    } catch (e) {
      // A concurrent add of the same ip won the insert, or a concurrent update changed the row: as the original's
      // upsert, the last write wins, so read the row again and write once more.
      const known = e instanceof DomainError ? e : translateDbError(e);
      if (attempt < UPSERT_ATTEMPTS - 1 && known?.code === ErrorCode.CONFLICT && !known.details.reason) {
        ctx.em.clear();
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
        continue;
      }
      throw e;
    }
  }
}

/**
 * The MEC host routes of the original (§1.5) on the same HostService as GraphQL. Every lookup is scoped to the
 * caller (the original fell back to any tenant's host with the ip, §9A 18).
 */
export function hostRoutes(d: HostRoutesDeps): Router {
  const router = Router();
  const hostsPath = '/v1/tenants/:tenantId/hosts';

  const addOrUpdate = shimRoute(d, { policy: WRITERS, failures: HOST_FAILURES }, async (ctx, req, res) => {
    await upsertHost(ctx, d.hosts, parseHostInfo(req));
    sendRaw(res, null);
  });
  router.post(hostsPath, addOrUpdate);
  router.put(hostsPath, addOrUpdate);

  const list = (scoped: boolean) =>
    shimRoute(d, { policy: READERS, failures: HOST_FAILURES }, async (ctx, req, res) => {
      const tenantId = req.params.tenantId;
      // An admin reading a tenant's list sees that tenant's hosts and the shared ones, as the original.
      const rows =
        scoped && isAdmin(ctx.principal) && typeof tenantId === 'string'
          ? [...(await listAll(ctx, d.hosts, d.maxPageSize, { tenantId: null })), ...(await listAll(ctx, d.hosts, d.maxPageSize, { tenantId }))]
          : await listAll(ctx, d.hosts, d.maxPageSize);
      if (rows.length === 0) {
        sendFailure(res, new DomainError(ErrorCode.NOT_FOUND, Message.RECORDS_DO_NOT_EXIST), { codes: { [ErrorCode.NOT_FOUND]: { status: 404, retCode: RetCode.RECORD_NOT_EXIST } } }, d.log);
        return;
      }
      sendRaw(res, rows.map(toMecHostInfo));
    });
  router.get(hostsPath, list(true));
  router.get('/v1/hosts', list(false));

  router.delete(
    `${hostsPath}/:hostIp`,
    shimRoute(d, { policy: WRITERS, failures: { ...HOST_FAILURES, codes: { ...HOST_FAILURES.codes, [ErrorCode.CONFLICT]: { status: 409, retCode: RetCode.DELETE_DATA_FAILED } } } }, async (ctx, req, res) => {
      const ip = checkIpv4(String(req.params.hostIp), 'hostIp');
      const tenantId = String(req.params.tenantId);
      // The tenant's own host with this ip; for an admin also the shared one (the original's admin hosts).
      const page = await d.hosts.list(ctx, { first: 1, filter: { ip, tenantId } });
      const host = page.nodes[0] ?? (isAdmin(ctx.principal) ? await ownHostByIp(ctx, d.hosts, ip) : undefined);
      if (!host) throw new DomainError(ErrorCode.NOT_FOUND, HOST_NOT_FOUND);
      await d.hosts.delete(ctx, host.id);
      sendRaw(res, null);
    }),
  );

  return router;
}
