import type { CoreV1Event, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { InstanceStatus_State, type InstanceStatus, type Workload, type WorkloadEvent } from '../../generated/proto/applcm_plugin.js';
import type { ManifestObject } from './helm-release.js';
import { isNotFound, type KubeClient } from './kube-client.js';
import { bytes, millicores } from './quantity.js';

/** What the cluster holds of one release right now: its pods, services and their usage. */
export interface ReleaseWorkloads {
  /** Per workload of the manifest (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod): its pods. */
  groups: { kind: string; name: string; pods: V1Pod[] }[];
  services: V1Service[];
  /** Container usage by "pod/container": millicores and bytes; undefined when the cluster has no metrics API. */
  usage?: Map<string, { cpuMilli: number; memBytes: number }>;
  /** Workloads the manifest asks to run that have no pod. */
  missing: string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
/** Waiting reasons that mean failing, not starting. */
const FAILING = /BackOff|ErrImage|InvalidImageName|CreateContainer|RunContainerError|OOMKilled|Error/;

const selectorText = (labels: Record<string, string> | undefined): string =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Reads the pods and services of a release's manifest objects (in `namespace` unless an object names its own). */
export async function readWorkloads(kube: KubeClient, namespace: string, objects: ManifestObject[]): Promise<ReleaseWorkloads> {
  const groups: ReleaseWorkloads['groups'] = [];
  const services: V1Service[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const obj of objects) {
    const ns = obj.namespace ?? namespace;
    if (obj.kind === 'Service') {
      try {
        services.push(await kube.call(`read service ${ns}/${obj.name}`, (o) => kube.core.readNamespacedService({ namespace: ns, name: obj.name }, o)));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      continue;
    }
    let pods: V1Pod[] = [];
    if (obj.kind === 'Pod') {
      try {
        pods = [await kube.call(`read pod ${ns}/${obj.name}`, (o) => kube.core.readNamespacedPod({ namespace: ns, name: obj.name }, o))];
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    } else if (WORKLOAD_KINDS.has(obj.kind)) {
      const spec = obj.body['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined;
      const selector = obj.kind === 'Job' ? `job-name=${obj.name}` : selectorText(spec?.selector?.matchLabels);
      if (!selector) continue;
      const list = await kube.call(`list pods of ${obj.kind} ${ns}/${obj.name}`, (o) => kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector }, o));
      pods = list.items.filter((p) => !seen.has(`${p.metadata?.namespace}/${p.metadata?.name}`));
    } else continue;
    for (const p of pods) seen.add(`${p.metadata?.namespace}/${p.metadata?.name}`);
    if (pods.length === 0) missing.push(`${obj.kind}/${obj.name}`);
    groups.push({ kind: obj.kind, name: obj.name, pods });
  }
  const usage = await podUsage(kube, namespace);
  return { groups, services, missing, ...(usage ? { usage } : {}) };
}

/** metrics.k8s.io pod usage of a namespace; undefined when the cluster does not serve it. */
async function podUsage(kube: KubeClient, namespace: string): Promise<Map<string, { cpuMilli: number; memBytes: number }> | undefined> {
  let list: { items?: { metadata?: { name?: string }; containers?: { name: string; usage?: { cpu?: string; memory?: string } }[] }[] };
  try {
    list = (await kube.call(`read pod metrics of ${namespace}`, (o) =>
      kube.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' }, o),
    )) as typeof list;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const out = new Map<string, { cpuMilli: number; memBytes: number }>();
  for (const pm of list.items ?? []) {
    for (const c of pm.containers ?? []) out.set(`${pm.metadata?.name ?? ''}/${c.name}`, { cpuMilli: millicores(c.usage?.cpu), memBytes: bytes(c.usage?.memory) });
  }
  return out;
}

const podReady = (p: V1Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function containerState(s: NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number] | undefined): string {
  if (!s?.state) return 'waiting';
  if (s.state.running) return 'running';
  if (s.state.waiting) return `waiting: ${s.state.waiting.reason ?? ''}`.trim();
  if (s.state.terminated) return `terminated: ${s.state.terminated.reason ?? ''}`.trim();
  return 'waiting';
}

const cpuText = (m: number | undefined): string => (m === undefined ? '' : `${m}m`);
const memText = (b: number | undefined): string => (b === undefined ? '' : `${Math.round(b / 2 ** 20)}Mi`);

/** The structured status (PluginExtensions.instanceStatus) of a deployed release. */
export function instanceStatus(appInstanceId: string, w: ReleaseWorkloads, stopped: boolean): InstanceStatus {
  const pods = w.groups.flatMap((g) => g.pods);
  const workloads: Workload[] = pods.map((p) => {
    const statuses = new Map((p.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    return {
      kind: 'Pod',
      name: p.metadata?.name ?? '',
      phase: p.status?.phase ?? 'Unknown',
      ready: podReady(p),
      addresses: (p.status?.podIPs ?? []).map((i) => i.ip).filter(Boolean),
      containers: (p.spec?.containers ?? []).map((c) => {
        const s = statuses.get(c.name);
        const u = w.usage?.get(`${p.metadata?.name ?? ''}/${c.name}`);
        return { name: c.name, state: containerState(s), ready: s?.ready ?? false, restarts: s?.restartCount ?? 0, image: c.image ?? '', cpuUsage: cpuText(u?.cpuMilli), memoryUsage: memText(u?.memBytes) };
      }),
    };
  });
  let state = InstanceStatus_State.RUNNING;
  let reason = '';
  const notReady = workloads.filter((x) => !x.ready);
  if (stopped) {
    state = InstanceStatus_State.STOPPED;
    reason = 'stopped by operate';
  } else if (notReady.some((x) => x.phase === 'Failed' || x.containers.some((c) => FAILING.test(c.state) || c.restarts > 0))) {
    state = InstanceStatus_State.DEGRADED;
    reason = notReady.map((x) => `${x.name}: ${x.containers.filter((c) => !c.ready).map((c) => `${c.name} ${c.state}`).join(', ')}`).join('; ');
  } else if (notReady.length > 0 || w.missing.length > 0) {
    state = InstanceStatus_State.DEPLOYING;
    reason = [...notReady.map((x) => `${x.name} not ready`), ...w.missing.map((m) => `${m} has no pod`)].join('; ');
  }
  return {
    appInstanceId,
    state,
    reason,
    workloads,
    services: w.services.map((s) => ({
      name: s.metadata?.name ?? '',
      type: s.spec?.type ?? 'ClusterIP',
      ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port, targetPort: String(p.targetPort ?? p.port), nodePort: p.nodePort ?? 0 })),
    })),
    observedAt: new Date().toISOString(),
  };
}

/** Allocatable CPU (millicores), memory and ephemeral storage (bytes) of a node. */
export const allocatable = (n: V1Node | undefined): { cpuMilli: number; memBytes: number; diskBytes: number } => ({
  cpuMilli: millicores(n?.status?.allocatable?.['cpu']),
  memBytes: bytes(n?.status?.allocatable?.['memory']),
  diskBytes: bytes(n?.status?.allocatable?.['ephemeral-storage']),
});

/**
 * The original k8s plugin's query answer: one entry per workload of the manifest with the name and phase of its
 * last pod and the containers of all its pods (usage as "<used>/<allocatable of the first node>"; one blank container
 * per pod when the cluster has no metrics, as the original), one per service; the CPU and memory shares computed
 * for this call (the original summed them across calls, never resetting).
 */
export function originalQueryJson(w: ReleaseWorkloads, firstNode: V1Node | undefined): string {
  const alloc = allocatable(firstNode);
  let cpu = 0;
  let mem = 0;
  const pods = w.groups
    .filter((g) => g.pods.length > 0)
    .map((g) => {
      const last = g.pods[g.pods.length - 1]!;
      const containers = g.pods.flatMap((p) => {
        if (!w.usage) return [{ containername: '', metricsusage: { cpuusage: '', memusage: '', diskusage: '' } }];
        return (p.spec?.containers ?? []).map((c) => {
          const u = w.usage?.get(`${p.metadata?.name ?? ''}/${c.name}`) ?? { cpuMilli: 0, memBytes: 0 };
          if (alloc.cpuMilli > 0) cpu += u.cpuMilli / alloc.cpuMilli;
          if (alloc.memBytes > 0) mem += u.memBytes / alloc.memBytes;
          return { containername: c.name, metricsusage: { cpuusage: `${u.cpuMilli}/${alloc.cpuMilli}`, memusage: `${u.memBytes}/${alloc.memBytes}`, diskusage: `0/${alloc.diskBytes}` } };
        });
      });
      return { podstatus: last.status?.phase ?? 'Unknown', podname: last.metadata?.name ?? '', containers };
    });
  const services = w.services.map((s) => ({
    serviceName: s.metadata?.name ?? '',
    type: s.spec?.type ?? 'ClusterIP',
    ports: (s.spec?.ports ?? []).map((p) => ({ port: String(p.port), targetPort: String(p.targetPort ?? p.port), nodePort: String(p.nodePort ?? 0), protocol: p.protocol ?? 'TCP', name: p.name ?? '' })),
  }));
  return JSON.stringify({ pods, services, cpupercent: cpu, mempercent: mem });
}

/** Whether an event is about one of the release's objects or pods. */
export function eventsOf(events: CoreV1Event[], w: ReleaseWorkloads, objects: ManifestObject[]): CoreV1Event[] {
  const names = new Set<string>();
  for (const o of objects) names.add(`${o.kind}/${o.name}`);
  for (const g of w.groups) for (const p of g.pods) names.add(`Pod/${p.metadata?.name ?? ''}`);
  // A deployment's replica sets are "<deployment>-<hash>".
  const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => `${o.name}-`);
  return events.filter((e) => {
    const kind = e.involvedObject.kind ?? '';
    const name = e.involvedObject.name ?? '';
    return names.has(`${kind}/${name}`) || (kind === 'ReplicaSet' && deployments.some((d) => name.startsWith(d)));
  });
}

const time = (e: CoreV1Event, which: 'first' | 'last'): string => {
  const t = which === 'first' ? (e.firstTimestamp ?? e.eventTime) : (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp);
  return t ? new Date(t).toISOString() : '';
};

export function workloadEvent(e: CoreV1Event): WorkloadEvent {
  return {
    kind: e.involvedObject.kind ?? '',
    name: e.involvedObject.name ?? '',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: (e.message ?? '').trim(),
    count: e.count ?? 1,
    firstSeen: time(e, 'first'),
    lastSeen: time(e, 'last'),
  };
}

/** The original's workloadEvents answer: per pod, the messages of its events; a pod without any "is running". */
export function originalEventsJson(w: ReleaseWorkloads, events: CoreV1Event[]): string {
  const pods = w.groups.flatMap((g) =>
    g.pods.map((p) => {
      const name = p.metadata?.name ?? '';
      const msgs = events.filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === name).map((e) => (e.message ?? '').trim());
      return { podName: name, podEventsInfo: msgs.length ? msgs : ['Pod is running successfully'] };
    }),
  );
  return JSON.stringify({ pods });
}
