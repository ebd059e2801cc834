import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { translateDbError } from '../db/db-errors.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** Codes GraphQL itself produces for client mistakes; their messages describe the request, not the server. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

function fromDomain(e: DomainError, base: GraphQLFormattedError): GraphQLFormattedError {
  return { message: e.message, locations: base.locations, path: base.path, extensions: { code: e.code, ...e.details } };
}

/**
 * The one place errors become GraphQL errors. DomainErrors keep their code and message; database failures
 * with a meaning (conflicts, outages) get theirs; GraphQL's own request errors pass; everything else is masked
 * with a correlation id that is also in the log line carrying the real error.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) return fromDomain(original, formatted);
    const db = translateDbError(original);
    if (db) {
      if (db.code === ErrorCode.SERVICE_UNAVAILABLE) log.warn({ err: original }, 'database unavailable');
      return fromDomain(db, formatted);
    }
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError && typeof code === 'string' && CLIENT_CODES.has(code)) {
      const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const correlationId = randomUUID();
    log.error({ err: original, correlationId, path: formatted.path }, 'internal error');
    return {
      message: `Internal server error (correlation id ${correlationId})`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, correlationId },
    };
  };
}

/** Removes "Did you mean …?" hints, which reveal schema names when introspection is off. */
export const stripSuggestions = (message: string): string => message.replace(/\s*Did you mean .*\?$/s, '');
