import { DomainError, ErrorCode } from '../../errors.js';
import { distributionRowSnapshot, instanceRowSnapshot, type DistributionRow, type InstanceRow } from '../../events/snapshots.js';
import type { OutcomeStatement } from '../outcome-tx.js';
import { distributionEvent, instanceEvent } from '../record-events.js';

/** What an instance's snapshot needs (never the secrets). */
const INSTANCE_COLUMNS = 'id, tenant_id, name, description, package_id, host_id, instantiation_state, operational_state, parameters, origin, created_at, updated_at, row_version';

/**
 * Changes an instance as part of an outcome and announces its new state. `set` holds column assignments written by
 * the handler (never input); their values go in `params`. A vanished instance refuses the outcome when `required`.
 */
export function updateInstance(id: string, set: string, params: readonly unknown[] = [], opts: { required?: boolean } = {}): OutcomeStatement<InstanceRow> {
  return {
    sql: `update app_instance set ${set}, updated_at = now(), row_version = row_version + 1 where id = ? returning ${INSTANCE_COLUMNS}`,
    params: [...params, id],
    announce(rows) {
      if (opts.required && rows.length === 0) throw new DomainError(ErrorCode.NOT_FOUND, `app instance ${id} no longer exists`, { resource: 'app instance' });
      return rows.map((r) => instanceEvent(instanceRowSnapshot(r), false));
    },
  };
}

/** Removes an instance's row and announces that it is gone (nothing when it already was). */
export function deleteInstance(id: string): OutcomeStatement<InstanceRow> {
  return {
    sql: `delete from app_instance where id = ? returning ${INSTANCE_COLUMNS}`,
    params: [id],
    announce: (rows) => rows.map((r) => instanceEvent(instanceRowSnapshot(r), true)),
  };
}

/** Marks the distribution rows `where` selects as ERROR with a reason, and announces each. */
export function failDistributions(where: string, params: readonly unknown[], reason: string): OutcomeStatement<DistributionRow> {
  return {
    sql: `update package_distribution set state = 'ERROR', error = ?, updated_at = now(), row_version = row_version + 1 where ${where} returning *`,
    params: [reason, ...params],
    announce: (rows) => rows.map((r) => distributionEvent(distributionRowSnapshot(r), false)),
  };
}

/** Deletes the distribution rows `where` selects, and announces each. */
export function deleteDistributions(where: string, params: readonly unknown[]): OutcomeStatement<DistributionRow> {
  return {
    sql: `delete from package_distribution where ${where} returning *`,
    params,
    announce: (rows) => rows.map((r) => distributionEvent(distributionRowSnapshot(r), true)),
  };
}
