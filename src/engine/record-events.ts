import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppInstance, LcmOperation, PackageDistribution } from '../db/entities/index.js';
import { appendEvent } from '../events/event-log.js';
import { distributionSnapshot, instanceSnapshot, operationSnapshot } from '../events/snapshots.js';

/** How the row changes in the flush that follows: an update bumps its version, a creation or deletion does not. */
export type Change = 'created' | 'updated' | 'deleted';

const version = (rowVersion: number, change: Change) => (change === 'updated' ? rowVersion + 1 : rowVersion);

/** Appends the operation's snapshot to the event log, in the caller's transaction. */
export function recordOperation(em: EntityManager, op: LcmOperation, change: Change): void {
  appendEvent(em, { topic: 'operation.updated', tenantId: op.tenantId, subjectId: op.id, payload: { ...operationSnapshot(op), rowVersion: version(op.rowVersion, change) } });
}

export function recordInstance(em: EntityManager, inst: AppInstance, change: Change): void {
  appendEvent(em, {
    topic: change === 'deleted' ? 'instance.deleted' : 'instance.updated',
    tenantId: inst.tenantId,
    subjectId: inst.id,
    payload: { ...instanceSnapshot(inst), rowVersion: version(inst.rowVersion, change) },
  });
}

export function recordDistribution(em: EntityManager, d: PackageDistribution, change: Change): void {
  appendEvent(em, {
    topic: change === 'deleted' ? 'distribution.deleted' : 'distribution.updated',
    tenantId: d.tenantId,
    subjectId: d.id,
    payload: { ...distributionSnapshot(d), rowVersion: version(d.rowVersion, change) },
  });
}
