import { pgDate } from '../db/sql-tx.js';
import type { AppInstance, LcmOperation, PackageDistribution } from '../db/entities/index.js';

/**
 * Event payloads are snapshots of the subject after the change, with the field names of its GraphQL type and
 * dates as ISO strings: a subscription turns one back into the object it announces without reading the database,
 * so every subscriber sees the state as of that event, in commit order.
 */
export interface OperationSnapshot {
  id: string;
  tenantId: string;
  type: string;
  state: string;
  instanceId: string | null;
  packageId: string | null;
  hostId: string | null;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string; details?: Record<string, unknown> | null } | null;
  progress: Record<string, unknown> | null;
  attempts: number;
  createdBy: string | null;
  cancelRequested: boolean;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  rowVersion: number;
}

export interface InstanceSnapshot {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  packageId: string;
  hostId: string;
  instantiationState: string;
  operationalState: string | null;
  parameters: Record<string, string>;
  origin: string;
  createdAt: string;
  updatedAt: string;
  rowVersion: number;
}

export interface DistributionSnapshot {
  id: string;
  tenantId: string;
  packageId: string;
  hostId: string;
  state: string;
  error: string | null;
  operationId: string | null;
  createdAt: string;
  updatedAt: string;
  rowVersion: number;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `rowVersion` as it will be after the pending flush (MikroORM bumps the version column on update). */
export function operationSnapshot(o: LcmOperation): OperationSnapshot {
  return {
    id: o.id,
    tenantId: o.tenantId,
    type: o.type,
    state: o.state,
    instanceId: o.instanceId,
    packageId: o.packageId,
    hostId: o.hostId,
    params: o.params,
    result: o.result,
    error: o.error,
    progress: o.progress,
    attempts: o.attempts,
    createdBy: o.createdBy,
    cancelRequested: o.cancelRequested,
    createdAt: o.createdAt.toISOString(),
    updatedAt: new Date().toISOString(),
    startedAt: iso(o.startedAt),
    finishedAt: iso(o.finishedAt),
    rowVersion: o.rowVersion,
  };
}

export function instanceSnapshot(i: AppInstance): InstanceSnapshot {
  return {
    id: i.id,
    tenantId: i.tenantId,
    name: i.name,
    description: i.description,
    packageId: i.package.id,
    hostId: i.host.id,
    instantiationState: i.instantiationState,
    operationalState: i.operationalState,
    parameters: i.parameters,
    origin: i.origin,
    createdAt: i.createdAt.toISOString(),
    updatedAt: new Date().toISOString(),
    rowVersion: i.rowVersion,
  };
}

export function distributionSnapshot(d: PackageDistribution): DistributionSnapshot {
  return {
    id: d.id,
    tenantId: d.tenantId,
    packageId: d.package.id,
    hostId: d.host.id,
    state: d.state,
    error: d.error,
    operationId: d.operationId,
    createdAt: d.createdAt.toISOString(),
    updatedAt: new Date().toISOString(),
    rowVersion: d.rowVersion,
  };
}

/** An `app_instance` row as a raw statement returns it (secrets are never selected into one). */
export interface InstanceRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  package_id: string;
  host_id: string;
  instantiation_state: string;
  operational_state: string | null;
  parameters: Record<string, string>;
  origin: string;
  created_at: string;
  updated_at: string;
  row_version: number;
}

/** The snapshot of a row a raw statement changed and returned: its version is already the new one. */
export function instanceRowSnapshot(r: InstanceRow): InstanceSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    description: r.description,
    packageId: r.package_id,
    hostId: r.host_id,
    instantiationState: r.instantiation_state,
    operationalState: r.operational_state,
    parameters: r.parameters,
    origin: r.origin,
    createdAt: pgDate(r.created_at).toISOString(),
    updatedAt: pgDate(r.updated_at).toISOString(),
    rowVersion: r.row_version,
  };
}

/** A `package_distribution` row as a raw statement returns it. */
export interface DistributionRow {
  id: string;
  tenant_id: string;
  package_id: string;
  host_id: string;
  state: string;
  error: string | null;
  operation_id: string | null;
  created_at: string;
  updated_at: string;
  row_version: number;
}

export function distributionRowSnapshot(r: DistributionRow): DistributionSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    packageId: r.package_id,
    hostId: r.host_id,
    state: r.state,
    error: r.error,
    operationId: r.operation_id,
    createdAt: pgDate(r.created_at).toISOString(),
    updatedAt: pgDate(r.updated_at).toISOString(),
    rowVersion: r.row_version,
  };
}

/** What a plugin reported about an instance's workloads: a status change or a workload event. */
export interface WorkloadEventSnapshot {
  appInstanceId: string;
  hostId: string;
  kind: 'STATUS' | 'EVENT';
  /** For STATUS: the instance state (RUNNING, DEPLOYING, DEGRADED, FAILED, STOPPED, TERMINATING, ABSENT) and why. */
  state?: string;
  reason?: string;
  /** For EVENT: the object, severity and text, as the VIM reported them. */
  objectKind?: string;
  objectName?: string;
  type?: string;
  message?: string;
  count?: number;
  observedAt: string;
}
