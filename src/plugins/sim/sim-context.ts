import { status } from '@grpc/grpc-js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { ShellContext } from '../plugin-kit/shell-context.js';
import type { SimPersistence } from './sim-persistence.js';
import type { HostState, SimInstance, SimStore } from './sim-store.js';

/** Everything the service handlers share. */
export interface SimContext extends ShellContext {
  store: SimStore;
  instances: InstanceLifecycle;
  /** Root of tmp/ (uploads in progress), hosts/ (configs and state), packages/ and images/: see sim-paths.ts. */
  dataDir: string;
  /** Told after every change of a (tenant, host); handlers await it before they answer. */
  persist: SimPersistence;
}

/** The (tenant, host) state, which must have a configuration: without one a real plugin cannot reach the VIM. */
export function configuredHost(ctx: SimContext, tenantId: string, hostIp: string): HostState {
  const h = ctx.store.find(tenantId, hostIp);
  if (!h?.config) throw new RpcError(status.FAILED_PRECONDITION, `no configuration uploaded for host ${hostIp} of tenant ${tenantId}`);
  return h;
}

export function existingInstance(host: HostState, appInstanceId: string): SimInstance {
  const inst = host.instances.get(appInstanceId.toLowerCase());
  if (!inst) throw new RpcError(status.NOT_FOUND, `no instance ${appInstanceId}`);
  return inst;
}
