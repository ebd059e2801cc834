import { distributionRowSnapshot, instanceRowSnapshot, type DistributionRow, type InstanceRow } from '../../events/snapshots.js';
import type { OutcomeTx } from '../outcome-tx.js';
import { distributionEvent, instanceEvent } from '../record-events.js';

/** What an instance's snapshot needs (never the secrets). */
const INSTANCE_COLUMNS = 'id, tenant_id, name, description, package_id, host_id, instantiation_state, operational_state, parameters, origin, created_at, updated_at, row_version';

/**
 * Changes an instance as part of an outcome and announces its new state. `set` holds column assignments written by
 * the handler (never input); their values go in `params`. Answers whether the instance still existed.
 */
export async function updateInstance(tx: OutcomeTx, id: string, set: string, params: readonly unknown[] = []): Promise<boolean> {
  const rows = await tx.rows<InstanceRow>(`update app_instance set ${set}, updated_at = now(), row_version = row_version + 1 where id = ? returning ${INSTANCE_COLUMNS}`, [...params, id]);
  for (const r of rows) tx.event(instanceEvent(instanceRowSnapshot(r), false));
  return rows.length > 0;
}

/** Removes an instance's row and announces that it is gone (nothing when it already was). */
export async function deleteInstance(tx: OutcomeTx, id: string): Promise<void> {
  const rows = await tx.rows<InstanceRow>(`delete from app_instance where id = ? returning ${INSTANCE_COLUMNS}`, [id]);
  for (const r of rows) tx.event(instanceEvent(instanceRowSnapshot(r), true));
}

/** Marks the distribution rows `where` selects as ERROR with a reason, and announces each. */
export async function failDistributions(tx: OutcomeTx, where: string, params: readonly unknown[], reason: string): Promise<void> {
  const rows = await tx.rows<DistributionRow>(`update package_distribution set state = 'ERROR', error = ?, updated_at = now(), row_version = row_version + 1 where ${where} returning *`, [reason, ...params]);
  for (const r of rows) tx.event(distributionEvent(distributionRowSnapshot(r), false));
}

/** Deletes the distribution rows `where` selects, and announces each. */
export async function deleteDistributions(tx: OutcomeTx, where: string, params: readonly unknown[]): Promise<void> {
  const rows = await tx.rows<DistributionRow>(`delete from package_distribution where ${where} returning *`, params);
  for (const r of rows) tx.event(distributionEvent(distributionRowSnapshot(r), true));
}
