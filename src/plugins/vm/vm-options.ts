import type { PluginServeOptions } from '../plugin-kit/plugin-options.js';

export interface VmPluginOptions extends PluginServeOptions {
  /** rc files (0600), packages and instance records. Kept across restarts; default a fresh temp dir removed on stop. */
  dataDir?: string;
  /** Deadline of one OpenStack API request; default 30 s. */
  requestTimeoutMs?: number;
  /** OpenStack API requests in flight at once per cloud; default 8. */
  maxInFlight?: number;
  /** A Keystone token is renewed this long before it expires; default 60 s. */
  tokenRenewBeforeMs?: number;
  /** How long instantiate waits for its servers to become ACTIVE; default 150 s, under the controller's 180 s. */
  bootTimeoutMs?: number;
  /** How often servers (booting, stopping, being deleted) and images are looked at; default 2 s. */
  pollMs?: number;
  /** How long a server or image deletion is waited for; default 60 s. */
  deleteTimeoutMs?: number;
  /** Package images downloaded from http(s) URLs go through this proxy (http://host:port); default none. */
  imageProxy?: string;
  /** Largest image accepted from a URL or a package; default 64 GiB. */
  maxImageBytes?: number;
  /** Image uploads to Glance at once (per plugin); default 2. */
  maxImageUploads?: number;
  /** How often a watch looks at the servers; default 5000. */
  watchPollMs?: number;
}

export interface ResolvedVmOptions {
  requestTimeoutMs: number;
  maxInFlight: number;
  tokenRenewBeforeMs: number;
  bootTimeoutMs: number;
  pollMs: number;
  deleteTimeoutMs: number;
  imageProxy?: string;
  maxImageBytes: number;
  maxImageUploads: number;
  watchPollMs: number;
}

export function resolveVmOptions(o: VmPluginOptions): ResolvedVmOptions {
  return {
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
    maxInFlight: o.maxInFlight ?? 8,
    tokenRenewBeforeMs: o.tokenRenewBeforeMs ?? 60_000,
    bootTimeoutMs: o.bootTimeoutMs ?? 150_000,
    pollMs: o.pollMs ?? 2_000,
    deleteTimeoutMs: o.deleteTimeoutMs ?? 60_000,
    ...(o.imageProxy ? { imageProxy: o.imageProxy } : {}),
    maxImageBytes: o.maxImageBytes ?? 64 * 1024 ** 3,
    maxImageUploads: o.maxImageUploads ?? 2,
    watchPollMs: o.watchPollMs ?? 5_000,
  };
}
