import { hostKey } from '../plugin-kit/host-keys.js';
import type { StoredFile, WorkloadEventRecord } from '../plugin-kit/kit-types.js';
import type { SimInstanceState } from './sim-options.js';

export type { StoredFile };
export type SimWorkloadEvent = WorkloadEventRecord;

export interface SimInstance {
  tenantId: string;
  hostIp: string;
  appInstanceId: string;
  appPackageId: string;
  parameters: Record<string, string>;
  state: SimInstanceState;
  reason: string;
  /** How often the container restarted (counts entries into DEGRADED). */
  restarts: number;
  events: SimWorkloadEvent[];
  /** Pending DEPLOYING → RUNNING step; cleared on terminate and stop. */
  deployTimer?: NodeJS.Timeout;
}

export interface SimImage {
  imageId: string;
  name: string;
  containerFormat: string;
  diskFormat: string;
  minRam: number;
  minDisk: number;
  properties: Record<string, string>;
  createdAt: string;
  /** Set once an upload completed. */
  file?: StoredFile;
}

/** What a plugin keeps per (tenant, host): the host's configuration and what was put on it. */
export interface HostState {
  config?: Buffer;
  packages: Map<string, StoredFile>;
  instances: Map<string, SimInstance>;
  images: Map<string, SimImage>;
}

export class SimStore {
  private readonly hosts = new Map<string, HostState>();

  /** The (tenant, host) state, created empty on first use. */
  host(tenantId: string, hostIp: string): HostState {
    const key = hostKey(tenantId, hostIp);
    let h = this.hosts.get(key);
    if (!h) {
      h = { packages: new Map(), instances: new Map(), images: new Map() };
      this.hosts.set(key, h);
    }
    return h;
  }

  find(tenantId: string, hostIp: string): HostState | undefined {
    return this.hosts.get(hostKey(tenantId, hostIp));
  }

  *instances(): Iterable<SimInstance> {
    for (const h of this.hosts.values()) yield* h.instances.values();
  }
}
