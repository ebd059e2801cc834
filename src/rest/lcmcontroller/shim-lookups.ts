import { isAdmin } from '../../auth/principal.js';
import type { MecHost } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { HostService } from '../../services/host.service.js';
import type { RequestContext } from '../../services/request-context.js';
import { checkIpv4, isUuid } from '../../services/validation.js';
import { ShimError } from './envelope.js';
import { RetCode } from './ret-codes.js';

export const HOST_NOT_FOUND = 'Mec host info record does not exist in database';
export const INSTANCE_NOT_FOUND = 'App info record does not exist in database';

/** An app instance id of a path: a lower-case UUID, as the original's validator (400 31035 otherwise). */
export function checkInstanceId(id: string): string {
  if (!isUuid(id) || id !== id.toLowerCase()) throw badInput('appInstanceId', 'App instance is invalid');
  return id;
}

/** A host ip as the original checks it (IPv4), refused under `field` (each route names its text for it). */
export const checkHostIp = (ip: unknown, field = 'hostIp'): string => checkIpv4(typeof ip === 'string' ? ip : '', field);

/**
 * The host with this ip as the path's tenant sees it: its own, else a shared (admin-registered) one. Never another
 * tenant's: the original fell back to any tenant's host with the ip (§9A 18). Without a tenant (row 4) every host
 * the caller may read counts. Not found is 404 `Mec host info record does not exist in database`.
 */
export async function hostByIp(ctx: RequestContext, hosts: HostService, ip: string, tenantId?: string): Promise<MecHost> {
  const page = await hosts.list(ctx, { first: 100, filter: { ip } });
  const owner = tenantId ?? (isAdmin(ctx.principal) ? undefined : ctx.principal.tenantId);
  const host = page.nodes.find((h) => owner !== undefined && h.tenantId === owner) ?? page.nodes.find((h) => h.tenantId === null) ?? (owner === undefined ? page.nodes[0] : undefined);
  if (!host) throw new ShimError(404, RetCode.NOT_FOUND_IN_DB, HOST_NOT_FOUND);
  return host;
}

/** Runs `read`; a NOT_FOUND it throws becomes the original's answer for the missing record. */
export async function orMissing<T>(read: Promise<T>, status: number, retCode: RetCode, message: string): Promise<T> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) throw new ShimError(status, retCode, message);
    throw e;
  }
}
