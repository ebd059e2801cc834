import { DomainError, ErrorCode } from '../errors.js';
import { InstanceStatus_State, type InstanceStatus } from '../generated/proto/applcm_plugin.js';
import { sanitizePluginText } from '../plugins/plugin-errors.js';
import {
  InstanceLiveState,
  InstanceStatusSource,
  type ContainerView,
  type InstanceStatusView,
  type ServiceEndpointView,
  type WorkloadView,
} from '../resolvers/types/instance-status.types.js';

// An instance's live status in one GraphQL shape, whether the plugin serves the structured PluginExtensions
// instanceStatus or only the original AppLCM query JSON (an EdgeGallery plugin).

const STATE_OF: Partial<Record<InstanceStatus_State, InstanceLiveState>> = {
  [InstanceStatus_State.RUNNING]: InstanceLiveState.RUNNING,
  [InstanceStatus_State.DEPLOYING]: InstanceLiveState.DEPLOYING,
  [InstanceStatus_State.DEGRADED]: InstanceLiveState.DEGRADED,
  [InstanceStatus_State.FAILED]: InstanceLiveState.FAILED,
  [InstanceStatus_State.STOPPED]: InstanceLiveState.STOPPED,
  [InstanceStatus_State.TERMINATING]: InstanceLiveState.TERMINATING,
  [InstanceStatus_State.ABSENT]: InstanceLiveState.ABSENT,
};

const dateOr = (text: string, fallback: Date): Date => {
  const d = text ? new Date(text) : fallback;
  return Number.isNaN(d.getTime()) ? fallback : d;
};

/** The structured status of PluginExtensions.instanceStatus. */
export function statusFromProto(s: InstanceStatus, receivedAt = new Date()): InstanceStatusView {
  return {
    appInstanceId: s.appInstanceId,
    state: STATE_OF[s.state] ?? InstanceLiveState.UNKNOWN,
    reason: s.reason,
    workloads: s.workloads.map((w) => ({
      kind: w.kind,
      name: w.name,
      phase: w.phase,
      ready: w.ready,
      addresses: [...w.addresses],
      containers: w.containers.map((c) => ({ name: c.name, state: c.state, ready: c.ready, restarts: c.restarts, image: c.image, cpuUsage: c.cpuUsage, memoryUsage: c.memoryUsage })),
    })),
    services: s.services.map((svc) => ({
      name: svc.name,
      type: svc.type,
      ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort: p.nodePort })),
    })),
    observedAt: dateOr(s.observedAt, receivedAt),
    source: InstanceStatusSource.EXTENSIONS,
  };
}

/** What the controller knows that the original JSON does not say. */
export interface StatusHints {
  appInstanceId: string;
  /** The instance's operational state in the controller: an instance without pods that was stopped is STOPPED. */
  stopped: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const int = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number.parseInt(str(v), 10);
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : 0;
};

