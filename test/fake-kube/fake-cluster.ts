import { ObjectStore } from './object-store.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { METRICS_TYPES, qualifiedName, RESOURCE_TYPES, ResourceTable, type ResourceType } from './resources.js';
import type { KubeObject } from './selectors.js';
import { NODE_NAME, WorkloadControllers } from './workload-controllers.js';

/** An API error as the API server answers it: a Status object with its HTTP code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): object {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details: { ...this.details, kind: this.details['kind'] }, code: this.code };
  }
}

const notFound = (rt: ResourceType, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualifiedName(rt)} "${name}" not found`, { name, group: rt.group, kind: rt.plural });

export interface FakeClusterOptions {
  /** Serve metrics.k8s.io (node and pod usage) as a cluster with metrics-server does. */
  metrics?: boolean;
}

/**
 * The API semantics of the fake: create / update / patch / delete with the defaults, validation and cascades a real
 * API server applies to the kinds helm deploys, over the ObjectStore, with the controllers reacting at once.
 */
export class FakeCluster {
  readonly store = new ObjectStore();
  readonly table: ResourceTable;
  readonly controllers: WorkloadControllers;
  private clusterIp = 10;
  /** Requests seen, "METHOD path", for tests that check what a client did. */
  readonly requests: string[] = [];

