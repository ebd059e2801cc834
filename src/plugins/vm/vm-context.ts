import { status } from '@grpc/grpc-js';
import type { CallSlots } from '../call-slots.js';
import { hostKey } from '../plugin-kit/host-keys.js';
import type { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { ShellContext } from '../plugin-kit/shell-context.js';
import type { ImageFetcher } from './image-fetch.js';
import { OpenStackCloud } from './openstack/openstack-cloud.js';
import { OpenStackError } from './openstack/openstack-error.js';
import { parseRcFile, RcFileError } from './rc-file.js';
import type { ResolvedVmOptions } from './vm-options.js';
import type { VmStore } from './vm-store.js';

/** Everything the VM plugin's handlers share. */
export interface VmContext extends ShellContext {
  store: VmStore;
  opts: ResolvedVmOptions;
  /** Operations per instance, and changes of a host's owned-resources registry, serialised. */
  locks: KeyedLock;
  /** One session per (tenant, host), kept while its rc file is unchanged: the Keystone token is reused. */
  clouds: Map<string, { rc: string; cloud: OpenStackCloud }>;
  /** Image uploads to Glance in flight, per package; aborted when the package is deleted or the plugin stops. */
  uploads: Map<string, AbortController>;
  imageSlots: CallSlots;
  fetcher: ImageFetcher;
}

/** The lock of a host's owned-resources registry. */
export const registryKey = (tenantId: string, hostIp: string): string => `registry:${hostKey(tenantId, hostIp)}`;

const noConfig = (tenantId: string, hostIp: string) => new RpcError(status.FAILED_PRECONDITION, `no OpenStack rc file uploaded for host ${hostIp} of tenant ${tenantId}`);

export async function needsConfig(ctx: VmContext, tenantId: string, hostIp: string): Promise<void> {
  if ((await ctx.store.rcFile(tenantId, hostIp)) === undefined) throw noConfig(tenantId, hostIp);
}

/** The host's cloud; FAILED_PRECONDITION without an rc file, as every plugin answers. */
export async function cloudFor(ctx: VmContext, tenantId: string, hostIp: string): Promise<OpenStackCloud> {
  const rc = await ctx.store.rcFile(tenantId, hostIp);
  if (rc === undefined) throw noConfig(tenantId, hostIp);
  const key = hostKey(tenantId, hostIp);
  const known = ctx.clouds.get(key);
  if (known?.rc === rc) return known.cloud;
  let parsed;
  try {
    parsed = parseRcFile(rc);
  } catch (e) {
    throw new RpcError(status.FAILED_PRECONDITION, `the stored rc file is unusable: ${(e as Error).message}`);
  }
  const cloud = new OpenStackCloud(parsed, { requestTimeoutMs: ctx.opts.requestTimeoutMs, maxInFlight: ctx.opts.maxInFlight, renewBeforeMs: ctx.opts.tokenRenewBeforeMs });
  ctx.clouds.set(key, { rc, cloud });
  return cloud;
}

/** The cloud did not do what was asked (a server went to ERROR, a deletion never finished): UNKNOWN, as OpenStack's own refusals. */
export class VimError extends Error {}

/** OpenStack and other failures as the caller sees them: the service's own text, with what the plugin was doing. */
export function failure(what: string, e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (e instanceof VimError) return new RpcError(status.UNKNOWN, `${what}: ${e.message}`);
  if (e instanceof RcFileError) return new RpcError(status.FAILED_PRECONDITION, `${what}: ${e.message}`);
  if (e instanceof OpenStackError) {
    if (e.status === 0) return new RpcError(status.UNAVAILABLE, `${what}: OpenStack ${e.message}`);
    if (e.status === 401 && e.what.includes('auth/tokens')) return new RpcError(status.FAILED_PRECONDITION, `${what}: Keystone refused the rc file's credentials (${e.message})`);
    return new RpcError(status.UNKNOWN, `${what}: OpenStack ${e.message}`);
  }
  return new RpcError(status.INTERNAL, `${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/** Runs `fn`, turning what it throws into the RPC's error. */
export async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw failure(what, e);
  }
}
