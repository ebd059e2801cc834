import { status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, ErrorCode } from '../errors.js';

/** Which call failed, for the error's message and details. */
export interface CallSite {
  vim: string;
  endpoint: string;
  rpc: string;
}

const MAX_TEXT = 500;

/** Plugin text reaches callers: keep it one bounded line without control characters. */
export function sanitizePluginText(text: string): string {
   
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT)}…` : flat;
}

const isServiceError = (e: unknown): e is ServiceError => typeof e === 'object' && e !== null && typeof (e as ServiceError).code === 'number' && 'metadata' in e;

/**
 * Maps a gRPC failure to a coded error. UNAVAILABLE (refused, unresolvable, dropped connection) is
 * PLUGIN_UNAVAILABLE; a passed deadline is DEADLINE_EXCEEDED (the outcome is unknown, never assumed failed);
 * refusals the plugin states about the request keep their meaning; everything else is PLUGIN_ERROR.
 */
export function pluginError(e: unknown, site: CallSite): DomainError {
  if (e instanceof DomainError) return e;
  const where = `${site.vim} plugin (${site.endpoint})`;
  if (!isServiceError(e)) return new DomainError(ErrorCode.PLUGIN_ERROR, `${where} ${site.rpc} failed: ${sanitizePluginText(String((e as Error)?.message ?? e))}`, { vim: site.vim, rpc: site.rpc });
  const text = sanitizePluginText(e.details || e.message);
  const details = { vim: site.vim, rpc: site.rpc, grpcCode: status[e.code] ?? String(e.code) };
  switch (e.code) {
    case status.UNAVAILABLE:
      return new DomainError(ErrorCode.PLUGIN_UNAVAILABLE, `${where} is unavailable: ${text}`, details);
    case status.DEADLINE_EXCEEDED:
      return new DomainError(ErrorCode.DEADLINE_EXCEEDED, `${where} did not answer ${site.rpc} within its deadline; the outcome is unknown`, details);
    case status.INVALID_ARGUMENT:
      return new DomainError(ErrorCode.BAD_USER_INPUT, `${where} refused ${site.rpc}: ${text}`, details);
    case status.NOT_FOUND:
      return new DomainError(ErrorCode.NOT_FOUND, `${where}: ${text}`, details);
    case status.ALREADY_EXISTS:
    case status.FAILED_PRECONDITION:
    case status.ABORTED:
      return new DomainError(ErrorCode.CONFLICT, `${where} refused ${site.rpc}: ${text}`, details);
    case status.RESOURCE_EXHAUSTED:
      // grpc-js says "Received message larger than max" / "Sent message larger than max" for size limits;
      // anything else is the plugin's rate limiter (the original's "service is over rate limit").
      return /message larger than max/i.test(text)
        ? new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `${where} ${site.rpc}: ${text}`, details)
        : new DomainError(ErrorCode.RATE_LIMITED, `${where} is over its rate limit: ${text}`, details);
    case status.UNIMPLEMENTED:
      return new DomainError(ErrorCode.PLUGIN_ERROR, `${where} does not implement ${site.rpc}`, details);
    case status.CANCELLED:
      return new DomainError(ErrorCode.PLUGIN_ERROR, `${where} ${site.rpc} was cancelled: ${text}`, details);
    default:
      return new DomainError(ErrorCode.PLUGIN_ERROR, `${where} ${site.rpc} failed: ${text}`, details);
  }
}

/** The original protocol answers "Success" or "Failure" in a status string; only "Success" is success. */
export function requireSuccess(statusText: string, site: CallSite): void {
  if (statusText === 'Success') return;
  throw new DomainError(ErrorCode.PLUGIN_ERROR, `${site.vim} plugin (${site.endpoint}) answered ${JSON.stringify(sanitizePluginText(statusText || '<empty>'))} to ${site.rpc}`, { vim: site.vim, rpc: site.rpc });
}
