import fs from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { isPackageId, isUuid } from '../plugin-kit/identity.js';
import { readJson, writeJson } from '../plugin-kit/json-file.js';

/** What the plugin remembers of a deployed (or deploying) instance; the release itself lives in the cluster. */
export interface InstanceRecord {
  appInstanceId: string;
  appPackageId: string;
  release: string;
  namespace: string;
  /** The plugin created the namespace for this instance, so terminate removes it (when no other release uses it). */
  createdNamespace: boolean;
  /** INSTALLING from just before helm starts until it answers; a record left INSTALLING is a crash. */
  state: 'INSTALLING' | 'DEPLOYED';
  /** Replicas of each workload before `operate STOP`, restored by START; absent while started. */
  stopped?: Record<string, number>;
  updatedAt: string;
}

/** A stored package: the CSAR as received, and the chart found in it (or why there is none). */
export interface PackageRecord {
  packageId: string;
  bytes: number;
  sha256: string;
  /** chart.tgz next to package.csar, checked with the package subsystem's archive rules. */
  chart?: { name: string; version: string; file: string; valuesYaml?: string };
  /** Why the CSAR has no usable chart; instantiate reports it. */
  chartError?: string;
}

/**
 * The plugin's files, per (tenant, host) as in the original: `hosts/<tenant>/<ip>/kubeconfig` (0600),
 * `packages/<tenant>/<ip>/<packageId>/{package.csar,chart.tgz,package.json}`,
 * `instances/<tenant>/<ip>/<instanceId>.json`, and `tmp/` for uploads and values files in flight. Every name taken
 * from a request is checked again here, so no path can climb out of the data dir.
 */
export class K8sStore {
  constructor(readonly dataDir: string) {}

  get tmpDir(): string {
    return path.join(this.dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    // Uploads and values files of a previous run that never finished.
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  kubeconfigPath(tenantId: string, hostIp: string): string {
    return path.join(this.dataDir, 'hosts', ...segments(tenantId, hostIp), 'kubeconfig');
  }

  async hasKubeconfig(tenantId: string, hostIp: string): Promise<boolean> {
    return fs.stat(this.kubeconfigPath(tenantId, hostIp)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async putKubeconfig(tenantId: string, hostIp: string, content: Buffer): Promise<void> {
    const file = this.kubeconfigPath(tenantId, hostIp);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, content, { mode: 0o600 });
    await fs.rename(tmp, file);
  }

  async removeKubeconfig(tenantId: string, hostIp: string): Promise<void> {
    await fs.rm(this.kubeconfigPath(tenantId, hostIp), { force: true });
  }

  packageDir(tenantId: string, hostIp: string, packageId: string): string {
    if (!isPackageId(packageId)) throw new Error(`not a package id: ${JSON.stringify(packageId)}`);
    return path.join(this.dataDir, 'packages', ...segments(tenantId, hostIp), packageId);
  }

  package(tenantId: string, hostIp: string, packageId: string): Promise<PackageRecord | undefined> {
    return readJson<PackageRecord>(path.join(this.packageDir(tenantId, hostIp, packageId), 'package.json'));
  }

  putPackage(tenantId: string, hostIp: string, rec: PackageRecord): Promise<void> {
    return writeJson(path.join(this.packageDir(tenantId, hostIp, rec.packageId), 'package.json'), rec);
  }

  async removePackage(tenantId: string, hostIp: string, packageId: string): Promise<boolean> {
    const dir = this.packageDir(tenantId, hostIp, packageId);
    const existed = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    await fs.rm(dir, { recursive: true, force: true });
    return existed;
  }

  private instancePath(tenantId: string, hostIp: string, appInstanceId: string): string {
    if (!isUuid(appInstanceId)) throw new Error(`not an instance id: ${JSON.stringify(appInstanceId)}`);
    return path.join(this.dataDir, 'instances', ...segments(tenantId, hostIp), `${appInstanceId.toLowerCase()}.json`);
  }

  instance(tenantId: string, hostIp: string, appInstanceId: string): Promise<InstanceRecord | undefined> {
    return readJson<InstanceRecord>(this.instancePath(tenantId, hostIp, appInstanceId));
  }

  putInstance(tenantId: string, hostIp: string, rec: InstanceRecord): Promise<void> {
    return writeJson(this.instancePath(tenantId, hostIp, rec.appInstanceId), { ...rec, updatedAt: new Date().toISOString() });
  }

  async removeInstance(tenantId: string, hostIp: string, appInstanceId: string): Promise<void> {
    await fs.rm(this.instancePath(tenantId, hostIp, appInstanceId), { force: true });
  }

  /** Every instance recorded for (tenant, host). */
  async instances(tenantId: string, hostIp: string): Promise<InstanceRecord[]> {
    const dir = path.dirname(this.instancePath(tenantId, hostIp, '00000000-0000-0000-0000-000000000000'));
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: InstanceRecord[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      const r = await readJson<InstanceRecord>(path.join(dir, n));
      if (r) out.push(r);
    }
    return out;
  }
}

function segments(tenantId: string, hostIp: string): [string, string] {
  const tenant = tenantId.toLowerCase();
  if (!isUuid(tenant)) throw new Error(`not a tenant id: ${JSON.stringify(tenantId)}`);
  if (!isIPv4(hostIp)) throw new Error(`not a host ip: ${JSON.stringify(hostIp)}`);
  return [tenant, hostIp];
}
