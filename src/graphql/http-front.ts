import type http from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { execute, GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { observeRequest } from '../http-observe.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { executionErrors, formatErrors, resultBody, singleResultContentType, type FormatError } from './apollo-compat.js';
import { rootFieldOf } from './apollo.js';
import type { GraphQLContext } from './context.js';
import type { HttpContextFactory } from './http-context.js';
import { asGraphQLError } from './jit-executor.js';
import type { Limits } from './limits.js';
import { PreparedOperations, type PreparedOperation } from './prepared-operations.js';

export interface GraphqlFrontDeps {
  schema: GraphQLSchema;
  limits: Limits;
  apollo: ApolloServer<GraphQLContext>;
  context: HttpContextFactory;
  formatError: FormatError;
  metrics: Metrics;
  log: Logger;
  bodyLimitBytes: number;
  /** False once the server drains: requests then take the ordinary way, to Apollo Server's answers while it stops. */
  accepting: () => boolean;
}

/** Takes a request (true) or leaves it to the express app (false), deciding before reading anything. */
export type GraphqlFront = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** JSON in UTF-8, the only body the fast path reads (express.json() reads more: other charsets, compressed bodies). */
const JSON_BODY = /^application\/json\s*(?:;\s*charset\s*=\s*("?)utf-8\1\s*)?$/i;

type Body = Record<string, unknown>;
const isRecord = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

const sentTypes = new Map<string, string>();

/**
 * A content type as express's res.send() sent it with a text answer: its parameter names in lower case and sorted,
 * with charset=utf-8 (content-type's format), e.g. `application/json; callbackspec=1.0; charset=utf-8`.
 */
function sentContentType(type: string): string {
  let sent = sentTypes.get(type);
  if (sent === undefined) {
    const [essence, ...params] = type.split(';').map((p) => p.trim());
    const named = new Map(params.filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')).toLowerCase(), p.slice(p.indexOf('=') + 1)] as const));
    named.set('charset', 'utf-8');
    sent = [essence!.toLowerCase(), ...[...named].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`)].join('; ');
    // The types sent are Apollo Server's few; the map stays small.
    if (sentTypes.size < 32) sentTypes.set(type, sent);
  }
  return sent;
}

/** The express app's answer to a body that is not JSON (server.ts onError). */
const NOT_JSON = JSON.stringify({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });

/**
 * `POST /graphql` without express and without Apollo Server's request pipeline, for the requests they would answer
 * by executing one operation: a JSON body with a `query` whose document parses, validates, resolves its operation and
 * is within the cost limit. Such a request is read, authenticated, executed (graphql-jit, compiled once per document:
 * prepared-operations.ts) and answered here, with what Apollo Server would answer: the same context and errors
 * (formatError, codes, HTTP statuses: apollo-compat.ts), content type, metrics and correlation id. Everything else
 * goes the ordinary way: requests the front declines before reading them to the express app; requests it has read
 * (other body shapes, persisted queries, documents with errors, unauthenticated callers, queries over the cost limit,
 * unacceptable Accept headers) to Apollo Server with the body and the context already made, so that their answers
 * are Apollo Server's own. The difference: the express app's answers carried an ETag, these do not (a POST answer is
 * never revalidated).
 */
export function graphqlFront(d: GraphqlFrontDeps): GraphqlFront {
  const prepared = new PreparedOperations(d.schema, d.limits, d.limits.jit);

  const send = (res: http.ServerResponse, status: number, headers: Iterable<[string, string]>, body: string) => {
    res.statusCode = status;
    for (const [k, v] of headers) res.setHeader(k, k === 'content-type' ? sentContentType(v) : v);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };

  /** Apollo Server's answer, as the express integration writes it. */
  const viaApollo = async (req: http.IncomingMessage, res: http.ServerResponse, body: unknown, context: () => Promise<GraphQLContext>) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const answer = await d.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: 'POST', headers, search: '', body }, context });
    if (answer.body.kind === 'complete') return send(res, answer.status || 200, answer.headers, answer.body.string);
    res.statusCode = answer.status || 200;
    for (const [k, v] of answer.headers) res.setHeader(k, v);
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };

  /** One prepared operation executed, answered as Apollo Server answers it (requestPipeline.js after execution). */
  const run = async (res: http.ServerResponse, p: PreparedOperation, ctx: GraphQLContext, variables: Body | undefined, contentType: string) => {
    const end = d.metrics.graphqlDuration.startTimer({ transport: 'http' });
    let result: ExecutionResult;
    let errors: GraphQLError[] | undefined;
    try {
      if (p.compiled) {
        result = await p.compiled.query(undefined, ctx, variables ?? {});
        errors = result.errors && executionErrors(result.errors.map(asGraphQLError));
      } else {
        result = await execute({ schema: d.schema, document: p.document, contextValue: ctx, variableValues: variables, operationName: p.operation.name?.value });
        errors = result.errors && executionErrors(result.errors);
      }
    } catch (e) {
      // Execution itself failed (not a field): Apollo Server answers the error alone, 500 unless it says otherwise.
      const error = e instanceof GraphQLError ? e : new GraphQLError(e instanceof Error ? e.message : String(e), { originalError: e instanceof Error ? e : undefined });
      const { formatted, http } = formatErrors([error], d.formatError);
      end({ operation_type: p.operation.operation, root_field: rootFieldOf(p.operation), outcome: 'error' });
      return send(res, http.status ?? 500, [...http.headers, ['content-type', contentType]], resultBody({ errors: formatted }));
    }
    const { formatted, http } = errors ? formatErrors(errors, d.formatError) : { formatted: undefined, http: { status: undefined, headers: new Map<string, string>() } };
    // Variables that do not coerce: nothing executed, 400 (Apollo Server's status400ForVariableCoercionErrors).
    if (errors?.length && result.data === undefined && !http.status) http.status = 400;
    end({ operation_type: p.operation.operation, root_field: rootFieldOf(p.operation), outcome: errors?.length ? 'error' : 'ok' });
    if (!http.headers.has('content-type')) http.headers.set('content-type', contentType);
    send(res, http.status ?? 200, http.headers, resultBody({ errors: formatted, data: result.data, extensions: result.extensions }));
  };

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, text: string, caller: Promise<GraphQLContext>) => {
    // express.json(): an empty body is an empty object, a body must start with an object or an array.
    let body: unknown = {};
    try {
      if (text !== '') {
        const first = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/.exec(text)?.[1];
        if (first !== '{' && first !== '[') throw new SyntaxError('strict violation');
        body = JSON.parse(text);
      }
    } catch {
      return send(res, 400, [['content-type', 'application/json; charset=utf-8']], NOT_JSON);
    }
    let ctx: GraphQLContext;
    try {
      ctx = await caller;
    } catch (e) {
      // Unauthenticated: Apollo Server answers with the context's error, as when its context function throws.
      const error = e instanceof Error ? e : new Error(String(e));
      return viaApollo(req, res, body, () => Promise.reject(error));
    }
    const context = () => Promise.resolve(ctx);
    if (!isRecord(body) || typeof body.query !== 'string' || body.query === '') return viaApollo(req, res, body, context);
    const { query, variables, operationName, extensions } = body;
    if ((variables != null && !isRecord(variables)) || (operationName != null && typeof operationName !== 'string')) return viaApollo(req, res, body, context);
    if (extensions != null && (!isRecord(extensions) || extensions.persistedQuery)) return viaApollo(req, res, body, context);
    const contentType = singleResultContentType(req.headers.accept);
    const p = contentType === null ? null : prepared.get(query, operationName ?? undefined);
    if (!p || !prepared.costWithinLimit(p, variables ?? undefined)) return viaApollo(req, res, body, context);
    await run(res, p, ctx, variables ?? undefined, contentType!);
  };

  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/graphql' || !d.accepting()) return false;
    const h = req.headers;
    const length = Number(h['content-length']);
    if (!JSON_BODY.test(h['content-type'] ?? '') || h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return false;
    if (!Number.isInteger(length) || length <= 0 || length > d.bodyLimitBytes) return false;

    const correlationId = observeRequest(d.metrics, req, res, '/graphql');
    const caller = d.context(h, correlationId);
    // Settled by answer(); a request cut off before its body never gets there.
    caller.catch(() => undefined);
    const fail = (e: unknown) => {
      d.log.error({ err: e, correlationId }, 'unhandled HTTP error');
      if (res.headersSent) return void res.destroy();
      send(res, 500, [['content-type', 'application/json; charset=utf-8']], JSON.stringify({ errors: [{ message: `Internal server error (correlation id ${correlationId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } }] }));
    };
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
    });
    req.once('error', () => {
      // Cut off mid-body: express.json() answered 400, to a caller that is gone.
      if (!res.headersSent) send(res, 400, [['content-type', 'application/json; charset=utf-8']], NOT_JSON);
    });
    req.once('end', () => {
      let text = Buffer.concat(chunks, received).toString('utf8');
      // express.json() decodes with iconv-lite, which drops a byte order mark.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      answer(req, res, text, caller).catch(fail);
    });
    return true;
  };
}
