import type { PluginServeOptions } from '../plugin-kit/plugin-options.js';

export interface SimPluginOptions extends PluginServeOptions {
  /** VIM types announced by `capabilities`; default ['k8s']. */
  vimTypes?: string[];
  /**
   * Where the simulator keeps what it is sent. Given, it is kept there across restarts: configs (mode 0600),
   * package index, instances and images are written on every change and loaded on start, when files no state
   * refers to are removed. Default a fresh temp dir, removed on stop (nothing survives).
   */
  dataDir?: string;
  /** How long a new instance reports DEPLOYING before RUNNING; default 0 (RUNNING at once). */
  deployDelayMs?: number;
}

export type { PluginRpc as SimRpc, InjectedFault as SimFault, CallRecord as SimCallRecord } from '../plugin-kit/kit-types.js';

export type SimInstanceState = 'RUNNING' | 'DEPLOYING' | 'DEGRADED' | 'FAILED' | 'STOPPED';
