import { AppInstance, LcmOperation, type DistributionState } from '../db/entities/index.js';
import { AppInstanceUpdate, Change, OperationUpdate, PackageDistributionUpdate, WorkloadEventKind, WorkloadEventUpdate } from '../resolvers/types/event.types.js';
import type { LoggedEvent } from './event-reader.js';
import type { DistributionSnapshot, InstanceSnapshot, OperationSnapshot, WorkloadEventSnapshot } from './snapshots.js';

/**
 * Objects rebuilt from snapshots carry their entity's prototype (for `instanceof`) but own plain data properties:
 * the ORM's relation accessors on the prototype are bypassed, and no EntityManager ever holds them, so a long
 * subscription accumulates nothing.
 */
function detached<T extends object>(cls: { prototype: T }, fields: Record<string, unknown>): T {
  const o = Object.create(cls.prototype) as T;
  for (const [k, v] of Object.entries(fields)) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  return o;
}

const date = (s: string | null | undefined): Date | null => (s ? new Date(s) : null);

/**
 * Maps an event to the payload of a subscription, once per event whatever the number of subscribers: the bus hands
 * every subscriber the same event object, so the result is cached on it (weakly).
 */
export function memo<T>(build: (e: LoggedEvent) => T): (e: LoggedEvent) => T {
  const cache = new WeakMap<LoggedEvent, T>();
  return (e) => {
    let v = cache.get(e);
    if (v === undefined) cache.set(e, (v = build(e)));
    return v;
  };
}

export const toOperationUpdate = memo((e: LoggedEvent): OperationUpdate => {
  const p = e.payload as unknown as OperationSnapshot;
  const operation = detached(LcmOperation, {
    ...p,
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
    startedAt: date(p.startedAt),
    finishedAt: date(p.finishedAt),
  });
  return { sequence: e.sequence, operation };
});

export const toAppInstanceUpdate = memo((e: LoggedEvent): AppInstanceUpdate => {
  const p = e.payload as unknown as InstanceSnapshot;
  const appInstance = detached(AppInstance, {
    ...p,
    // What a relation holds when not loaded: the id. The package and host field resolvers load the rows by it.
    package: { id: p.packageId },
    host: { id: p.hostId },
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
  });
  return { sequence: e.sequence, deleted: e.topic === 'instance.deleted', appInstance, packageId: p.packageId, hostId: p.hostId };
});

export const toPackageDistributionUpdate = memo((e: LoggedEvent): PackageDistributionUpdate => {
  const p = e.payload as unknown as DistributionSnapshot;
  return {
    sequence: e.sequence,
    deleted: e.topic === 'distribution.deleted',
    id: p.id,
    tenantId: p.tenantId,
    packageId: p.packageId,
    hostId: p.hostId,
    state: p.state as DistributionState,
    error: p.error ?? null,
    operationId: p.operationId ?? null,
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
    rowVersion: p.rowVersion,
  };
});

export const toWorkloadEventUpdate = memo((e: LoggedEvent): WorkloadEventUpdate => {
  const p = e.payload as unknown as WorkloadEventSnapshot;
  return {
    sequence: e.sequence,
    appInstanceId: p.appInstanceId,
    hostId: p.hostId,
    kind: p.kind === 'EVENT' ? WorkloadEventKind.EVENT : WorkloadEventKind.STATUS,
    state: p.state ?? null,
    reason: p.reason ?? null,
    objectKind: p.objectKind ?? null,
    objectName: p.objectName ?? null,
    type: p.type ?? null,
    message: p.message ?? null,
    count: p.count ?? null,
    observedAt: new Date(p.observedAt),
  };
});

export const toChange = (e: LoggedEvent): Change => ({
  sequence: e.sequence,
  topic: e.topic,
  subjectId: e.subjectId,
  tenantId: e.tenantId,
  payload: e.payload,
  createdAt: e.createdAt,
});
