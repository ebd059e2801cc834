import type { LcmOperation } from '../db/entities/index.js';
import { sqlRows, type SqlRunner } from '../db/sql-tx.js';
import type { EventInput } from '../events/event-log.js';

/** Everything instantiate checks, read in one statement (each part null when its row does not exist). */
export interface InstantiationFacts {
  host_vim: string | null;
  /** The host's tenant; null both for a shared host and for none (see host_found). */
  host_tenant: string | null;
  host_found: boolean;
  package_tenant: string | null;
  onboarding_state: string | null;
  operational_state: string | null;
  distribution_state: string | null;
  /** An instance with the requested id exists (the request may be a replay). */
  prior: boolean;
  /** The package tenant's instances, counted up to the quota (a soft quota, as the original's). */
  instances: number;
}

const FACTS_SQL = `
select h.vim as host_vim, h.tenant_id as host_tenant, h.id is not null as host_found,
       p.tenant_id as package_tenant, p.onboarding_state, p.operational_state,
       d.state as distribution_state,
       exists (select 1 from app_instance where id = ?) as prior,
       (select count(*) from (select 1 from app_instance i where i.tenant_id = p.tenant_id limit ?) c)::int as instances
from (select 1) as one
left join mec_host h on h.id = ?
left join app_package p on p.id = ?
left join package_distribution d on d.package_id = p.id and d.host_id = h.id`;

export async function instantiationFacts(db: SqlRunner, q: { instanceId: string; hostId: string; packageId: string; quota: number }): Promise<InstantiationFacts> {
  const [row] = await sqlRows<InstantiationFacts>(db, FACTS_SQL, [q.instanceId, q.quota, q.hostId, q.packageId]);
  return row!;
}

export interface NewInstance {
  id: string;
  tenantId: string;
  packageId: string;
  hostId: string;
  name: string;
  description: string;
  parameters: Record<string, string>;
  secrets: Record<string, string>;
  origin: string;
  createdAt: Date;
}

/**
 * Creates the instance, its instantiate operation and their events in one statement, so it needs no transaction:
 * all of it commits, or (a duplicate instance id, a second active operation) none of it.
 */
export async function insertInstantiation(db: SqlRunner, inst: NewInstance, op: LcmOperation, events: readonly EventInput[]): Promise<void> {
  const eventValues = events.map(() => '(?, ?, ?, ?::jsonb)').join(', ');
  await sqlRows(
    db,
    `with i as (
       insert into app_instance (id, created_at, updated_at, row_version, tenant_id, package_id, host_id, name, description, instantiation_state, parameters, secrets, origin)
       values (?, ?, ?, 1, ?, ?, ?, ?, ?, 'NOT_INSTANTIATED', ?::jsonb, ?::jsonb, ?)),
     o as (
       insert into lcm_operation (id, created_at, updated_at, row_version, tenant_id, type, state, instance_id, package_id, host_id, params, attempts, created_by)
       values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?::jsonb, 0, ?))
     insert into event (tenant_id, topic, subject_id, payload) values ${eventValues}`,
    [
      ...[inst.id, inst.createdAt, inst.createdAt, inst.tenantId, inst.packageId, inst.hostId, inst.name, inst.description, JSON.stringify(inst.parameters), JSON.stringify(inst.secrets), inst.origin],
      ...[op.id, op.createdAt, op.updatedAt, op.tenantId, op.type, op.state, op.instanceId, op.packageId, op.hostId, JSON.stringify(op.params), op.createdBy],
      ...events.flatMap((e) => [e.tenantId, e.topic, e.subjectId, JSON.stringify(e.payload)]),
    ],
  );
}
