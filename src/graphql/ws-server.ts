import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal.js';
import { subscribeShared } from '../events/shared-execution.js';
import { tokenFromConnectionParams, type TokenVerifier } from '../auth/token-verifier.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { DomainError, ErrorCode } from '../errors.js';
import { rootFieldOf } from './apollo.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter, stripSuggestions } from './format-error.js';
import { costError, limitRules, type Limits } from './limits.js';

export interface WsDeps {
  schema: GraphQLSchema;
  httpServer: http.Server;
  path: string;
  limits: Limits;
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
  metrics: Metrics;
}

interface WsExtra extends Record<PropertyKey, unknown> {
  principal: Principal;
  accessToken?: string;
  /** The tenant this connection is counted against (see the per-tenant cap). */
  countedTenant?: string;
}

const validationError = (message: string) => new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

/**
 * graphql-ws on the HTTP server's port. Apollo's plugins do not run here, so the same authentication, limits,
 * error masking and metrics are applied in the graphql-ws hooks.
 */
export function createWsServer(d: WsDeps): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: d.httpServer, path: d.path, maxPayload: d.limits.wsMaxPayloadBytes });
  const formatError = createErrorFormatter(d.log);
  const rules = [...specifiedRules, ...limitRules(d.limits), ...(d.limits.introspection ? [] : [NoSchemaIntrospectionCustomRule])];

  // Connections per tenant (S9): one tenant cannot hold every socket the server can take.
  const connections = new Map<string, number>();
  const release = (tenant: string | undefined) => {
    if (tenant === undefined) return;
    const n = (connections.get(tenant) ?? 1) - 1;
    if (n <= 0) connections.delete(tenant);
    else connections.set(tenant, n);
  };

  wss.on('connection', (socket) => {
    d.metrics.wsConnections.inc();
    socket.once('close', () => d.metrics.wsConnections.dec());
  });

  const server = useServer<Record<string, unknown>, WsExtra>(
    {
      schema: d.schema,
      // Subscribers asking the same with the same rights share one execution per event (fan-out to thousands).
      subscribe: subscribeShared,
      connectionInitWaitTimeout: d.limits.wsInitTimeoutMs,
      isProd: true,
      // Returning false closes the socket with 4403 Forbidden: no subscription without a valid token.
      onConnect: async (ctx) => {
        try {
          const token = tokenFromConnectionParams(ctx.connectionParams);
          ctx.extra.principal = await d.verifier.verify(token);
          ctx.extra.accessToken = token ?? '';
        } catch {
          d.metrics.authFailures.inc({ transport: 'ws' });
          return false;
        }
        const tenant = ctx.extra.principal.tenantId;
        const held = connections.get(tenant) ?? 0;
        if (held >= d.limits.wsMaxConnectionsPerTenant) {
          d.log.warn({ tenant, limit: d.limits.wsMaxConnectionsPerTenant }, 'graphql-ws connection refused: too many connections for the tenant');
          ctx.extra.socket.close(4429, `too many connections for this tenant (at most ${d.limits.wsMaxConnectionsPerTenant})`);
          return false;
        }
        connections.set(tenant, held + 1);
        ctx.extra.countedTenant = tenant;
        return true;
      },
      onClose: (ctx) => {
        release(ctx.extra.countedTenant);
        ctx.extra.countedTenant = undefined;
      },
      onSubscribe: (ctx, _id, payload) => {
        // The one being subscribed is already listed (S9: one connection cannot open thousands).
        if (Object.keys(ctx.subscriptions).length > d.limits.wsMaxSubscriptionsPerConnection) {
          const limit = d.limits.wsMaxSubscriptionsPerConnection;
          const refusal = new DomainError(ErrorCode.RATE_LIMITED, `too many subscriptions on this connection (at most ${limit}); complete one or open another connection`, { limit });
          return [new GraphQLError(refusal.message, { originalError: refusal })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: d.limits.maxTokens });
        } catch (e) {
          return [e instanceof GraphQLError ? new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : validationError('invalid query')];
        }
        const errors = validate(d.schema, document, rules);
        if (errors.length > 0) {
          return errors.map((e) => validationError(d.limits.introspection ? e.message : stripSuggestions(e.message)));
        }
        const cost = costError(d.schema, document, payload.variables ?? undefined, payload.operationName, d.limits.maxCost);
        if (cost) return [cost];
        const principal = ctx.extra.principal;
        if (!principal) return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        const contextValue: GraphQLContext = {
          principal,
          accessToken: ctx.extra.accessToken ?? '',
          em: d.orm.em.fork(),
          correlationId: randomUUID(),
          log: d.log.child({ transport: 'ws', tenant: principal.tenantId }),
        };
        const op = document.definitions.find((x): x is OperationDefinitionNode => x.kind === Kind.OPERATION_DEFINITION);
        d.metrics.wsOperations.inc({ operation_type: op?.operation ?? 'unknown', root_field: rootFieldOf(op) });
        return { schema: d.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
      // An error thrown by a subscription's source stream (SLOW_CONSUMER, the database going away) arrives wrapped
      // without a path; the original keeps its code.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e.path === undefined && e.originalError ? e.originalError : e)),
    },
    wss,
  );

  return {
    async close() {
      // Closes every socket with 1001 (going away); clients reconnect to another replica.
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
