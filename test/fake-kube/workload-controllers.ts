import { createHash, randomBytes } from 'node:crypto';
import type { ObjectStore } from './object-store.js';
import type { ResourceTable, ResourceType } from './resources.js';
import type { KubeObject } from './selectors.js';

// What the controllers and the kubelet of a real cluster do to the objects helm creates, done at once and
// synchronously: deployments get a replica set and pods, pods get a status (Running and Ready, or stuck pulling
// their image when the cluster is told to keep workloads unready), services get addresses, and the steps are
// recorded as Events the way the kubelet and the deployment controller record them.

export const NODE_NAME = 'fake-node-1';

type Obj = KubeObject;
type Container = { name: string; image?: string };

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const suffix = (n: number): string => randomBytes(8).toString('hex').replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!).slice(0, n);

export class WorkloadControllers {
  /** False: new pods stay Pending with an image that cannot be pulled, so nothing becomes ready. */
  ready = true;
  private podIp = 10;
  private eventSeq = 0;
  private readonly rt: Record<'pods' | 'replicasets' | 'deployments' | 'events', ResourceType>;

  constructor(
    private readonly store: ObjectStore,
    table: ResourceTable,
  ) {
    const get = (group: string, plural: string): ResourceType => {
      const r = table.find(group, 'v1', plural);
      if (!r) throw new Error(`no resource type ${plural}`);
      return r;
    };
    this.rt = { pods: get('', 'pods'), replicasets: get('apps', 'replicasets'), deployments: get('apps', 'deployments'), events: get('', 'events') };
  }

  /** Runs after every create or update of an object of `rt`. */
  reconcile(rt: ResourceType, o: Obj): void {
    if (rt.plural === 'deployments') this.deployment(o);
    else if (rt.plural === 'replicasets') this.replicaSet(o);
  }

