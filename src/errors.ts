/**
 * Every failure a caller can act on carries one of these codes. GraphQL exposes it as `extensions.code`;
 * the REST endpoints map it to an HTTP status (and, in the legacy shim, to the original `retCode`).
 */
export enum ErrorCode {
  /** Input failed validation; `details.field` names the offending field. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** No credentials, or credentials that do not verify. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** Authenticated, but the role or tenant may not do this. */
  FORBIDDEN = 'FORBIDDEN',
  /** The object does not exist or is not visible to the caller (no existence leak across tenants). */
  NOT_FOUND = 'NOT_FOUND',
  /** The request contradicts current state: duplicates, stale versions, objects still in use. */
  CONFLICT = 'CONFLICT',
  /** A configured quota would be exceeded. */
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  /** A body, file or stream is larger than its cap. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** An application package is malformed, unsafe or incomplete. */
  INVALID_PACKAGE = 'INVALID_PACKAGE',
  /** No healthy plugin serves the host's VIM type. */
  PLUGIN_UNAVAILABLE = 'PLUGIN_UNAVAILABLE',
  /** The plugin answered with an error. */
  PLUGIN_ERROR = 'PLUGIN_ERROR',
  /** The MEP (edge platform) refused or failed an AK/SK registration or an instance termination notice. */
  MEP_ERROR = 'MEP_ERROR',
  /** A call did not finish within its deadline; its outcome is unknown until reconciled. */
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** Too many requests. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** A dependency (the database) is unreachable right now; retrying later is safe. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  /** A subscriber fell too far behind and was cut off; `details.lastSequence` is where to resume (`afterSequence`). */
  SLOW_CONSUMER = 'SLOW_CONSUMER',
  /**
   * A cursor (`afterSequence`, `changes(after:)`) older than the event log keeps (APPLCM_EVENT_RETENTION_S): the events
   * after it are gone. Read the current state, then continue from `details.oldestSequence` or without a cursor.
   */
  CURSOR_EXPIRED = 'CURSOR_EXPIRED',
  /** Anything unexpected; the message is masked and a correlation id points at the log line. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const httpStatusOf: Record<ErrorCode, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.QUOTA_EXCEEDED]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.INVALID_PACKAGE]: 422,
  [ErrorCode.PLUGIN_UNAVAILABLE]: 503,
  [ErrorCode.PLUGIN_ERROR]: 502,
  [ErrorCode.MEP_ERROR]: 502,
  [ErrorCode.DEADLINE_EXCEEDED]: 504,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.SLOW_CONSUMER]: 503,
  [ErrorCode.CURSOR_EXPIRED]: 410,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

export type ErrorDetails = Record<string, string | number | boolean | null | string[]>;

/** An expected failure: its message is safe to show to the caller. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get httpStatus(): number {
    return httpStatusOf[this.code];
  }
}

export const badInput = (field: string, message: string): DomainError =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, { field });

export const notFound = (what: string, id: string): DomainError =>
  new DomainError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} not found`, { resource: what });

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
