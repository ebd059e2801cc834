import type { LcmOperation } from '../db/entities/index.js';
import { preparedRows } from '../db/prepared-sql.js';
import type { SqlRunner } from '../db/sql-tx.js';
import type { EventInput } from '../events/event-log.js';

/** Everything instantiate checks (each part null when its row does not exist), and whether it created the instance. */
export interface InstantiationOutcome {
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
  /** The package tenant's instances (kept by triggers in tenant_instance_count; a soft quota, as the original's). */
  instances: number;
  inserted: boolean;
}

export interface NewInstance {
  id: string;
  packageId: string;
  hostId: string;
  name: string;
  description: string;
  parameters: Record<string, string>;
  /** Sealed by SecretBox when a key is configured. */
  secrets: Record<string, unknown>;
  origin: string;
  createdAt: Date;
}

export interface InstantiationRequest {
  inst: NewInstance;
  /** The operation to create (its tenant is the package's, set by the statement). */
  op: LcmOperation;
  /** The instance's and the operation's events; their `tenantId` too is set by the statement. */
  events: readonly EventInput[];
  caller: { admin: boolean; tenantId: string | null };
  /** VIM types whose plugin is up: a host of another type is refused. */
  vims: readonly string[];
  quota: number;
}

/**
 * Instantiate in one statement: it reads every fact the checks need and, only when all of them pass, creates the
 * instance, its operation and their events. All of it commits, or none of it (a duplicate instance id or a second
 * active operation fails the statement); a refusal returns the facts, from which the service words the error.
 * The rows belong to the package's tenant (an admin instantiates on a tenant's behalf).
 */
export async function instantiateIfAllowed(db: SqlRunner, r: InstantiationRequest): Promise<InstantiationOutcome> {
  const { inst, op, caller } = r;
  // Prepared: planning this statement costs more than running it.
  const [row] = await preparedRows<InstantiationOutcome>(
    db,
    `with f as (
       select h.vim as host_vim, h.tenant_id as host_tenant, h.id is not null as host_found,
              p.tenant_id as package_tenant, p.onboarding_state, p.operational_state, d.state as distribution_state,
              exists (select 1 from app_instance where id = ?) as prior,
              (select coalesce(sum(c.instances), 0) from tenant_instance_count c where c.tenant_id = p.tenant_id)::int as instances
       from (select 1) as one
       left join mec_host h on h.id = ?
       left join app_package p on p.id = ?
       left join package_distribution d on d.package_id = p.id and d.host_id = h.id),
     ok as (
       select f.package_tenant as tenant_id from f
       where f.host_found and (?::boolean or f.host_tenant is null or f.host_tenant = ?)
         and lower(f.host_vim) = any(?::text[])
         and not f.prior
         and f.package_tenant is not null and (?::boolean or f.package_tenant = ?)
         and f.onboarding_state = 'ONBOARDED' and f.operational_state = 'ENABLED' and f.distribution_state = 'DISTRIBUTED'
         and f.instances < ?),
     i as (
       insert into app_instance (id, created_at, updated_at, row_version, tenant_id, package_id, host_id, name, description, instantiation_state, parameters, secrets, origin)
       select ?, ?, ?, 1, ok.tenant_id, ?, ?, ?, ?, 'NOT_INSTANTIATED', ?::jsonb, ?::jsonb, ? from ok),
     o as (
       insert into lcm_operation (id, created_at, updated_at, row_version, tenant_id, type, state, instance_id, package_id, host_id, params, attempts, created_by)
       select ?, ?, ?, 1, ok.tenant_id, ?, ?, ?, ?, ?, ?::jsonb, 0, ? from ok),
     e as (
       insert into event (tenant_id, topic, subject_id, payload)
       select ok.tenant_id, v.topic, v.subject_id, v.payload::jsonb || jsonb_build_object('tenantId', ok.tenant_id)
       from ok, (values ${r.events.map(() => '(?, ?, ?)').join(', ')}) as v(topic, subject_id, payload))
     select f.*, exists (select 1 from ok) as inserted from f`,
    [
      ...[inst.id, inst.hostId, inst.packageId],
      ...[caller.admin, caller.tenantId, `{${r.vims.map((v) => JSON.stringify(v)).join(',')}}`, caller.admin, caller.tenantId, r.quota],
      ...[inst.id, inst.createdAt, inst.createdAt, inst.packageId, inst.hostId, inst.name, inst.description, JSON.stringify(inst.parameters), JSON.stringify(inst.secrets), inst.origin],
      ...[op.id, op.createdAt, op.updatedAt, op.type, op.state, op.instanceId, op.packageId, op.hostId, JSON.stringify(op.params), op.createdBy],
      ...r.events.flatMap((e) => [e.topic, e.subjectId, JSON.stringify(e.payload)]),
    ],
  );
  return row!;
}
