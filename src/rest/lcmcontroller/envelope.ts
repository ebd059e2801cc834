import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { translateDbError } from '../../db/db-errors.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { Message, RetCode } from './ret-codes.js';

/** The original's response envelope (`E2` for errors, `OK2` for successes; applcm-original.md §7.1). */
export interface Envelope<T = unknown> {
  data: T | null;
  retCode: number;
  message: string;
  params: null;
}

export const envelope = <T>(data: T | null, retCode: number, message: string): Envelope<T> => ({ data, retCode, message, params: null });

/** 200 with `{"data","retCode":0,"message","params":null}`. */
export function sendOk(res: Response, message: string, data: unknown = null): void {
  res.status(200).json(envelope(data, RetCode.SUCCESS, message));
}

/** 200 with a raw JSON body (`null` for the host routes, arrays for lists), as the original answers. */
export function sendRaw(res: Response, body: unknown): void {
  res.status(200).type('application/json').send(JSON.stringify(body ?? null));
}

/**
 * A plugin's or upstream's text as the body, as the original wrote it (no explicit type: Go sniffed JSON text as
 * `text/plain; charset=utf-8`). appo passes these bodies on unchanged.
 */
export function sendText(res: Response, text: string): void {
  res.status(200).type('text/plain; charset=utf-8').send(text);
}

/** How one failure looks to a caller of the original routes. */
export interface ShimFailure {
  status: number;
  retCode: RetCode;
  message?: string;
}

/**
 * A failure a route decided exactly (status, `retCode` and text), e.g. from an operation's recorded error, where no
 * DomainError code says enough.
 */
export class ShimError extends Error {
  constructor(
    readonly status: number,
    readonly retCode: RetCode,
    message: string,
  ) {
    super(message);
    this.name = 'ShimError';
  }
}

/**
 * What a route says about its failures beyond the defaults: the original's text (and code) for each input field,
 * and per error code its status, `retCode` and text.
 */
export interface FailureSpec {
  fields?: Record<string, { retCode: RetCode; message: string }>;
  codes?: Partial<Record<ErrorCode, ShimFailure>>;
}

/**
 * DomainError code → the original's status and `retCode` (decisions in README "REST compatibility shim").
 * The original answers quota overruns with 500; we keep its codes but answer 4xx, as for any refused request.
 */
const DEFAULT_FAILURES: Record<ErrorCode, ShimFailure> = {
  [ErrorCode.BAD_USER_INPUT]: { status: 400, retCode: RetCode.BAD_REQUEST },
  [ErrorCode.UNAUTHENTICATED]: { status: 401, retCode: RetCode.TOKEN_INVALID, message: Message.AUTHORIZATION_FAILED },
  [ErrorCode.FORBIDDEN]: { status: 403, retCode: RetCode.FORBIDDEN, message: Message.FORBIDDEN },
  [ErrorCode.NOT_FOUND]: { status: 404, retCode: RetCode.NOT_FOUND_IN_DB },
  [ErrorCode.CONFLICT]: { status: 409, retCode: RetCode.INSTANCE_EXISTS },
  [ErrorCode.QUOTA_EXCEEDED]: { status: 403, retCode: RetCode.PACKAGE_NUM_UP_TO_MAX },
  [ErrorCode.PAYLOAD_TOO_LARGE]: { status: 400, retCode: RetCode.BODY_TOO_LARGE, message: Message.BODY_TOO_LARGE },
  [ErrorCode.INVALID_PACKAGE]: { status: 400, retCode: RetCode.FAILED_TO_EXTRACT },
  // The original answers 500 "Failed to get client"; never 503, on which appo re-sends.
  [ErrorCode.PLUGIN_UNAVAILABLE]: { status: 500, retCode: RetCode.FAILED_GET_PLUGIN },
  [ErrorCode.PLUGIN_ERROR]: { status: 500, retCode: RetCode.PLUGIN_REPORT_FAILED },
  [ErrorCode.MEP_ERROR]: { status: 500, retCode: RetCode.PROCESS_AK_SK_FAILED },
  [ErrorCode.DEADLINE_EXCEEDED]: { status: 504, retCode: RetCode.INTERNAL_SERVER },
  [ErrorCode.RATE_LIMITED]: { status: 429, retCode: RetCode.INTERNAL_SERVER },
  [ErrorCode.SERVICE_UNAVAILABLE]: { status: 503, retCode: RetCode.REPORT_BY_DB },
  [ErrorCode.SLOW_CONSUMER]: { status: 503, retCode: RetCode.INTERNAL_SERVER },
  // The original had no cursors: sync_updated on the change feed answers an expired one as a bad request.
  [ErrorCode.CURSOR_EXPIRED]: { status: 410, retCode: RetCode.BAD_REQUEST },
  [ErrorCode.INTERNAL_SERVER_ERROR]: { status: 500, retCode: RetCode.INTERNAL_SERVER },
};

/** The status and envelope of a DomainError on a route with `spec`. */
export function failureOf(e: DomainError, spec: FailureSpec = {}): { status: number; body: Envelope<null> } {
  const field = typeof e.details.field === 'string' ? e.details.field : undefined;
  const byField = e.code === ErrorCode.BAD_USER_INPUT && field !== undefined ? spec.fields?.[field.replace(/\[\d+\].*$/, '')] : undefined;
  const f = spec.codes?.[e.code] ?? DEFAULT_FAILURES[e.code];
  return { status: f.status, body: envelope(null, byField?.retCode ?? f.retCode, byField?.message ?? f.message ?? e.message) };
}

/** One response per request, always the envelope; unknown errors are masked with a correlation id in the log. */
export function sendFailure(res: Response, e: unknown, spec: FailureSpec, log: Logger): void {
  const known = e instanceof DomainError ? e : translateDbError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof ShimError) {
    res.status(e.status).json(envelope(null, e.retCode, e.message));
    return;
  }
  if (known) {
    const { status, body } = failureOf(known, spec);
    res.status(status).json(body);
    return;
  }
  const correlationId = randomUUID();
  log.error({ err: e, correlationId }, 'internal error');
  res.status(500).json(envelope(null, RetCode.INTERNAL_SERVER, `Internal server error (correlation id ${correlationId})`));
}
