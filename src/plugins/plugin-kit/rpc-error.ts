import { status } from '@grpc/grpc-js';

/**
 * A refusal with a gRPC status code. grpc-js turns an error with a numeric `code` and a `details` string into the
 * call's status, so handlers throw these and the runner passes them through unchanged.
 */
export class RpcError extends Error {
  readonly details: string;

  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
    this.details = message;
  }
}

/** Any failure as a status grpc-js can send: our refusals keep their code, anything else is INTERNAL. */
export function toRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  // Shared by the simulator and the Kubernetes plugin: the text says the plugin failed, not which one.
  return new RpcError(status.INTERNAL, `plugin internal error: ${e instanceof Error ? e.message : String(e)}`);
}
