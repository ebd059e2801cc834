import { status } from '@grpc/grpc-js';
import { InstanceStatus_State, type InstanceStatus, type Workload, type WorkloadEvent } from '../../generated/proto/applcm_plugin.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { NovaAction, NovaServer } from './openstack/nova.js';
import type { OpenStackCloud } from './openstack/openstack-cloud.js';
import type { VmInstanceRecord, VmServerRecord } from './vm-store.js';
import { cloudFor, failure, type VmContext } from './vm-context.js';

export interface InstanceView {
  rec: VmInstanceRecord;
  cloud: OpenStackCloud;
  /** Each recorded server as Nova shows it now (undefined: Nova no longer has it). */
  servers: { rec: VmServerRecord; server: NovaServer | undefined }[];
}

/** The instance's record and its servers as Nova shows them; NOT_FOUND for an instance the plugin does not hold. */
export async function readInstance(ctx: VmContext, tenantId: string, hostIp: string, appInstanceId: string): Promise<InstanceView> {
  const cloud = await cloudFor(ctx, tenantId, hostIp);
  const rec = await ctx.store.instance(tenantId, hostIp, appInstanceId);
  if (!rec) throw new RpcError(status.NOT_FOUND, `no instance ${appInstanceId} on host ${hostIp}`);
  try {
    return { rec, cloud, servers: await Promise.all(rec.servers.map(async (s) => ({ rec: s, server: await cloud.nova.server(s.id) }))) };
  } catch (e) {
    throw failure(`read instance ${appInstanceId}`, e);
  }
}

/** "network=ip" for each address of the server, in Nova's order. */
const addressesOf = (s: NovaServer | undefined): { name: string; ip: string }[] => Object.entries(s?.addresses ?? {}).flatMap(([name, list]) => list.map((a) => ({ name, ip: a.addr })));

/** The structured status: RUNNING when every server is ACTIVE, STOPPED when stopped on purpose, and so on. */
export function instanceStatus(v: InstanceView): InstanceStatus {
  const observedAt = new Date().toISOString();
  const workloads: Workload[] = v.servers.map(({ rec, server }) => ({
    kind: 'Server',
    // The server id: what a snapshot (createVmImage with properties.vmId) names.
    name: rec.id,
    phase: server?.status ?? 'DELETED',
    ready: server?.status === 'ACTIVE',
    containers: [],
    addresses: addressesOf(server).map((a) => `${a.name}=${a.ip}`),
  }));
  const base = { appInstanceId: v.rec.appInstanceId, workloads, services: [], observedAt };
  if (v.rec.state === 'FAILED') return { ...base, state: InstanceStatus_State.FAILED, reason: v.rec.reason ?? 'instantiate failed' };
  if (v.rec.state === 'CREATING') return { ...base, state: InstanceStatus_State.DEPLOYING, reason: 'servers are being created' };
  const statuses = v.servers.map((s) => s.server?.status ?? 'DELETED');
  const broken = v.servers.filter((s) => !s.server || s.server.status === 'ERROR');
  if (broken.length) return { ...base, state: InstanceStatus_State.DEGRADED, reason: broken.map((s) => `${s.rec.name}: ${s.server ? `ERROR ${s.server.fault?.message ?? ''}`.trim() : 'deleted outside the plugin'}`).join('; ') };
  if (v.rec.stopped) return { ...base, state: statuses.every((x) => x === 'SHUTOFF') ? InstanceStatus_State.STOPPED : InstanceStatus_State.DEPLOYING, reason: 'stopped on request' };
  if (statuses.every((x) => x === 'ACTIVE')) return { ...base, state: InstanceStatus_State.RUNNING, reason: '' };
  return { ...base, state: InstanceStatus_State.DEPLOYING, reason: statuses.join(', ') };
}

const ORIGINAL_STATUS: Record<VmInstanceRecord['state'], string> = { CREATING: 'Instantiating', ACTIVE: 'Instantiated', FAILED: 'Failure' };

/**
 * `query` in the original osplugin's shape (`code`, `msg`, `status`, `data: [{vmId, networks: [{name, ip}]}]`), plus
 * the `pods`/`services` lists every plugin's query carries in this project's contract (one entry per server).
 */
export function originalQueryJson(v: InstanceView): string {
  const st = instanceStatus(v);
  return JSON.stringify({
    code: 200,
    msg: st.state === InstanceStatus_State.RUNNING ? 'ok' : st.reason || null,
    status: ORIGINAL_STATUS[v.rec.state],
    data: v.servers.map(({ rec, server }) => ({ vmId: rec.id, vmName: rec.name, vduId: rec.vduId, status: server?.status ?? 'DELETED', networks: addressesOf(server) })),
    pods: v.servers.map(({ rec, server }) => ({ podname: rec.name, podstatus: server?.status ?? 'DELETED', containers: [] })),
    services: [],
  });
}

