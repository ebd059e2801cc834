import { status } from '@grpc/grpc-js';
import { checkTenantHost } from '../plugin-kit/identity.js';
import { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { RpcRunner } from '../plugin-kit/rpc-runner.js';
import type { TokenCheck } from '../plugin-kit/token-check.js';
import type { WatchHub } from '../plugin-kit/watch-hub.js';
import type { HelmCli } from './helm-cli.js';
import type { ResolvedK8sOptions } from './k8s-options.js';
import type { K8sStore } from './k8s-store.js';
import { CallSlots } from '../call-slots.js';
import { KubeClient } from './kube-client.js';

// Shared with the VM plugin (plugin kit); re-exported so existing imports keep working.
export { KeyedLock };

/** Everything the k8s plugin's handlers share. */
export interface K8sContext {
  store: K8sStore;
  helm: HelmCli;
  opts: ResolvedK8sOptions;
  runner: RpcRunner;
  checkToken: TokenCheck;
  /** Operations per instance, serialised; a held key also means "this process is working on it". */
  locks: KeyedLock;
  /** Tells watch streams that an instance changed or went away. */
  hub: WatchHub;
  maxReceiveMessageBytes: number;
  health: { ok: boolean; message: string };
  /** Slots per kubeconfig file: the bound on requests in flight to one cluster. */
  slots: Map<string, CallSlots>;
}

export const instanceKey = (tenantId: string, hostIp: string, appInstanceId: string): string => `${tenantId.toLowerCase()}/${hostIp}/${appInstanceId.toLowerCase()}`;

/** The token, then the identity fields. */
export async function admit(ctx: K8sContext, accessToken: string, tenantId: string, hostIp: string): Promise<void> {
  await ctx.checkToken(accessToken);
  checkTenantHost(tenantId, hostIp);
}

/** A client for the host's cluster; FAILED_PRECONDITION without a kubeconfig, as every plugin answers. */
export async function kubeFor(ctx: K8sContext, tenantId: string, hostIp: string): Promise<{ kube: KubeClient; kubeconfig: string }> {
  if (!(await ctx.store.hasKubeconfig(tenantId, hostIp))) throw new RpcError(status.FAILED_PRECONDITION, `no kubeconfig uploaded for host ${hostIp} of tenant ${tenantId}`);
  const kubeconfig = ctx.store.kubeconfigPath(tenantId, hostIp);
  let slots = ctx.slots.get(kubeconfig);
  if (!slots) {
    slots = new CallSlots(ctx.opts.kubeMaxInFlight);
    ctx.slots.set(kubeconfig, slots);
  }
  try {
    return { kube: await KubeClient.fromFile(kubeconfig, ctx.opts.kubeRequestTimeoutMs, slots), kubeconfig };
  } catch (e) {
    throw new RpcError(status.FAILED_PRECONDITION, e instanceof Error ? e.message : String(e));
  }
}
