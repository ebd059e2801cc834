// The resource types the fake API server serves, and the discovery documents built from them: what helm needs to
// map a manifest's kinds to REST paths, and what the k8s plugin reads.

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Read-only, computed on the fly (metrics.k8s.io). */
  computed?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const t = (group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames?: string[]): ResourceType => ({
  group,
  version,
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  ...(shortNames ? { shortNames } : {}),
});

export const RESOURCE_TYPES: ResourceType[] = [
  t('', 'v1', 'Namespace', 'namespaces', false, ['ns']),
  t('', 'v1', 'Node', 'nodes', false, ['no']),
  t('', 'v1', 'Secret', 'secrets', true),
  t('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  t('', 'v1', 'Service', 'services', true, ['svc']),
  t('', 'v1', 'Pod', 'pods', true, ['po']),
  t('', 'v1', 'Event', 'events', true, ['ev']),
  t('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  t('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  t('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  t('apps', 'v1', 'Deployment', 'deployments', true, ['deploy']),
  t('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs']),
  t('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts']),
  t('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds']),
  t('batch', 'v1', 'Job', 'jobs', true),
  t('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing']),
  t('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  t('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
];

export const METRICS_TYPES: ResourceType[] = [
  { ...t('metrics.k8s.io', 'v1beta1', 'NodeMetrics', 'nodes', false), computed: true },
  { ...t('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', true), computed: true },
];

export const apiVersionOf = (r: ResourceType): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** `deployments.apps`, `pods`: how the API server names a resource in messages. */
export const qualifiedName = (r: ResourceType): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export class ResourceTable {
  constructor(readonly types: ResourceType[]) {}

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  }

  /** GET /api */
  coreVersions(): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
  }

  /** GET /apis */
  groups(): object {
    const names = [...new Set(this.types.filter((r) => r.group).map((r) => r.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: names.map((name) => {
        const versions = [...new Set(this.types.filter((r) => r.group === name).map((r) => r.version))].map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions, preferredVersion: versions[0] };
      }),
    };
  }

  /** GET /apis/<group> */
  group(name: string): object | undefined {
    const g = (this.groups() as { groups: { name: string }[] }).groups.find((x) => x.name === name);
    return g && { kind: 'APIGroup', apiVersion: 'v1', ...g };
  }

  /** GET /api/v1, /apis/<group>/<version> */
  resourceList(group: string, version: string): object | undefined {
    const rs = this.types.filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: rs.flatMap((r) => {
        const main = {
          name: r.plural,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.computed ? ['get', 'list'] : CRUD,
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        };
        if (r.computed || !['deployments', 'replicasets', 'statefulsets', 'pods', 'services', 'namespaces', 'nodes', 'jobs', 'daemonsets'].includes(r.plural)) return [main];
        return [main, { name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }];
      }),
    };
  }

  /** GET /openapi/v3: one document per group-version. */
  openApiRoot(): object {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const r of this.types) {
      const p = r.group ? `apis/${r.group}/${r.version}` : 'api/v1';
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=fake${r.group.length}` };
    }
    return { paths };
  }

  /**
   * GET /openapi/v3/<group-version>: a schema per kind that names its group-version-kind and leaves the content open
   * (the fake validates nothing beyond what the API server's own checks in fake-cluster.ts do).
   */
  openApi(group: string, version: string): object | undefined {
    const rs = this.types.filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return undefined;
    const schemas: Record<string, object> = {};
    for (const r of rs) {
      schemas[`io.k8s.fake.${r.group || 'core'}.${r.version}.${r.kind}`] = {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        'x-kubernetes-group-version-kind': [{ group: r.group, version: r.version, kind: r.kind }],
      };
    }
    // PATCH operations that accept `fieldValidation`: clients (helm's kubectl code) then leave validation to the
    // server instead of downloading the full OpenAPI v2 document.
    const paths: Record<string, object> = {};
    for (const r of rs.filter((x) => !x.computed)) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : '/api/v1';
      paths[`${base}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.plural}/{name}`] = {
        patch: {
          'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
          parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
          responses: {},
        },
      };
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths, components: { schemas } };
  }
}
