import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { type DocumentNode, type ExecutionResult, GraphQLError, type GraphQLSchema, printSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Fields = Record<string, unknown>;
export type Compiled = CompiledQuery<Fields, Fields>;

/** Compiled operations kept; a client sending endless distinct documents only evicts the oldest. */
export const JIT_CACHE_SIZE = 1000;

/**
 * Executes HTTP operations with graphql-jit: each validated document is compiled once into a function that resolves
 * exactly its selection, where graphql-js walks the selection and coerces arguments for every field of every row
 * (most of the CPU of a large page). Apollo still parses, validates, runs the plugins (limits, cost, metrics) and
 * formats errors; graphql-jit plugs in through Apollo's gateway executor, the one supported way to replace execution.
 * Subscriptions (graphql-ws) keep graphql-js.
 */
export function jitGateway(schema: GraphQLSchema, cacheSize = JIT_CACHE_SIZE): GatewayInterface {
  const compiled = new Map<string, Compiled>();

  const compiledFor = (hash: string, operationName: string | null, document: DocumentNode): Compiled | ExecutionResult => {
    const key = `${hash}\u0000${operationName ?? ''}`;
    const hit = compiled.get(key);
    if (hit) {
      // Map order is insertion order: re-inserting keeps the most recently used last (LRU).
      compiled.delete(key);
      compiled.set(key, hit);
      return hit;
    }
    const made = compileOperation(schema, document, operationName);
    if (!isCompiledQuery(made)) return made;
    compiled.set(key, made);
    if (compiled.size > cacheSize) compiled.delete(compiled.keys().next().value!);
    return made;
  };

  const executor: GatewayExecutor = async (rc) => {
    const query = compiledFor(rc.queryHash, rc.operationName, rc.document);
    if (!isCompiledQuery(query)) return query as Awaited<ReturnType<GatewayExecutor>>;
    const result = await query.query(undefined, rc.context, rc.request.variables ?? {});
    return (result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result) as Awaited<ReturnType<GatewayExecutor>>;
  };

  return {
    load: () => Promise.resolve({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}

/** One operation of a validated document compiled by graphql-jit, or the errors that prevented it. */
export function compileOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Compiled | ExecutionResult {
  return compileQuery<Fields, Fields>(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
}

/**
 * graphql-jit's errors have no `extensions` unless the thrown error had some, and Apollo reads `extensions.code` of
 * every error: each becomes a graphql-js GraphQLError with the same message, locations, path and original error, so
 * the error formatter sees what graphql-js would have given it.
 */
export function asGraphQLError(e: GraphQLError): GraphQLError {
  const made = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions ?? (e.path ? undefined : { code: 'BAD_USER_INPUT' }) });
  Object.defineProperty(made, 'locations', { value: e.locations, enumerable: !!e.locations?.length });
  return made;
}
