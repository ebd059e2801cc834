import type http from 'node:http';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { tokenFromHeaders, type TokenVerifier } from '../auth/token-verifier.js';
import { isDomainError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { GraphQLContext } from './context.js';

export interface HttpContextDeps {
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
  metrics: Metrics;
}

/** Builds the context of a GraphQL request over HTTP from its headers; rejects with the answer to an unauthenticated one. */
export type HttpContextFactory = (headers: http.IncomingHttpHeaders, correlationId: string) => Promise<GraphQLContext>;

/**
 * The caller comes from the request's token (UNAUTHENTICATED, HTTP 401, when it does not verify). The unit of work and
 * the request's logger are made when a resolver first asks for them: a read that runs plain SQL needs neither, and
 * forking an EntityManager and a child logger cost more than the rest of a small request's context. Both are own
 * properties, so a copy of the context (`{ ...ctx, em }`) carries them.
 */
export function httpContextFactory(d: HttpContextDeps): HttpContextFactory {
  return async (headers, correlationId) => {
    let accessToken: string | undefined;
    let principal: GraphQLContext['principal'];
    try {
      accessToken = tokenFromHeaders(headers);
      principal = await d.verifier.verify(accessToken);
    } catch (e) {
      d.metrics.authFailures.inc({ transport: 'http' });
      const message = isDomainError(e) ? e.message : 'invalid access token';
      throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    let em: EntityManager | undefined;
    let log: Logger | undefined;
    return {
      principal,
      accessToken: accessToken ?? '',
      correlationId,
      get em() {
        return (em ??= d.orm.em.fork());
      },
      set em(value) {
        em = value;
      },
      get log() {
        return (log ??= d.log.child({ correlationId, tenant: principal.tenantId }));
      },
      set log(value) {
        log = value;
      },
    };
  };
}