  constructor(o: FakeClusterOptions = {}) {
    this.table = new ResourceTable(o.metrics ? [...RESOURCE_TYPES, ...METRICS_TYPES] : [...RESOURCE_TYPES]);
    this.controllers = new WorkloadControllers(this.store, this.table);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.create(this.type('', 'namespaces'), undefined, { metadata: { name } });
    this.create(this.type('', 'nodes'), undefined, {
      metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' } },
      spec: { podCIDR: '10.244.0.0/24' },
      status: {
        capacity: { cpu: '4', memory: '8148320Ki', 'ephemeral-storage': '102626232Ki', pods: '110' },
        allocatable: { cpu: '4', memory: '8045920Ki', 'ephemeral-storage': '94580335255', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        addresses: [
          { type: 'InternalIP', address: '172.18.0.2' },
          { type: 'Hostname', address: NODE_NAME },
        ],
        nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://1.7.27', architecture: 'amd64', operatingSystem: 'linux' },
      },
    });
  }

  type(group: string, plural: string): ResourceType {
    const r = this.table.types.find((x) => x.group === group && x.plural === plural && !x.computed);
    if (!r) throw new Error(`no resource type ${group}/${plural}`);
    return r;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KubeObject {
    if (rt.computed) return this.metric(rt, ns, name);
    const o = this.store.get(rt, ns, name);
    if (!o) throw notFound(rt, name);
    return o;
  }

  list(rt: ResourceType, ns: string | undefined): KubeObject[] {
    if (rt.computed) return this.metrics(rt, ns);
    return this.store.list(rt, ns);
  }

  create(rt: ResourceType, ns: string | undefined, body: KubeObject, dryRun = false): KubeObject {
    const o = structuredClone(body);
    o.metadata ??= { name: '' };
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
    if (!o.metadata.name) throw new ApiError(422, 'Invalid', `${rt.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    if (rt.namespaced) {
      if (o.metadata.namespace && ns && o.metadata.namespace !== ns) {
        throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      o.metadata.namespace = ns ?? o.metadata.namespace ?? 'default';
      const namespace = this.store.get(this.type('', 'namespaces'), undefined, o.metadata.namespace);
      if (!namespace) throw new ApiError(404, 'NotFound', `namespaces "${o.metadata.namespace}" not found`, { name: o.metadata.namespace, kind: 'namespaces' });
      if (namespace.status?.['phase'] === 'Terminating') {
        throw new ApiError(403, 'Forbidden', `${rt.plural} "${o.metadata.name}" is forbidden: unable to create new content in namespace ${o.metadata.namespace} because it is being terminated`);
      }
    }
    if (this.store.get(rt, o.metadata.namespace, o.metadata.name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedName(rt)} "${o.metadata.name}" already exists`, { name: o.metadata.name, group: rt.group, kind: rt.plural });
    }
    this.admit(rt, o, undefined);
    if (dryRun) return o;
    const created = this.store.create(rt, o);
    if (rt.plural === 'pods' && !o.metadata.ownerReferences?.length) this.controllers.podEvents(created);
    this.controllers.reconcile(rt, created);
    return this.store.get(rt, created.metadata.namespace, created.metadata.name) ?? created;
  }

  update(rt: ResourceType, ns: string | undefined, name: string, body: KubeObject, dryRun = false): KubeObject {
    const prev = this.get(rt, ns, name);
    const o = structuredClone(body);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== prev.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name,
        group: rt.group,
        kind: rt.plural,
      });
    }
    if (prev.metadata['immutable'] === true || (prev as { immutable?: boolean }).immutable === true) {
      if (JSON.stringify((prev as { data?: unknown }).data) !== JSON.stringify((o as { data?: unknown }).data)) {
        throw new ApiError(422, 'Invalid', `${rt.kind} "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`);
      }
    }
    o.metadata.name = name;
    if (rt.namespaced) o.metadata.namespace = prev.metadata.namespace;
    // Status belongs to the status subresource: a spec update keeps it.
    if (prev.status !== undefined && rt.plural !== 'namespaces') o.status = prev.status;
    this.admit(rt, o, prev);
    if (dryRun) return o;
    const updated = this.store.update(rt, o);
    this.controllers.reconcile(rt, updated);
    return this.store.get(rt, updated.metadata.namespace, name) ?? updated;
  }

  patch(rt: ResourceType, ns: string | undefined, name: string, contentType: string, body: unknown, dryRun = false): { object: KubeObject; created: boolean } {
    const prev = this.store.get(rt, ns, name);
    if (contentType.startsWith('application/apply-patch')) {
      // Server-side apply: creates what is missing, otherwise merges the applied configuration.
      const applied = body as KubeObject;
      if (!prev) return { object: this.create(rt, ns, { ...applied, metadata: { ...applied.metadata, name } }, dryRun), created: true };
      const merged = strategicMergePatch(prev, { ...applied, metadata: { ...applied.metadata, resourceVersion: undefined } }) as KubeObject;
      return { object: this.update(rt, ns, name, merged, dryRun), created: false };
    }
    if (!prev) throw notFound(rt, name);
    let next: KubeObject;
    if (contentType.startsWith('application/json-patch+json')) {
      try {
        next = jsonPatch(prev, body as never) as KubeObject;
      } catch (e) {
        throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(e as Error).message}`);
      }
    } else if (contentType.startsWith('application/strategic-merge-patch+json')) next = strategicMergePatch(prev, body) as KubeObject;
    else next = mergePatch(prev, body) as KubeObject;
    next.metadata.resourceVersion = prev.metadata.resourceVersion;
    return { object: this.update(rt, ns, name, next, dryRun), created: false };
  }

  delete(rt: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.get(rt, ns, name);
    if (rt.plural === 'namespaces') {
      // Content goes first, then the namespace; answered as Terminating, as the real API server does.
      for (const { rt: r, object } of this.store.all()) if (r.namespaced && object.metadata.namespace === name) this.store.remove(r, name, object.metadata.name);
      this.store.remove(rt, undefined, name);
      return { ...o, status: { phase: 'Terminating' } };
    }
    this.store.remove(rt, ns, name);
    this.collectDependents(o.metadata.uid!);
    return o;
  }

  /** The garbage collector: dependents of a deleted owner go too. */
  private collectDependents(uid: string): void {
    for (const { rt, object } of this.store.all()) {
      if (!object.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      this.store.remove(rt, object.metadata.namespace, object.metadata.name);
      this.collectDependents(object.metadata.uid!);
    }
  }

  /** Defaults and validation the API server applies to a created or updated object. */
  private admit(rt: ResourceType, o: KubeObject, prev: KubeObject | undefined): void {
    switch (rt.plural) {
      case 'namespaces':
        o.status = { phase: 'Active' };
        o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
        break;
      case 'secrets': {
        const s = o as { data?: Record<string, string>; stringData?: Record<string, string>; type?: string };
        if (s.stringData) {
          s.data = { ...(s.data ?? {}) };
          for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(v).toString('base64');
          delete s.stringData;
        }
        s.type ??= 'Opaque';
        break;
      }
      case 'deployments': {
        const spec = (o.spec ??= {});
        spec['replicas'] ??= 1;
        spec['strategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
        spec['revisionHistoryLimit'] ??= 10;
        spec['progressDeadlineSeconds'] ??= 600;
        if (!spec['selector']) throw new ApiError(422, 'Invalid', `Deployment.apps "${o.metadata.name}" is invalid: spec.selector: Required value`);
        break;
      }
      case 'pods':
        if (!prev) o.status = o.status && Object.keys(o.status).length ? o.status : this.controllers.podStatus(o);
        if (o.spec && !o.spec['nodeName']) o.spec['nodeName'] = NODE_NAME;
        break;
      case 'services':
        this.admitService(o, prev);
        break;
      default:
    }
  }

  private admitService(o: KubeObject, prev: KubeObject | undefined): void {
    const spec = (o.spec ??= {});
    const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
    spec['type'] = type;
    if (type !== 'ExternalName') {
      this.clusterIp += 1;
      spec['clusterIP'] ??= (prev?.spec?.['clusterIP']) ?? `10.96.${Math.floor(this.clusterIp / 250)}.${this.clusterIp % 250}`;
      spec['clusterIPs'] = [spec['clusterIP']];
    }
    const ports = (spec['ports'] as Record<string, unknown>[] | undefined) ?? [];
    const used = new Set<number>();
    for (const s of this.store.list(this.type('', 'services'))) {
      if (s.metadata.namespace === o.metadata.namespace && s.metadata.name === o.metadata.name) continue;
      for (const p of (s.spec?.['ports'] as { nodePort?: number }[] | undefined) ?? []) if (p.nodePort) used.add(p.nodePort);
    }
    ports.forEach((p, i) => {
      p['protocol'] ??= 'TCP';
      p['targetPort'] ??= p['port'];
      if (type === 'NodePort' || type === 'LoadBalancer') {
        if (typeof p['nodePort'] === 'number') {
          if (used.has(p['nodePort'])) {
            throw new ApiError(422, 'Invalid', `Service "${o.metadata.name}" is invalid: spec.ports[${i}].nodePort: Invalid value: ${p['nodePort']}: provided port is already allocated`);
          }
        } else {
          let n = 30000;
          while (used.has(n)) n += 1;
          p['nodePort'] = n;
        }
        used.add(p['nodePort'] as number);
      }
    });
    o.status ??= { loadBalancer: {} };
  }

  /** metrics.k8s.io: usage of the node and of every running pod's containers. */
  private metrics(rt: ResourceType, ns: string | undefined): KubeObject[] {
    const t = new Date().toISOString();
    if (rt.plural === 'nodes') {
      return [{ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics', metadata: { name: NODE_NAME }, timestamp: t, window: '20s', usage: { cpu: '412345678n', memory: '2048000Ki' } }];
    }
    return this.store
      .list(this.type('', 'pods'), ns)
      .filter((p) => p.status?.['phase'] === 'Running')
      .map((p) => ({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
        timestamp: t,
        window: '20s',
        containers: ((p.spec?.['containers'] as { name: string }[] | undefined) ?? []).map((c) => ({ name: c.name, usage: { cpu: '2500000n', memory: '32768Ki' } })),
      }));
  }

  private metric(rt: ResourceType, ns: string | undefined, name: string): KubeObject {
    const m = this.metrics(rt, ns).find((x) => x.metadata.name === name);
    if (!m) throw notFound(rt, name);
    return m;
  }
}
