import { type LcmOperation, OperationState } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import { ShimError } from './envelope.js';
import { Message, RetCode } from './ret-codes.js';

/**
 * The original's `HandleLoggingForFailure` (applcm-original.md §7.3): a plugin error whose text says `forbidden` is
 * 403 31000, one saying `accessToken is invalid` 401 31001, anything else 500 with the text and `retCode`
 * (31503 unless the route's original used another).
 */
export function pluginRefusal(text: string, retCode: RetCode = RetCode.INTERNAL_SERVER): ShimError {
  if (/forbidden/i.test(text)) return new ShimError(403, RetCode.FORBIDDEN, Message.FORBIDDEN);
  if (/accessToken is invalid/i.test(text)) return new ShimError(401, RetCode.TOKEN_INVALID, Message.AUTHORIZATION_FAILED);
  return new ShimError(500, retCode, text);
}

/** A plugin call's DomainError as the original answered it; other errors pass unchanged. */
export function asPluginRefusal(e: unknown, retCode: RetCode = RetCode.INTERNAL_SERVER): unknown {
  if (!(e instanceof DomainError)) return e;
  if (e.code === ErrorCode.PLUGIN_UNAVAILABLE) return new ShimError(500, RetCode.FAILED_GET_PLUGIN, 'Failed to get client');
  if ([ErrorCode.PLUGIN_ERROR, ErrorCode.DEADLINE_EXCEEDED, ErrorCode.RATE_LIMITED].includes(e.code) || e.details.grpcCode !== undefined) return pluginRefusal(e.message, retCode);
  return e;
}

/**
 * A settled operation that did not complete, as the original answered a failed plugin call: the MEP's refusal of
 * the AK/SK is 31014, a plugin's error goes through `pluginRefusal` with the route's `retCode`.
 */
export function operationFailure(op: LcmOperation, retCode: RetCode): ShimError {
  const error = op.error ?? { code: ErrorCode.INTERNAL_SERVER_ERROR, message: `the ${op.type} operation ended ${op.state}` };
  if (error.code === String(ErrorCode.MEP_ERROR)) return new ShimError(500, RetCode.PROCESS_AK_SK_FAILED, error.message);
  if (error.code === String(ErrorCode.PLUGIN_UNAVAILABLE)) return new ShimError(500, RetCode.FAILED_GET_PLUGIN, 'Failed to get client');
  return pluginRefusal(error.message, retCode);
}

/**
 * An operation still running when the wait bound passed: the original's answer to a plugin slower than its call
 * deadline (500, never 503, on which appo would re-send). The operation goes on; the same request again waits for it.
 */
export function stillRunning(op: LcmOperation, waitMs: number, retCode: RetCode): ShimError {
  const state = op.state === OperationState.STARTING ? 'waiting to start' : op.state.toLowerCase().replace('_', ' ');
  return new ShimError(500, retCode, `operation ${op.id} (${op.type}) is still ${state} after ${Math.round(waitMs / 1000)} s; send the same request again to wait for it`);
}