/** The original usage texts are "<used>" or "<used>/<allocatable>" as plain numbers (millicores, bytes), or empty. */
const usedOf = (text: unknown): number | null => {
  const head = str(text).split('/')[0]!.trim();
  if (!/^\d+(\.\d+)?$/.test(head)) return null;
  return Number(head);
};
const cpuQuantity = (text: unknown): string => {
  const n = usedOf(text);
  return n === null ? '' : `${Math.round(n)}m`;
};
const memQuantity = (text: unknown): string => {
  const n = usedOf(text);
  if (n === null) return '';
  const bytes = Math.round(n);
  if (bytes > 0 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}Mi`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return String(bytes);
};

const unreadable = (why: string): DomainError =>
  new DomainError(ErrorCode.PLUGIN_ERROR, `the plugin's query answer could not be read as a status: ${why}`, { rpc: 'query' });

/** Kubernetes pod phases to a state for the whole instance (the original JSON has no readiness). */
function stateOfPods(phases: string[], h: StatusHints): InstanceLiveState {
  if (phases.length === 0) return h.stopped ? InstanceLiveState.STOPPED : InstanceLiveState.UNKNOWN;
  if (phases.every((p) => p === 'Running' || p === 'Succeeded')) return InstanceLiveState.RUNNING;
  if (phases.includes('Failed')) return InstanceLiveState.FAILED;
  if (phases.includes('Pending')) return InstanceLiveState.DEPLOYING;
  return InstanceLiveState.DEGRADED;
}

/** The original k8s plugin: {"pods":[{podstatus,podname,containers:[{containername,metricsusage}]}],"services":[…]}. */
function fromK8sJson(doc: Json, h: StatusHints, receivedAt: Date): InstanceStatusView {
  const workloads: WorkloadView[] = list(doc.pods).filter(isObject).map((p) => {
    const phase = str(p.podstatus);
    const ready = phase === 'Running';
    const containers: ContainerView[] = list(p.containers)
      .filter(isObject)
      .map((c) => {
        const usage = isObject(c.metricsusage) ? c.metricsusage : {};
        return { name: str(c.containername), state: '', ready, restarts: 0, image: '', cpuUsage: cpuQuantity(usage.cpuusage), memoryUsage: memQuantity(usage.memusage) };
      });
    return { kind: 'Pod', name: str(p.podname), phase, ready, containers, addresses: [] };
  });
  const services: ServiceEndpointView[] = list(doc.services).filter(isObject).map((s) => ({
    name: str(s.serviceName),
    type: str(s.type),
    ports: list(s.ports).filter(isObject).map((p) => ({ name: str(p.name), protocol: str(p.protocol), port: int(p.port), targetPort: str(p.targetPort), nodePort: int(p.nodePort) })),
  }));
  return {
    appInstanceId: h.appInstanceId,
    state: stateOfPods(workloads.map((w) => w.phase), h),
    reason: '',
    workloads,
    services,
    observedAt: receivedAt,
    source: InstanceStatusSource.QUERY,
  };
}

const OPENSTACK_STATE: Record<string, InstanceLiveState> = {
  Instantiated: InstanceLiveState.RUNNING,
  Instantiating: InstanceLiveState.DEPLOYING,
  Terminating: InstanceLiveState.TERMINATING,
  Failure: InstanceLiveState.FAILED,
  Failed: InstanceLiveState.FAILED,
};

/** The original OpenStack plugin: {"code":200,"msg":…,"status":"Instantiated","data":[{vmId,networks:[{name,ip}]}]}. */
function fromOpenStackJson(doc: Json, h: StatusHints, receivedAt: Date): InstanceStatusView {
  const code = int(doc.code);
  if (code === 404) return absent(h, 'the plugin holds no such instance', receivedAt);
  if (code !== 200) throw unreadable(`the plugin answered code ${code}${doc.msg ? ` (${sanitizePluginText(str(doc.msg))})` : ''}`);
  const status = str(doc.status);
  const state = OPENSTACK_STATE[status] ?? InstanceLiveState.UNKNOWN;
  const msg = str(doc.msg);
  const workloads: WorkloadView[] = list(doc.data).filter(isObject).map((vm) => ({
    kind: 'Server',
    name: str(vm.vmId),
    phase: status,
    ready: state === InstanceLiveState.RUNNING,
    containers: [],
    addresses: list(vm.networks).filter(isObject).map((n) => `${str(n.name)}=${str(n.ip)}`),
  }));
  return { appInstanceId: h.appInstanceId, state, reason: msg === 'ok' ? '' : sanitizePluginText(msg), workloads, services: [], observedAt: receivedAt, source: InstanceStatusSource.QUERY };
}

const absent = (h: StatusHints, reason: string, receivedAt: Date): InstanceStatusView => ({
  appInstanceId: h.appInstanceId,
  state: InstanceLiveState.ABSENT,
  reason,
  workloads: [],
  services: [],
  observedAt: receivedAt,
  source: InstanceStatusSource.QUERY,
});

/**
 * The status read from the original AppLCM.query answer (k8s or OpenStack plugin). The original k8s plugin answers
 * the bare text "Failure" when it has no record of the instance: that is ABSENT, as the structured status says.
 */
export function statusFromQueryJson(text: string, h: StatusHints, receivedAt = new Date()): InstanceStatusView {
  if (text.trim() === 'Failure') return absent(h, 'the plugin holds no record of the instance', receivedAt);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw unreadable('not JSON');
  }
  if (!isObject(doc)) throw unreadable('not a JSON object');
  if ('pods' in doc || 'services' in doc) return fromK8sJson(doc, h, receivedAt);
  if ('code' in doc) return fromOpenStackJson(doc, h, receivedAt);
  throw unreadable('neither the k8s nor the OpenStack shape');
}
