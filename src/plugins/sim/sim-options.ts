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

export type { PluginRpc as SimRpc, InjectedFault as SimFault, CallRecord as SimCallRecord } from '../plugin-kit/kit-types.js';

export type SimInstanceState = 'RUNNING' | 'DEPLOYING' | 'DEGRADED' | 'FAILED' | 'STOPPED';

