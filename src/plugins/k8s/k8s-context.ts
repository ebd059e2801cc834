import { status } from '@grpc/grpc-js';
import type { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { ShellContext } from '../plugin-kit/shell-context.js';
import type { HelmCli } from './helm-cli.js';
import type { ResolvedK8sOptions } from './k8s-options.js';
import type { K8sStore } from './k8s-store.js';
import { CallSlots } from '../call-slots.js';
import { KubeClient } from './kube-client.js';

/** Everything the k8s plugin's handlers share. */
export interface K8sContext extends ShellContext {
  store: K8sStore;
  helm: HelmCli;
  opts: ResolvedK8sOptions;
  /** Operations per instance, serialised; a held key also means "this process is working on it". */
  locks: KeyedLock;
  /** Slots per kubeconfig file: the bound on requests in flight to one cluster. */
  slots: Map<string, CallSlots>;
}

/** FAILED_PRECONDITION without a kubeconfig, as every plugin answers for a host it cannot reach. */
export async function needsConfig(ctx: K8sContext, tenantId: string, hostIp: string): Promise<void> {
  if (!(await ctx.store.hasConfig(tenantId, hostIp))) throw new RpcError(status.FAILED_PRECONDITION, `no kubeconfig uploaded for host ${hostIp} of tenant ${tenantId}`);
}

/** A client for the host's cluster (FAILED_PRECONDITION without a kubeconfig). */
export async function kubeFor(ctx: K8sContext, tenantId: string, hostIp: string): Promise<{ kube: KubeClient; kubeconfig: string }> {
  await needsConfig(ctx, tenantId, hostIp);
  const kubeconfig = ctx.store.configPath(tenantId, hostIp);
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
