import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc-error.js';

export type TokenCheck = (token: string) => Promise<void>;

/** Empty is UNAUTHENTICATED; a token the optional verifier rejects (or throws on) is PERMISSION_DENIED. */
export function tokenCheck(verify?: (token: string) => boolean | Promise<boolean>): TokenCheck {
  return async (token) => {
    if (!token) throw new RpcError(status.UNAUTHENTICATED, 'accessToken is empty');
    if (!verify) return;
    let ok: boolean;
    try {
      ok = await verify(token);
    } catch {
      ok = false;
    }
    if (!ok) throw new RpcError(status.PERMISSION_DENIED, 'accessToken rejected');
  };
}
