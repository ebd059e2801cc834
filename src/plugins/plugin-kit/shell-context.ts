import { checkTenantHost } from './identity.js';
import type { RpcRunner } from './rpc-runner.js';
import type { TokenCheck } from './token-check.js';
import type { WatchHub } from './watch-hub.js';

/** What the plugin shell makes for every plugin on the kit; each plugin's own context extends it. */
export interface ShellContext {
  runner: RpcRunner;
  checkToken: TokenCheck;
  /** Tells watch streams that an instance changed or went away. */
  hub: WatchHub;
  maxReceiveMessageBytes: number;
  /** Watch heartbeat interval when the client asks for none. */
  heartbeatMs: number;
  health: { ok: boolean; message: string };
}

/** The checks every tenant-scoped request passes first: the token, then the identity fields. */
export async function admit(ctx: Pick<ShellContext, 'checkToken'>, accessToken: string, tenantId: string, hostIp: string): Promise<void> {
  await ctx.checkToken(accessToken);
  checkTenantHost(tenantId, hostIp);
}
