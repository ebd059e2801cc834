import { isIP } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { isAdmin, type Principal } from '../../auth/principal.js';
import type { TokenVerifier } from '../../auth/token-verifier.js';
import { Role } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { RequestContext } from '../../services/request-context.js';
import { NAME_RE } from '../../services/validation.js';
import { restContext } from '../rest-context.js';
import { Message } from './ret-codes.js';

export interface ShimAuthDeps {
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
}

/**
 * Who may call a route, as the original's permission helpers decide it (applcm-original.md §1.0, §3.1).
 * Unlike the original, a token is required and always verified (§9A 1), except in the open mode below.
 */
export interface AccessPolicy {
  roles: readonly Role[];
  /**
   * The token's tenant must be the path's `:tenantId` (admins may act on any tenant). The original bound only some
   * routes; the shim binds every route with a tenant in its path (§9A 18: no cross-tenant reads).
   */
  tenantBound: boolean;
  /** The original's `ValidateTokenAndCredentials`/`GetClientIpNew` answer 401 for every failure, a guest too. */
  only401?: boolean;
  /**
   * The original's open mode (`APPLCM_SHIM_ALLOW_UNSIGNED`), set only on routes where the original checked no token
   * at all (§1.1 "none"): a request without a token, or with one that does not verify, is served as the anonymous
   * caller. Its claims are never read: an unsigned token grants nothing a missing one would not.
   */
  open?: boolean;
}

/** `IsPermitted`: tenants and admins; a guest is 403. */
export const WRITERS: AccessPolicy = { roles: [Role.TENANT, Role.ADMIN], tenantBound: true };
/** `ValidateTokenAndCredentials`: every role reads; any failure is 401. */
export const READERS: AccessPolicy = { roles: [Role.TENANT, Role.GUEST, Role.ADMIN], tenantBound: true, only401: true };

/** Lower-case UUIDs only, as the original's validator. */
const TENANT_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Who calls in the open mode: no tenant and no role of its own; routes that serve it decide what it sees. */
const ANONYMOUS: Principal = Object.freeze({ userId: '', userName: 'anonymous', role: Role.GUEST, tenantId: '' });

export const isAnonymous = (p: Principal): boolean => p === ANONYMOUS;

const unauthorized = (why: string) => new DomainError(ErrorCode.UNAUTHENTICATED, Message.AUTHORIZATION_FAILED, { reason: why });

/**
 * The client address as the original reads it: the first element of `X-Forwarded-For`, else the peer. It must be an
 * IP address (400 `clientIp address is invalid` otherwise); it is only logged.
 */
export function clientIp(req: Request): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : (req.socket.remoteAddress ?? '');
  if (isIP(first) === 0) throw badInput('clientIp', Message.CLIENT_IP_INVALID);
  return first;
}

/** The path's `:tenantId`, checked as the original does before anything else (400 `Tenant id is invalid`). */
export function checkTenantId(tenantId: string): string {
  if (!TENANT_RE.test(tenantId)) throw badInput('tenantId', Message.TENANT_ID_INVALID);
  return tenantId;
}

/**
 * The caller's request context under `policy`: client address, tenant id syntax, then the token from `access_token`
 * (or `Authorization: Bearer`), its role and tenant. Token failures are 401 `Authorization failed`; a role the route
 * refuses is 403 `forbidden` for a guest (401 where the original makes no difference), 401 otherwise.
 */
export async function authorize(req: Request, policy: AccessPolicy, deps: ShimAuthDeps): Promise<RequestContext> {
  clientIp(req);
  const tenantId = typeof req.params.tenantId === 'string' ? checkTenantId(req.params.tenantId) : undefined;
  let ctx: RequestContext;
  try {
    ctx = await restContext(req, deps);
  } catch (e) {
    if (policy.open && e instanceof DomainError) return anonymousContext(req, deps);
    // The original's edge-local `name`/`key` headers are not taken for a token: without one the request is refused.
    throw e instanceof DomainError ? unauthorized(e.message) : e;
  }
  const { principal } = ctx;
  if (!policy.roles.includes(principal.role)) {
    if (principal.role === Role.GUEST && !policy.only401) throw new DomainError(ErrorCode.FORBIDDEN, Message.FORBIDDEN);
    throw unauthorized(`role ${principal.role} may not call this route`);
  }
  // The original answers a foreign tenant with 401 ("Illegal TenantId"), not 403.
  if (policy.tenantBound && tenantId !== undefined && !isAdmin(principal) && tenantId !== principal.tenantId) {
    throw unauthorized('the tenant in the path is not the token’s');
  }
  return ctx;
}

function anonymousContext(req: Request, deps: ShimAuthDeps): RequestContext {
  return { principal: ANONYMOUS, accessToken: '', em: deps.orm.em.fork(), correlationId: req.correlationId, log: deps.log.child({ correlationId: req.correlationId, anonymous: true }) };
}

/**
 * The `origin` header appo sends (`origin: MEO`): who is calling, recorded on what the request creates. A value that
 * is not a plain name (a browser's `https://…` origin) is not an orchestrator's origin and is ignored.
 */
export function callerOrigin(req: Request): string | undefined {
  const v = req.headers.origin;
  return typeof v === 'string' && v.length > 0 && v.length <= 128 && NAME_RE.test(v) ? v.toUpperCase() : undefined;
}
