// Types shared by the plugins built on the plugin kit (the simulator, the Kubernetes and VM plugins): the rpc names the
// runner knows, injected faults (the simulator's test switches, also used by the other plugins' tests) and call records.

export type PluginRpc =
  | 'instantiate'
  | 'terminate'
  | 'operate'
  | 'query'
  | 'queryKPI'
  | 'queryPackageStatus'
  | 'uploadConfig'
  | 'removeConfig'
  | 'workloadEvents'
  | 'uploadPackage'
  | 'deletePackage'
  | 'health'
  | 'capabilities'
  | 'instanceStatus'
  | 'watchInstance'
  | 'createVmImage'
  | 'queryVmImage'
  | 'deleteVmImage'
  | 'downloadVmImage'
  | 'uploadVmImage'
  | 'importVmImage'
  // The original resource-manager services the VM plugin serves (rescontroller's /rescontroller routes).
  | 'createVm'
  | 'queryVm'
  | 'operateVm'
  | 'deleteVm'
  | 'createFlavor'
  | 'queryFlavor'
  | 'deleteFlavor'
  | 'createNetwork'
  | 'queryNetwork'
  | 'deleteNetwork'
  | 'createSecurityGroup'
  | 'querySecurityGroup'
  | 'deleteSecurityGroup'
  | 'createSecurityGroupRule'
  | 'querySecurityGroupRule'
  | 'deleteSecurityGroupRule';

/**
 * A failure to inject. It strikes at once for unary calls, after `afterBytes` payload bytes for client streams and
 * after `afterMessages` messages for server streams (both default 0: at once).
 */
export interface InjectedFault {
  rpc: PluginRpc | '*';
  /**
   * fail: answer a gRPC error; stall: never answer (until the client's deadline or cancel, or stop());
   * drop: reset the call's HTTP/2 stream, so the client sees an error status it cannot take for success.
   */
  kind: 'fail' | 'stall' | 'drop';
  /** Status code for 'fail'; default INTERNAL. */
  code?: number;
  message?: string;
  afterBytes?: number;
  afterMessages?: number;
  /** How many calls it applies to; default unlimited. */
  times?: number;
}

export interface CallRecord {
  rpc: PluginRpc;
  tenantId?: string;
  hostIp?: string;
  /** The instance, package or image the call is about. */
  id?: string;
  /** Date.now() when the call arrived. */
  at: number;
}

/** A package or image file a plugin keeps on disk. */
export interface StoredFile {
  bytes: number;
  sha256: string;
  path: string;
}

export interface WorkloadEventRecord {
  type: string;
  reason: string;
  message: string;
  /** RFC 3339. */
  at: string;
}
