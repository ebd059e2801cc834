import type { MikroORM } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { isAdmin } from '../auth/principal.js';
import { tokenFromHeaders, type TokenVerifier } from '../auth/token-verifier.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RequestContext } from '../services/request-context.js';

/** Builds the request context of a REST call: the same token rules as GraphQL. */
export async function restContext(req: Request, deps: { verifier: TokenVerifier; orm: MikroORM; log: Logger }): Promise<RequestContext> {
  const accessToken = tokenFromHeaders(req.headers);
  const principal = await deps.verifier.verify(accessToken);
  return { principal, accessToken: accessToken ?? '', em: deps.orm.em.fork(), correlationId: req.correlationId, log: deps.log.child({ correlationId: req.correlationId, tenant: principal.tenantId }) };
}

/** The `{tenantId}` of a path must be the caller's own tenant, unless the caller is an admin. */
export function pathTenant(ctx: RequestContext, tenantId: string): string {
  if (!isAdmin(ctx.principal) && tenantId !== ctx.principal.tenantId) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'the tenant in the path is not yours', { field: 'tenantId' });
  }
  return tenantId;
}
