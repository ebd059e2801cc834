import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, Kind, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type http from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { GraphQLContext } from './context.js';
import type { FormatError } from './apollo-compat.js';
import { jitGateway } from './jit-executor.js';
import { costError, limitRules, type Limits } from './limits.js';

/** The first root field names the operation in metrics: bounded by the schema, unlike client operation names. */
export function rootFieldOf(op: OperationDefinitionNode | null | undefined): string {
  const first = op?.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : 'unknown';
}

function costPlugin(schema: GraphQLSchema, max: number): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ request, document }) {
          const err = costError(schema, document, request.variables, request.operationName, max);
          if (err) throw new GraphQLError(err.message, { extensions: { ...err.extensions, http: { status: 400 } } });
          return Promise.resolve();
        },
      });
    },
  };
}

function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      const end = metrics.graphqlDuration.startTimer({ transport: 'http' });
      return Promise.resolve({
        willSendResponse({ operation, errors }) {
          end({ operation_type: operation?.operation ?? 'unknown', root_field: rootFieldOf(operation), outcome: errors?.length ? 'error' : 'ok' });
          return Promise.resolve();
        },
      });
    },
  };
}

export interface ApolloDeps {
  schema: GraphQLSchema;
  /** Execute with graphql-jit (jit-executor.ts) instead of graphql-js. */
  jit: boolean;
  httpServer: http.Server;
  limits: Limits;
  production: boolean;
  log: Logger;
  metrics: Metrics;
  /** The one error formatter (format-error.ts), shared with the HTTP fast path. */
  formatError: FormatError;
  /** Runs when the server stops, after HTTP drained: closes the WebSocket side. */
  onStop: () => Promise<void>;
}

export function createApollo(d: ApolloDeps): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    ...(d.jit ? { gateway: jitGateway(d.schema) } : { schema: d.schema }),
    introspection: d.limits.introspection,
    // Field suggestions ("Did you mean …") reveal the schema; hide them whenever introspection is off.
    hideSchemaDetailsFromClientErrors: !d.limits.introspection,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // The process owns shutdown (cli.ts: drain, close the ORM and PGlite, exit 0). Apollo's own SIGINT/SIGTERM
    // handler would re-raise the signal as soon as Apollo alone had stopped, killing the process before the
    // database is closed and with a signal instead of exit code 0.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: d.limits.maxTokens },
    validationRules: limitRules(d.limits),
    formatError: d.formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: d.httpServer }),
      // No response is cacheable (every answer depends on the caller's token), and the cache-control plugin wraps
      // every field resolver to collect hints nobody reads: about a tenth of a list query's time.
      ApolloServerPluginCacheControlDisabled(),
      { serverWillStart: () => Promise.resolve({ drainServer: d.onStop }) },
      costPlugin(d.schema, d.limits.maxCost),
      metricsPlugin(d.metrics),
      ...(d.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
}