/** Each server's actions (Nova's instance actions) and its fault, newest last. */
export async function serverEvents(v: InstanceView): Promise<{ rec: VmServerRecord; server: NovaServer | undefined; actions: NovaAction[] }[]> {
  return Promise.all(
    v.servers.map(async ({ rec, server }) => ({
      rec,
      server,
      actions: server ? [...(await v.cloud.nova.actions(rec.id))].sort((a, b) => a.start_time.localeCompare(b.start_time)) : [],
    })),
  );
}

/** The events as WorkloadEvents (watchInstance). */
export function workloadEventsOf(events: Awaited<ReturnType<typeof serverEvents>>): WorkloadEvent[] {
  return events.flatMap(({ rec, server, actions }) => [
    ...actions.map((a) => ({ kind: 'Server', name: rec.id, type: 'Normal', reason: a.action, message: a.message ?? `${a.action} (${a.request_id})`, count: 1, firstSeen: a.start_time, lastSeen: a.start_time })),
    ...(server?.fault ? [{ kind: 'Server', name: rec.id, type: 'Warning', reason: 'Fault', message: server.fault.message ?? '', count: 1, firstSeen: server.fault.created ?? '', lastSeen: server.fault.created ?? '' }] : []),
  ]);
}

/**
 * `workloadEvents`: the original osplugin grouped Heat's events by resource (`resourceName`, `logicalResourceId`,
 * `physicalResourceId`, `events: [{eventTime, resourceStatus, resourceStatusReason}]`); without Heat the resources
 * are the servers and the events Nova's instance actions and faults. `pods` carries the same per server, as the
 * project's plugin contract asks of every plugin.
 */
export function originalEventsJson(events: Awaited<ReturnType<typeof serverEvents>>): string {
  const resources = events.map(({ rec, server, actions }) => ({
    resourceName: rec.name,
    logicalResourceId: rec.vduId,
    physicalResourceId: rec.id,
    events: [
      ...actions.map((a) => ({ eventTime: a.start_time, resourceStatus: a.action, resourceStatusReason: a.message ?? '' })),
      ...(server?.fault ? [{ eventTime: server.fault.created ?? '', resourceStatus: 'ERROR', resourceStatusReason: server.fault.message ?? '' }] : []),
    ],
  }));
  return JSON.stringify({
    resources,
    pods: resources.map((r) => ({ podName: r.resourceName, podEventsInfo: r.events.length ? r.events.map((e) => `${e.eventTime} ${e.resourceStatus}${e.resourceStatusReason ? `: ${e.resourceStatusReason}` : ''}`) : ['Server has no recorded actions'] })),
  });
}

/**
 * `queryKPI` as the original osplugin answered it: Nova's absolute limits, Neutron's quota details (`<resource>Limit`
 * and `<resource>Used`), the hypervisors' local disk when the credentials may see them, and the summary fields.
 */
export async function kpiJson(cloud: OpenStackCloud): Promise<string> {
  const data: Record<string, number> = {};
  const limits = await cloud.nova.limits();
  Object.assign(data, limits);
  const project = await cloud.session.projectId();
  try {
    for (const [k, q] of Object.entries(await cloud.neutron.quotaDetails(project))) {
      data[`${k}Limit`] = q.limit;
      data[`${k}Used`] = q.used;
    }
  } catch {
    // A cloud without the quota details extension: Nova's figures still answer.
  }
  let localGb = 0;
  let localGbUsed = 0;
  try {
    for (const h of await cloud.nova.hypervisors()) {
      localGb += h.local_gb ?? 0;
      localGbUsed += h.local_gb_used ?? 0;
    }
  } catch {
    // Hypervisors are an admin API: skipped when the credentials may not see them, as the original did.
  }
  Object.assign(data, {
    local_gb: localGb,
    local_gb_used: localGbUsed,
    virtual_local_storage_used: localGbUsed,
    virtual_local_storage_total: localGb,
    virtual_mem_used: limits['totalRAMUsed'] ?? 0,
    virtual_mem_total: limits['maxTotalRAMSize'] ?? 0,
    virtual_cpu_used: limits['totalCoresUsed'] ?? 0,
    virtual_cpu_total: limits['maxTotalCores'] ?? 0,
  });
  return JSON.stringify({ retCode: 200, message: 'success', data });
}
