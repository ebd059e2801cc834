import type { PluginServeOptions } from '../plugin-kit/plugin-options.js';

export interface K8sPluginOptions extends PluginServeOptions {
  /**
   * Where the plugin keeps kubeconfigs (0600), packages and instance records. Kept across restarts; default a fresh
   * temp dir removed on stop.
   */
  dataDir?: string;
  /** The helm executable; default $HELM_BIN, else `helm` on PATH. */
  helmBin?: string;
  /** How long helm waits for a release's resources to become ready (`--timeout`); default 150 s, under the controller's 180 s. */
  helmTimeoutMs?: number;
  /** helm processes running at once (installs beyond wait their turn); default 4. */
  maxHelmProcesses?: number;
  /** Deadline of one Kubernetes API read; default 5 s, so an unreachable cluster is reported quickly. */
  kubeRequestTimeoutMs?: number;
  /** Kubernetes API requests in flight at once per cluster; default 8. */
  kubeMaxInFlight?: number;
}

export interface ResolvedK8sOptions {
  helmBin: string;
  helmTimeoutMs: number;
  maxHelmProcesses: number;
  kubeRequestTimeoutMs: number;
  kubeMaxInFlight: number;
}

export function resolveK8sOptions(o: K8sPluginOptions): ResolvedK8sOptions {
  return {
    helmBin: o.helmBin ?? process.env['HELM_BIN'] ?? 'helm',
    helmTimeoutMs: o.helmTimeoutMs ?? 150_000,
    maxHelmProcesses: o.maxHelmProcesses ?? 4,
    kubeRequestTimeoutMs: o.kubeRequestTimeoutMs ?? 5_000,
    kubeMaxInFlight: o.kubeMaxInFlight ?? 8,
  };
}
