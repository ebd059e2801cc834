import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { translateDbError } from '../db/db-errors.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * The REST endpoints' error body: `{"error":{"code","message",...details}}` with the status of the code.
 * Unknown errors are masked with a correlation id, as in GraphQL.
 */
export function sendError(res: Response, e: unknown, log: Logger): void {
  const known = e instanceof DomainError ? e : translateDbError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (known) {
    res.status(known.httpStatus).json({ error: { code: known.code, message: known.message, ...known.details } });
    return;
  }
  const correlationId = randomUUID();
  log.error({ err: e, correlationId }, 'internal error');
  res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: `Internal server error (correlation id ${correlationId})`, correlationId } });
}
