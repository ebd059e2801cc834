import type { ServerTlsOptions } from '../grpc-tls.js';

export interface SimPluginOptions {
  /** VIM types announced by `capabilities`; default ['k8s']. */
  vimTypes?: string[];
  /**
   * Where the simulator keeps what it is sent. Given, it is kept there across restarts: configs (mode 0600),
   * package index, instances and images are written on every change and loaded on start, when files no state
   * refers to are removed. Default a fresh temp dir, removed on stop (nothing survives).
   */
  dataDir?: string;
  /** Default 127.0.0.1:0 (a free loopback port). */
  host?: string;
  port?: number;
  tls?: ServerTlsOptions;
  maxReceiveMessageBytes?: number;
  /** Called with every non-empty access token; false answers PERMISSION_DENIED. */
  verifyToken?: (token: string) => boolean | Promise<boolean>;
  /** How long a new instance reports DEPLOYING before RUNNING; default 0 (RUNNING at once). */
  deployDelayMs?: number;
  /** Watch heartbeat interval when the client asks for none; default 15000. */
  heartbeatMs?: number;
}

export type SimRpc =
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
  | 'uploadVmImage';

/**
 * A failure to inject. It strikes at once for unary calls, after `afterBytes` payload bytes for client streams and
 * after `afterMessages` messages for server streams (both default 0: at once).
 */
export interface SimFault {
  rpc: SimRpc | '*';
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

export type SimInstanceState = 'RUNNING' | 'DEPLOYING' | 'DEGRADED' | 'FAILED' | 'STOPPED';

export interface SimCallRecord {
  rpc: SimRpc;
  tenantId?: string;
  hostIp?: string;
  /** The instance, package or image the call is about. */
  id?: string;
  /** Date.now() when the call arrived. */
  at: number;
}