  /** A new pod's status, as the kubelet would report it shortly after. */
  podStatus(pod: Obj): Record<string, unknown> {
    const containers = ((pod.spec?.['containers'] as Container[] | undefined) ?? []).map((c) => c);
    const ready = this.ready;
    const t = now();
    this.podIp += 1;
    const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: t, ...(status ? {} : { reason: 'ContainersNotReady' }) });
    return {
      phase: ready ? 'Running' : 'Pending',
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
      hostIP: '172.18.0.2',
      podIP: `10.244.0.${this.podIp % 250}`,
      podIPs: [{ ip: `10.244.0.${this.podIp % 250}` }],
      startTime: t,
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: ready ? `docker-pullable://${c.image ?? ''}@sha256:${createHash('sha256').update(c.image ?? '').digest('hex')}` : '',
        ready,
        started: ready,
        restartCount: 0,
        state: ready ? { running: { startedAt: t } } : { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image ?? ''}"` } },
      })),
    };
  }

  /** Kubelet events of a pod that just started (or failed to). */
  podEvents(pod: Obj): void {
    const ns = pod.metadata.namespace ?? 'default';
    this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata.name} to ${NODE_NAME}`, 'default-scheduler');
    for (const c of (pod.spec?.['containers'] as Container[] | undefined) ?? []) {
      if (this.ready) {
        this.event(pod, 'Normal', 'Pulled', `Container image "${c.image ?? ''}" already present on machine`);
        this.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
        this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      } else {
        this.event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image ?? ''}": rpc error: code = Unknown desc = failed to resolve reference "${c.image ?? ''}"`);
        this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
        this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image ?? ''}"`);
      }
    }
  }

  /** Makes every existing pod ready (or not), as if the cluster changed its mind, and updates their owners. */
  setReady(ready: boolean): void {
    this.ready = ready;
    for (const pod of this.store.list(this.rt.pods)) {
      pod.status = this.podStatus(pod);
      this.store.update(this.rt.pods, pod);
      for (const c of (pod.spec?.['containers'] as Container[] | undefined) ?? []) {
        if (ready) this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
        else this.event(pod, 'Warning', 'BackOff', `Back-off pulling image "${c.image ?? ''}"`);
      }
    }
    for (const rs of this.store.list(this.rt.replicasets)) this.replicaSet(rs);
  }

  /** Records a core/v1 Event about `o`. */
  event(o: Obj, type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    const t = now();
    this.eventSeq += 1;
    const ns = o.metadata.namespace ?? 'default';
    this.store.create(this.rt.events, {
      metadata: { name: `${o.metadata.name}.${(Date.now() * 1000 + this.eventSeq).toString(16)}`, namespace: ns },
      involvedObject: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: ns, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component, ...(component === 'kubelet' ? { host: NODE_NAME } : {}) },
      count: 1,
      firstTimestamp: t,
      lastTimestamp: t,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? NODE_NAME : '',
    });
  }

  private owned(rt: ResourceType, owner: Obj): Obj[] {
    return this.store.list(rt, owner.metadata.namespace).filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid && r.controller));
  }

  private deployment(d: Obj): void {
    const spec = d.spec ?? {};
    const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
    const template = structuredClone(spec['template'] ?? {}) as { metadata?: { labels?: Record<string, string> } };
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    const rsName = `${d.metadata.name}-${hash}`;
    const sets = this.owned(this.rt.replicasets, d);
    let current = sets.find((s) => s.metadata.name === rsName);
    for (const old of sets.filter((s) => s !== current && s.spec?.['replicas'] !== 0)) {
      old.spec = { ...old.spec, replicas: 0 };
      this.replicaSet(this.store.update(this.rt.replicasets, old));
    }
    const labels = { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash };
    if (!current) {
      current = this.store.create(this.rt.replicasets, {
        metadata: {
          name: rsName,
          namespace: d.metadata.namespace,
          labels,
          annotations: { 'deployment.kubernetes.io/revision': '1' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas,
          selector: { matchLabels: { ...((spec['selector'] as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {}), 'pod-template-hash': hash } },
          template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
        },
      });
      this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} from 0 to ${replicas}`, 'deployment-controller');
      this.replicaSet(current);
    } else if (current.spec?.['replicas'] !== replicas) {
      current.spec = { ...current.spec, replicas };
      this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled replica set ${rsName} to ${replicas}`, 'deployment-controller');
      this.replicaSet(this.store.update(this.rt.replicasets, current));
    } else this.deploymentStatus(d);
  }

  private replicaSet(rs: Obj): void {
    const want = typeof rs.spec?.['replicas'] === 'number' ? rs.spec['replicas'] : 1;
    const pods = this.owned(this.rt.pods, rs);
    const template = (rs.spec?.['template'] ?? {}) as { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> };
    for (let i = pods.length; i < want; i += 1) {
      const pod: Obj = {
        metadata: {
          name: `${rs.metadata.name}-${suffix(5)}`,
          namespace: rs.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { ...structuredClone(template.spec ?? {}), nodeName: NODE_NAME },
      };
      pod.status = this.podStatus(pod);
      const created = this.store.create(this.rt.pods, pod);
      this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, 'replicaset-controller');
      this.podEvents(created);
      pods.push(created);
    }
    for (const extra of pods.splice(want)) {
      this.store.remove(this.rt.pods, extra.metadata.namespace, extra.metadata.name);
      this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${extra.metadata.name}`, 'replicaset-controller');
    }
    const ready = pods.filter((p) => ((p.status?.['conditions'] as { type: string; status: string }[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const fresh = this.store.get(this.rt.replicasets, rs.metadata.namespace, rs.metadata.name);
    if (!fresh) return;
    fresh.status = { replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: fresh.metadata.generation };
    this.store.update(this.rt.replicasets, fresh);
    const ownerRef = fresh.metadata.ownerReferences?.find((r) => r.kind === 'Deployment');
    const d = ownerRef && this.store.get(this.rt.deployments, fresh.metadata.namespace, ownerRef.name);
    if (d) this.deploymentStatus(d);
  }

  private deploymentStatus(d: Obj): void {
    const replicas = typeof d.spec?.['replicas'] === 'number' ? d.spec['replicas'] : 1;
    const sets = this.owned(this.rt.replicasets, d);
    const sum = (k: string) => sets.reduce((n, s) => n + ((s.status?.[k] as number | undefined) ?? 0), 0);
    const ready = sum('readyReplicas');
    const t = now();
    const available = ready >= replicas;
    const status = {
      observedGeneration: d.metadata.generation,
      replicas: sum('replicas'),
      updatedReplicas: sum('replicas'),
      readyReplicas: ready,
      availableReplicas: ready,
      ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        available
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: t, lastTransitionTime: t }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: t, lastTransitionTime: t },
        available
          ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${sets[0]?.metadata.name ?? ''}" has successfully progressed.`, lastUpdateTime: t, lastTransitionTime: t }
          : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${sets[0]?.metadata.name ?? ''}" is progressing.`, lastUpdateTime: t, lastTransitionTime: t },
      ],
    };
    if (JSON.stringify(d.status) === JSON.stringify(status)) return;
    d.status = status;
    this.store.update(this.rt.deployments, d);
  }
}
