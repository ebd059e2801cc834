import { createRequire } from 'node:module';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';

interface NegotiatorClass {
  new (request: { headers: { accept: string } }): { mediaType(available: string[]): string | undefined };
}
// The negotiator Apollo Server itself chooses content types with (its dependency, not ours): the same copy answers alike.
const requireFromApollo = createRequire(createRequire(import.meta.url).resolve('@apollo/server'));
const Negotiator = requireFromApollo('negotiator') as NegotiatorClass;

/**
 * Apollo Server 5's treatment of an executed operation's result, for the HTTP fast path (http-front.ts) to answer
 * exactly as Apollo Server does: the same error normalisation (requestPipeline.js, errorNormalize.js), status codes
 * and content type (runHttpQuery.js, ApolloServer.js). Kept to what a resolved, validated operation can meet.
 */

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface HttpHead {
  status?: number;
  headers: Map<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const JSON_CALLBACK_TYPE = 'application/json; callbackSpec=1.0; charset=utf-8';

/** Accept headers seen, and the content type each chooses (null: none acceptable, Apollo answers 406). */
const chosenTypes = new Map<string, string | null>();
const CHOSEN_TYPES_KEPT = 64;

/** The content type of a single result for an Accept header (chooseContentTypeForSingleResultResponse). */
export function singleResultContentType(accept: string | undefined): string | null {
  if (!accept) return JSON_TYPE;
  let chosen = chosenTypes.get(accept);
  if (chosen === undefined) {
    chosen = new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE, JSON_CALLBACK_TYPE]) ?? null;
    if (chosenTypes.size >= CHOSEN_TYPES_KEPT) chosenTypes.clear();
    chosenTypes.set(accept, chosen);
  }
  return chosen;
}

/** A variable's coercion error, which Apollo Server codes BAD_USER_INPUT (isBadUserInputGraphQLError). */
function isBadUserInput(e: GraphQLError): boolean {
  const node = e.nodes?.length === 1 ? e.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const v = `Variable "$${node.variable.name.value}" `;
  return [`${v}has invalid value`, `${v}got invalid value `, `${v}of required type `, `${v}of non-null type `].some((p) => e.message.startsWith(p));
}

/** Execution errors as Apollo Server hands them to formatting (UserInputError for variable errors without a code). */
export function executionErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((e) =>
    isBadUserInput(e) && e.extensions?.code == null
      ? new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError ?? e, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } })
      : e,
  );
}

const isHttpHead = (x: unknown): x is Partial<HttpHead> =>
  !!x && typeof x === 'object' && (!('status' in x) || typeof x.status === 'number') && (!('headers' in x) || x.headers instanceof Map);

/**
 * normalizeAndFormatErrors without stack traces: every error gets a code (INTERNAL_SERVER_ERROR when it has none), an
 * `http` extension moves into the response's status and headers, then the server's formatError runs (a formatter
 * that throws gives "Internal server error").
 */
export function formatErrors(errors: readonly unknown[], formatError: FormatError): { formatted: GraphQLFormattedError[]; http: HttpHead } {
  const http: HttpHead = { headers: new Map() };
  const enrich = (maybe: unknown): GraphQLFormattedError => {
    const error = maybe instanceof GraphQLError ? maybe : new GraphQLError(maybe instanceof Error ? maybe.message : `Unexpected error value: ${String(maybe)}`, { originalError: maybe instanceof Error ? maybe : undefined });
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
    if (isHttpHead(extensions.http)) {
      if (extensions.http.status) http.status = extensions.http.status;
      for (const [k, v] of extensions.http.headers ?? []) http.headers.set(k, v);
      delete extensions.http;
    }
    return { ...error.toJSON(), extensions };
  };
  const formatted = errors.map((error) => {
    try {
      return formatError(enrich(error), error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formatted, http };
}

/** The response body of a single result: its fields in Apollo Server's order (errors, data, extensions), as it prints them. */
export function resultBody(result: { errors?: readonly GraphQLFormattedError[]; data?: unknown; extensions?: unknown }): string {
  return `${JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions })}\n`;
}
