/**
 * Every plugin call has an explicit deadline (gRPC has none by default, and a call without one can hang a worker
 * forever). Calls are grouped by kind so that a quick read does not wait as long as a Helm install.
 */
export type RpcKind = 'health' | 'query' | 'config' | 'lifecycle' | 'transfer' | 'watch';

export type Deadlines = Record<RpcKind, number>;

export const DEFAULT_DEADLINES: Deadlines = {
  /** health and capabilities: a plugin that cannot answer this quickly is not healthy. */
  health: 5_000,
  /** query, queryKPI, queryPackageStatus, workloadEvents, instanceStatus. */
  query: 30_000,
  /** uploadConfig, removeConfig. */
  config: 30_000,
  /** instantiate, terminate, deletePackage: the original's 180 s. */
  lifecycle: 180_000,
  /** uploadPackage and image streams: bytes, so long. */
  transfer: 30 * 60_000,
  /** watchInstance: long-lived; the watcher reconnects when it ends. */
  watch: 60 * 60_000,
};

export const deadlineFor = (deadlines: Deadlines, kind: RpcKind): Date => new Date(Date.now() + deadlines[kind]);
