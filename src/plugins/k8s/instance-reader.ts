import { status } from '@grpc/grpc-js';
import type { CoreV1Event, V1Node } from '@kubernetes/client-node';
import { InstanceStatus_State, type InstanceStatus } from '../../generated/proto/applcm_plugin.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { failure } from './instance-deployer.js';
import { manifestObjects, PENDING_STATES, releaseHistory, type ManifestObject, type ReleaseRevision } from './helm-release.js';
import { kubeFor, type K8sContext } from './k8s-context.js';
import type { InstanceRecord } from './k8s-store.js';
import type { KubeClient } from './kube-client.js';
import { eventsOf, instanceStatus, readWorkloads, type ReleaseWorkloads } from './workload-status.js';

/** An instance as the cluster shows it now. */
export interface InstanceView {
  rec: InstanceRecord;
  kube: KubeClient;
  release?: ReleaseRevision;
  objects: ManifestObject[];
  workloads: ReleaseWorkloads;
  status: InstanceStatus;
}

const EMPTY: ReleaseWorkloads = { groups: [], services: [], missing: [] };

/** The record (NOT_FOUND without one), then the release and its workloads read through the API. */
export async function readInstance(ctx: K8sContext, tenantId: string, hostIp: string, appInstanceId: string): Promise<InstanceView> {
  const id = appInstanceId.toLowerCase();
  const { kube } = await kubeFor(ctx, tenantId, hostIp);
  const rec = await ctx.store.instance(tenantId, hostIp, id);
  if (!rec) throw new RpcError(status.NOT_FOUND, `no instance ${id}`);
  try {
    return await viewOf(ctx, kube, rec, tenantId, hostIp);
  } catch (e) {
    throw failure(`read instance ${id}`, e);
  }
}

export async function viewOf(ctx: K8sContext, kube: KubeClient, rec: InstanceRecord, tenantId: string, hostIp: string): Promise<InstanceView> {
  const history = await releaseHistory(kube, rec.namespace, rec.release);
  const release = history[history.length - 1];
  const objects = release ? manifestObjects(release.manifest) : [];
  const workloads = release ? await readWorkloads(kube, rec.namespace, objects) : EMPTY;
  const busy = ctx.locks.held(instanceKey(tenantId, hostIp, rec.appInstanceId));
  let s = instanceStatus(rec.appInstanceId, workloads, rec.stopped !== undefined);
  const state = (st: InstanceStatus_State, reason: string): InstanceStatus => ({ ...s, state: st, reason });
  if (rec.state === 'INSTALLING' || (release && PENDING_STATES.has(release.status))) {
    s = busy
      ? state(InstanceStatus_State.DEPLOYING, `helm is installing release ${rec.release}`)
      : state(InstanceStatus_State.FAILED, `the install of release ${rec.release} was interrupted (${release?.status ?? 'no release'}); the next instantiate or terminate resolves it`);
  } else if (!release) s = state(InstanceStatus_State.FAILED, `release ${rec.release} is not in namespace ${rec.namespace} any more`);
  else if (release.status === 'failed') s = state(InstanceStatus_State.FAILED, release.description);
  else if (release.status === 'uninstalling') s = state(InstanceStatus_State.TERMINATING, release.description);
  return { rec, kube, ...(release ? { release } : {}), objects, workloads, status: s };
}

/** Kubernetes events about the instance's objects and pods, oldest first. */
export async function instanceEvents(v: InstanceView): Promise<CoreV1Event[]> {
  const list = await v.kube.call(`list events of ${v.rec.namespace}`, (o) => v.kube.core.listNamespacedEvent({ namespace: v.rec.namespace }, o));
  const t = (e: CoreV1Event): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
  return eventsOf(list.items, v.workloads, v.objects).sort((a, b) => t(a) - t(b));
}

export async function firstNode(kube: KubeClient): Promise<V1Node | undefined> {
  const nodes = await kube.call('list nodes', (o) => kube.core.listNode({ limit: 1 }, o));
  return nodes.items[0];
}
