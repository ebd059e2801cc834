import { createHash } from 'node:crypto';
import {
  InstanceStatus_State,
  type InstanceStatus,
  type ServiceEndpoint,
  type Workload,
  type WorkloadEvent,
} from '../../generated/proto/applcm_plugin.js';
import type { SimInstanceState } from './sim-options.js';
import type { SimInstance, SimWorkloadEvent } from './sim-store.js';

// What a simulated instance looks like on its "cluster": one pod "<shortid>-0" with one container "app", and one
// ClusterIP service; both the original JSON (k8s-json.ts) and the structured status are drawn from this.

const shortId = (inst: SimInstance): string => inst.appInstanceId.slice(0, 8);
export const podName = (inst: SimInstance): string => `${shortId(inst)}-0`;
export const serviceName = (inst: SimInstance): string => `${shortId(inst)}-svc`;

export interface PodView {
  name: string;
  /** Kubernetes pod phase. */
  phase: string;
  ready: boolean;
  containerState: string;
  ip: string;
  /** Millicores and bytes; zero when the container is not running. */
  cpuMilli: number;
  memBytes: number;
}

const POD_OF: Record<Exclude<SimInstanceState, 'STOPPED'>, { phase: string; ready: boolean; containerState: string }> = {
  RUNNING: { phase: 'Running', ready: true, containerState: 'running' },
  DEPLOYING: { phase: 'Pending', ready: false, containerState: 'waiting: ContainerCreating' },
  DEGRADED: { phase: 'Running', ready: false, containerState: 'waiting: CrashLoopBackOff' },
  FAILED: { phase: 'Failed', ready: false, containerState: 'terminated: Error' },
};

/** The instance's pods: none when STOPPED (scaled to zero), as on Kubernetes. */
export function podsOf(inst: SimInstance): PodView[] {
  if (inst.state === 'STOPPED') return [];
  const p = POD_OF[inst.state];
  const running = p.containerState === 'running';
  return [{ name: podName(inst), ...p, ip: podIp(inst), cpuMilli: running ? 10 : 0, memBytes: running ? 32 * 1024 * 1024 : 0 }];
}

export const SERVICE_PORT = { name: 'http', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 0 } as const;

/** A stable pod address per instance, so repeated queries agree. */
function podIp(inst: SimInstance): string {
  const h = createHash('sha256').update(inst.appInstanceId).digest();
  return `10.244.${h[0]!}.${(h[1]! % 253) + 1}`;
}

const STATE: Record<SimInstanceState, InstanceStatus_State> = {
  RUNNING: InstanceStatus_State.RUNNING,
  DEPLOYING: InstanceStatus_State.DEPLOYING,
  DEGRADED: InstanceStatus_State.DEGRADED,
  FAILED: InstanceStatus_State.FAILED,
  STOPPED: InstanceStatus_State.STOPPED,
};

export function instanceStatusOf(inst: SimInstance): InstanceStatus {
  const workloads: Workload[] = podsOf(inst).map((p) => ({
    kind: 'Pod',
    name: p.name,
    phase: p.phase,
    ready: p.ready,
    addresses: [p.ip],
    containers: [
      {
        name: 'app',
        state: p.containerState,
        ready: p.ready,
        restarts: inst.restarts,
        image: `sim.local/${inst.appPackageId}:latest`,
        cpuUsage: p.cpuMilli ? `${p.cpuMilli}m` : '',
        memoryUsage: p.memBytes ? `${p.memBytes / (1024 * 1024)}Mi` : '',
      },
    ],
  }));
  const services: ServiceEndpoint[] = [{ name: serviceName(inst), type: 'ClusterIP', ports: [{ ...SERVICE_PORT }] }];
  return { appInstanceId: inst.appInstanceId, state: STATE[inst.state], reason: inst.reason, workloads, services, observedAt: new Date().toISOString() };
}

export function workloadEventOf(inst: SimInstance, ev: SimWorkloadEvent): WorkloadEvent {
  return { kind: 'Pod', name: podName(inst), type: ev.type, reason: ev.reason, message: ev.message, count: 1, firstSeen: ev.at, lastSeen: ev.at };
}
