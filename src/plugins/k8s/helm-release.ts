import { gunzipSync } from 'node:zlib';
import { isMapping, loadYaml } from '../../packages/safe-yaml.js';
import type { KubeClient } from './kube-client.js';

/** One revision of a Helm release, read from Helm's own storage (Secrets `sh.helm.release.v1.<name>.v<rev>`). */
export interface ReleaseRevision {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, superseded, failed, uninstalling, pending-install, pending-upgrade, pending-rollback, … */
  status: string;
  description: string;
  manifest: string;
}

export const PENDING_STATES = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

const GZIP = Buffer.from([0x1f, 0x8b, 0x08]);

/** base64(gzip(JSON)) inside the Secret's (itself base64) data, as Helm 3 and 4 write it. */
export function decodeRelease(data: string): ReleaseRevision {
  const raw = Buffer.from(Buffer.from(data, 'base64').toString('utf8'), 'base64');
  const json = raw.subarray(0, 3).equals(GZIP) ? gunzipSync(raw, { maxOutputLength: 64 * 1024 * 1024 }) : raw;
  const r = JSON.parse(json.toString('utf8')) as { name: string; namespace: string; version: number; info?: { status?: string; description?: string }; manifest?: string };
  return { name: r.name, namespace: r.namespace, revision: r.version, status: r.info?.status ?? 'unknown', description: r.info?.description ?? '', manifest: r.manifest ?? '' };
}

/** Every stored revision of `release` in `namespace`, oldest first (empty: no such release). */
export async function releaseHistory(kube: KubeClient, namespace: string, release: string): Promise<ReleaseRevision[]> {
  const list = await kube.call(`list the Helm release ${namespace}/${release}`, (o) =>
    kube.core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` }, o),
  );
  const out: ReleaseRevision[] = [];
  for (const s of list.items) {
    const data = s.data?.['release'];
    if (s.type !== 'helm.sh/release.v1' || !data) continue;
    out.push(decodeRelease(data));
  }
  return out.sort((a, b) => a.revision - b.revision);
}

/** Releases Helm holds in `namespace` other than `except` (whether the namespace is still in use). */
export async function otherReleases(kube: KubeClient, namespace: string, except: string): Promise<string[]> {
  const list = await kube.call(`list the Helm releases of ${namespace}`, (o) => kube.core.listNamespacedSecret({ namespace, labelSelector: 'owner=helm' }, o));
  return [...new Set(list.items.map((s) => s.metadata?.labels?.['name'] ?? '').filter((n) => n && n !== except))];
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  body: Record<string, unknown>;
}

/** The objects of a rendered manifest (documents split as Helm joins them). */
export function manifestObjects(manifest: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const doc of manifest.split(/^---\s*$/m)) {
    if (!doc.trim()) continue;
    let v: unknown;
    try {
      v = loadYaml(doc, 'release manifest');
    } catch {
      continue;
    }
    if (!isMapping(v) || !isMapping(v['metadata'])) continue;
    const meta = v['metadata'];
    if (typeof v['kind'] !== 'string' || typeof meta['name'] !== 'string') continue;
    out.push({
      apiVersion: typeof v['apiVersion'] === 'string' ? v['apiVersion'] : '',
      kind: v['kind'],
      name: meta['name'],
      ...(typeof meta['namespace'] === 'string' ? { namespace: meta['namespace'] } : {}),
      body: v,
    });
  }
  return out;
}
