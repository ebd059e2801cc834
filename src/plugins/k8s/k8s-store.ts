import fs from 'node:fs/promises';
import { PluginFiles } from '../plugin-kit/plugin-files.js';

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
 * The plugin's files (plugin-files.ts): `hosts/<tenant>/<ip>/kubeconfig` (0600),
 * `packages/<tenant>/<ip>/<packageId>/{package.csar,chart.tgz,package.json}`, `instances/<tenant>/<ip>/<instanceId>.json`,
 * and `tmp/` for uploads and values files in flight.
 */
export class K8sStore extends PluginFiles<PackageRecord, InstanceRecord> {
  constructor(dataDir: string) {
    super(dataDir, 'kubeconfig');
  }

  async hasConfig(tenantId: string, hostIp: string): Promise<boolean> {
    return fs.stat(this.configPath(tenantId, hostIp)).then(
      (s) => s.isFile(),
      () => false,
    );
  }
}
