import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppInstance, LcmOperation, PackageDistribution } from '../db/entities/index.js';
import { appendEvent, type EventInput } from '../events/event-log.js';
import { distributionSnapshot, instanceSnapshot, operationSnapshot, type DistributionSnapshot, type InstanceSnapshot } from '../events/snapshots.js';

/**
 * How the row changes in the flush that follows: an update bumps its version, a creation or deletion does not.
 * A row a raw statement already changed and returned is `stored`: its version is the new one.
 */
export type Change = 'created' | 'updated' | 'deleted' | 'stored';

const version = (rowVersion: number, change: Change) => (change === 'updated' ? rowVersion + 1 : rowVersion);

/** The event announcing an operation's state. */
export const operationEvent = (op: LcmOperation, change: Change): EventInput => ({
  topic: 'operation.updated',
  tenantId: op.tenantId,
  subjectId: op.id,
  payload: { ...operationSnapshot(op), rowVersion: version(op.rowVersion, change) },
});

/** The event announcing an instance's state, or that it is gone. */
export const instanceEvent = (s: InstanceSnapshot, deleted: boolean): EventInput => ({
  topic: deleted ? 'instance.deleted' : 'instance.updated',
  tenantId: s.tenantId,
  subjectId: s.id,
  payload: { ...s },
});

export const distributionEvent = (s: DistributionSnapshot, deleted: boolean): EventInput => ({
  topic: deleted ? 'distribution.deleted' : 'distribution.updated',
  tenantId: s.tenantId,
  subjectId: s.id,
  payload: { ...s },
});

/** Appends the operation's snapshot to the event log, in the caller's unit of work. */
export function recordOperation(em: EntityManager, op: LcmOperation, change: Change): void {
  appendEvent(em, operationEvent(op, change));
}

export function recordInstance(em: EntityManager, inst: AppInstance, change: Change): void {
  appendEvent(em, instanceEvent({ ...instanceSnapshot(inst), rowVersion: version(inst.rowVersion, change) }, change === 'deleted'));
}

export function recordDistribution(em: EntityManager, d: PackageDistribution, change: Change): void {
  appendEvent(em, distributionEvent({ ...distributionSnapshot(d), rowVersion: version(d.rowVersion, change) }, change === 'deleted'));
}
