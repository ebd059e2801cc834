import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import type { SecretBox } from '../auth/secret-box.js';
import { canModify, canRead, requireWriter } from '../auth/tenant-guard.js';
import { isUniqueViolation } from '../db/db-errors.js';
import {
  ACTIVE_OPERATION_STATES,
  AppInstance,
  DistributionState,
  InstantiationState,
  LcmOperation,
  MecHost,
  OnboardingState,
  OperationalState,
  OperationType,
  PackageDistribution,
} from '../db/entities/index.js';
import type { AccessTokens } from '../engine/access-tokens.js';
import { AKSK_GENERATED } from '../engine/handlers/instantiate.handler.js';
import type { OperateAction } from '../engine/handlers/operate.handler.js';
import type { TerminationMode } from '../engine/handlers/terminate.handler.js';
import { newOperation } from '../engine/operation-rows.js';
import { instanceEvent, operationEvent, recordDistribution, recordOperation } from '../engine/record-events.js';
import type { InstanceSnapshot } from '../events/snapshots.js';
import type { SqlRunner } from '../db/sql-tx.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { instanceBusy } from './instance-busy.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostService } from './host.service.js';
import { idempotent, idempotentSql } from './idempotency.js';
import { instantiateIfAllowed, type InstantiationOutcome, type NewInstance } from './instantiation-sql.js';
import { validateInstantiation, type InstantiateRequest } from './lcm.validation.js';
import type { PackageService } from './package.service.js';
import type { RequestContext } from './request-context.js';
import { findOwned } from './owned-row.js';

export interface LcmServiceDeps {
  hosts: HostService;
  packages: PackageService;
  plugins: PluginRegistry;
  tokens: AccessTokens;
  /** Tells the local worker that an operation is due. */
  wake: () => void;
  /** Tells this replica's event tailer that events were committed with raw SQL (EventCommitSignal.committed). */
  eventsCommitted: () => void;
  /** Seals the AK/SK and secret parameters at rest. */
  secrets: SecretBox;
  maxInstancesPerTenant: number;
}

export interface BatchTerminateItem {
  appInstanceId: string;
  operation: LcmOperation | null;
  error: { code: string; message: string } | null;
}

const MAX_BATCH = 100;
const MAX_HOSTS_PER_DISTRIBUTION = 100;

/**
 * The lifecycle mutations. Each records an operation (and the rows it will move) in one transaction and returns it
 * at once; the engine's workers do the work. Exactly-once rests on the database: the instance id is a primary key,
 * at most one active operation per instance is a partial unique index, and distribution rows are locked.
 */
export class LcmService {
  constructor(private readonly d: LcmServiceDeps) {}

  async instantiate(ctx: RequestContext, input: InstantiateRequest, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    const req = validateInstantiation(input);
    const id = req.appInstanceId ?? randomUUID();
    const digest = createHash('sha256').update(JSON.stringify(req.userSecrets)).digest('hex');
    // The id the caller chose, not one generated here: a replay with the same key must hash the same.
    const request = { id: req.appInstanceId, packageId: req.packageId, hostId: req.hostId, name: req.name, description: req.description, parameters: req.parameters, origin: req.origin, digest };
    let inserted = false;
    const attempt = () =>
      idempotentSql(ctx, idempotencyKey, 'instantiateApp', request, {
        run: async (db) => {
          const op = await this.createInstantiation(ctx, db, id, req, digest);
          inserted = op.inserted;
          return { value: op.op, remember: { operationId: op.op.id } };
        },
        replay: (r) => this.operation(ctx.em, String(r.operationId)),
      });
    let op: LcmOperation;
    try {
      op = await attempt();
    } catch (e) {
      // A concurrent request created the same instance first: the same request gets its operation, another is refused.
      if (!isUniqueViolation(e, 'app_instance_pkey') && !isUniqueViolation(e, 'lcm_operation_one_active_per_instance')) throw e;
      const prior = await this.priorInstantiation(ctx, id, req, digest);
      if (!prior) throw e;
      op = prior;
    }
    // Committed (one statement, or the key's transaction): this replica's event tailer reads it now.
    if (inserted) this.d.eventsCommitted();
    this.started(ctx, op);
    return op;
  }

  /**
   * Instantiate is the hot mutation: one statement checks and writes (instantiation-sql.ts). When it refuses, the
   * facts it read say why, in the order a caller checks: the host, its plugin, a replay, the package, the quota.
   */
  private async createInstantiation(ctx: RequestContext, db: SqlRunner, id: string, req: ReturnType<typeof validateInstantiation>, digest: string): Promise<{ op: LcmOperation; inserted: boolean }> {
    const generated = !req.userSecrets.ak;
    const secrets: Record<string, string> = {
      ...req.secretParameters,
      ak: req.userSecrets.ak ?? randomBytes(14).toString('base64'),
      sk: req.userSecrets.sk ?? randomBytes(48).toString('base64'),
      [AKSK_GENERATED]: String(generated),
      __requestDigest: digest,
    };
    // The tenant is the package's; the statement sets it in the rows and the events.
    const op = newOperation({
      tenantId: '',
      type: OperationType.INSTANTIATE,
      instanceId: id,
      packageId: req.packageId,
      hostId: req.hostId,
      params: { appInstanceId: id, packageId: req.packageId, hostId: req.hostId, name: req.name, parameters: req.parameters, akSkGenerated: generated, secretParameterKeys: Object.keys(req.secretParameters) },
      createdBy: ctx.principal.userId,
    });
    const inst: NewInstance = { id, packageId: req.packageId, hostId: req.hostId, name: req.name, description: req.description, parameters: req.parameters, secrets: this.d.secrets.seal(secrets), origin: req.origin, createdAt: op.createdAt };
    const at = op.createdAt.toISOString();
    const snapshot: InstanceSnapshot = { id, tenantId: '', name: inst.name, description: inst.description, packageId: inst.packageId, hostId: inst.hostId, instantiationState: InstantiationState.NOT_INSTANTIATED, operationalState: null, parameters: inst.parameters, origin: inst.origin, createdAt: at, updatedAt: at, rowVersion: 1 };
    const events = [instanceEvent(snapshot, false), operationEvent(op, 'created')];
    const caller = { admin: isAdmin(ctx.principal), tenantId: ctx.principal.tenantId };
    for (let pass = 1; ; pass++) {
      const f = await instantiateIfAllowed(db, { inst, op, events, caller, vims: this.d.plugins.healthyVims(), quota: this.d.maxInstancesPerTenant });
      if (f.inserted) {
        op.tenantId = f.package_tenant!;
        return { op, inserted: true };
      }
      if (!f.host_found || !canRead(ctx.principal, f.host_tenant)) throw notFound('host', req.hostId);
      // A host whose plugin is missing or down is refused now, not after the operation was queued; a plugin that is
      // back (clientFor checks it again) gets one more try.
      if (!this.d.plugins.healthyVims().includes(f.host_vim!.toLowerCase())) {
        await this.d.plugins.clientFor(f.host_vim!);
        if (pass === 1) continue;
      }
      if (f.prior) {
        const prior = await this.priorInstantiation(ctx, id, req, digest);
        if (prior) return { op: prior, inserted: false };
      }
      this.instantiable(ctx, f, req.packageId);
      // Every check passes now: something changed since the statement read the facts.
      if (pass === 1) continue;
      throw new Error('instantiate was refused although every check passed');
    }
  }

  async terminate(ctx: RequestContext, instanceId: string, opts: { mode: TerminationMode; timeoutSeconds: number }, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    if (!Number.isInteger(opts.timeoutSeconds) || opts.timeoutSeconds < 0 || opts.timeoutSeconds > 3600) throw badInput('timeoutSeconds', 'timeoutSeconds must be between 0 and 3600');
    return this.forInstance(ctx, instanceId, idempotencyKey, 'terminateApp', { mode: opts.mode, timeoutSeconds: opts.timeoutSeconds }, (inst) => ({
      type: OperationType.TERMINATE,
      params: { appInstanceId: inst.id, mode: opts.mode, timeoutSeconds: opts.timeoutSeconds },
    }));
  }

  async operate(ctx: RequestContext, instanceId: string, action: OperateAction, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    return this.forInstance(ctx, instanceId, idempotencyKey, 'operateApp', { action }, (inst) => {
      if (inst.instantiationState !== InstantiationState.INSTANTIATED) throw new DomainError(ErrorCode.CONFLICT, `the instance is ${inst.instantiationState}; only an instantiated instance can be started or stopped`, { reason: 'NOT_INSTANTIATED' });
      return { type: OperationType.OPERATE, params: { appInstanceId: inst.id, action } };
    });
  }

  /** Terminates each instance in its own transaction: one refusal does not stop the others. */
  async batchTerminate(ctx: RequestContext, ids: string[], opts: { mode: TerminationMode; timeoutSeconds: number }): Promise<BatchTerminateItem[]> {
    requireWriter(ctx.principal);
    if (ids.length === 0 || ids.length > MAX_BATCH) throw badInput('appInstanceIds', `give between 1 and ${MAX_BATCH} instance ids`);
    const out: BatchTerminateItem[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        out.push({ appInstanceId: id, operation: await this.terminate({ ...ctx, em: ctx.em.fork() }, id, opts), error: null });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        out.push({ appInstanceId: id, operation: null, error: { code: e.code, message: e.message } });
      }
    }
    return out;
  }

  async distribute(ctx: RequestContext, packageId: string, hostIds: string[], idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    const unique = [...new Set(hostIds)];
    if (unique.length === 0 || unique.length > MAX_HOSTS_PER_DISTRIBUTION) throw badInput('hostIds', `give between 1 and ${MAX_HOSTS_PER_DISTRIBUTION} hosts`);
    const hosts = await Promise.all(unique.map((h) => this.d.hosts.get(ctx, h)));
    const missing = hosts.filter((h) => !this.d.plugins.has(h.vim));
    if (missing.length) {
      throw new DomainError(ErrorCode.PLUGIN_UNAVAILABLE, `no plugin is configured for the VIM type of host(s) ${missing.map((h) => `${h.ip} (${h.vim})`).join(', ')}`, { hostIds: missing.map((h) => h.id), reason: 'NO_PLUGIN' });
    }
    const op = await idempotent(ctx, idempotencyKey, 'distributePackage', { packageId, hostIds: [...unique].sort() }, {
      run: async (em) => {
        const pkg = await this.d.packages.get(ctx, packageId, em);
        if (!canModify(ctx.principal, pkg.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your package');
        if (pkg.onboardingState !== OnboardingState.ONBOARDED) throw new DomainError(ErrorCode.CONFLICT, `package is ${pkg.onboardingState}, not ONBOARDED`, { reason: 'NOT_ONBOARDED' });
        const op = em.create(LcmOperation, { tenantId: pkg.tenantId, type: OperationType.DISTRIBUTE, packageId: pkg.id, params: { packageId: pkg.id, hostIds: unique }, createdBy: ctx.principal.userId });
        for (const host of hosts) {
          const row = await em.findOne(PackageDistribution, { package: pkg.id, host: host.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['package', 'host'] });
          if (row) {
            await this.refuseIfBusy(em, row);
            row.state = DistributionState.DISTRIBUTING;
            row.error = null;
            row.operationId = op.id;
            recordDistribution(em, row, 'updated');
          } else {
            const created = em.create(PackageDistribution, { package: pkg, host: em.getReference(MecHost, host.id), tenantId: pkg.tenantId, state: DistributionState.DISTRIBUTING, operationId: op.id });
            recordDistribution(em, created, 'created');
          }
        }
        recordOperation(em, op, 'created');
        try {
          await em.flush();
        } catch (e) {
          if (isUniqueViolation(e)) throw new DomainError(ErrorCode.CONFLICT, 'a concurrent distribution of this package to the same host started; retry', { reason: 'CONCURRENT_DISTRIBUTION' });
          throw e;
        }
        return { value: op, remember: { operationId: op.id } };
      },
      replay: (r) => this.operation(ctx.em, String(r.operationId)),
    });
    this.started(ctx, op);
    return op;
  }

  async removeFromHost(ctx: RequestContext, packageId: string, hostId: string, idempotencyKey?: string | null): Promise<LcmOperation> {
    requireWriter(ctx.principal);
    const host = await this.d.hosts.get(ctx, hostId);
    await this.d.plugins.clientFor(host.vim);
    const op = await idempotent(ctx, idempotencyKey, 'removePackageFromHost', { packageId, hostId }, {
      run: async (em) => {
        const pkg = await this.d.packages.get(ctx, packageId, em);
        if (!canModify(ctx.principal, pkg.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your package');
        const row = await em.findOne(PackageDistribution, { package: pkg.id, host: host.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['package', 'host'] });
        if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `package ${JSON.stringify(packageId)} is not on host ${host.ip}`, { resource: 'distribution' });
        await this.refuseIfBusy(em, row);
        const instances = await em.count(AppInstance, { package: pkg.id, host: host.id });
        if (instances > 0) throw new DomainError(ErrorCode.CONFLICT, `${instances} app instance(s) of the package run on the host; terminate them first`, { reason: 'PACKAGE_IN_USE' });
        const op = em.create(LcmOperation, { tenantId: pkg.tenantId, type: OperationType.REMOVE_FROM_HOST, packageId: pkg.id, hostId: host.id, params: { packageId: pkg.id, hostId: host.id }, createdBy: ctx.principal.userId });
        row.state = DistributionState.DELETING;
        row.operationId = op.id;
        recordDistribution(em, row, 'updated');
        recordOperation(em, op, 'created');
        await em.flush();
        return { value: op, remember: { operationId: op.id } };
      },
      replay: (r) => this.operation(ctx.em, String(r.operationId)),
    });
    this.started(ctx, op);
    return op;
  }

  // ---- internals ----

  private started(ctx: RequestContext, op: LcmOperation): void {
    this.d.tokens.remember(op.id, ctx.accessToken);
    this.d.wake();
  }

  private operation(em: EntityManager, id: string): Promise<LcmOperation> {
    return em.fork().findOneOrFail(LcmOperation, { id });
  }

  /** The instance's own instantiate operation, when a repeated instantiate asks for exactly the same thing. */
  private async sameInstantiation(em: EntityManager, prior: AppInstance, req: ReturnType<typeof validateInstantiation>, digest: string): Promise<LcmOperation> {
    const same =
      prior.package.id === req.packageId &&
      prior.host.id === req.hostId &&
      prior.name === req.name &&
      JSON.stringify(sorted(prior.parameters)) === JSON.stringify(sorted(req.parameters)) &&
      this.d.secrets.open(prior.secrets).__requestDigest === digest;
    if (!same) throw new DomainError(ErrorCode.CONFLICT, `app instance ${prior.id} already exists with other parameters`, { reason: 'INSTANCE_EXISTS', appInstanceId: prior.id });
    const op = await em.findOne(LcmOperation, { instanceId: prior.id, type: OperationType.INSTANTIATE }, { orderBy: { createdAt: 'desc' } });
    if (!op) throw new DomainError(ErrorCode.CONFLICT, `app instance ${prior.id} already exists`, { reason: 'INSTANCE_EXISTS', appInstanceId: prior.id });
    return op;
  }

  /** The instance an earlier request created with this id, if it asked for exactly the same (else CONFLICT). */
  private async priorInstantiation(ctx: RequestContext, id: string, req: ReturnType<typeof validateInstantiation>, digest: string): Promise<LcmOperation | null> {
    const em = ctx.em.fork();
    const prior = await em.findOne(AppInstance, { id }, { populate: ['secrets'] });
    return prior ? this.sameInstantiation(em, prior, req, digest) : null;
  }

  /**
   * The package can be instantiated on the host: the caller's own (an admin's: any), onboarded, enabled, and
   * distributed to the host; and the tenant is under its quota. Answers the tenant the instance belongs to.
   */
  private instantiable(ctx: RequestContext, f: InstantiationOutcome, packageId: string): string {
    const tenantId = f.package_tenant;
    if (tenantId === null || (!isAdmin(ctx.principal) && tenantId !== ctx.principal.tenantId)) throw notFound('package', packageId);
    if (!canModify(ctx.principal, tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your package');
    if (f.onboarding_state !== OnboardingState.ONBOARDED) throw new DomainError(ErrorCode.CONFLICT, `package is ${f.onboarding_state}, not ONBOARDED`, { reason: 'NOT_ONBOARDED' });
    if (f.operational_state !== OperationalState.ENABLED) throw new DomainError(ErrorCode.CONFLICT, 'package is DISABLED; enable it to instantiate', { reason: 'PACKAGE_DISABLED' });
    if (f.distribution_state !== DistributionState.DISTRIBUTED) {
      const state = f.distribution_state;
      throw new DomainError(ErrorCode.CONFLICT, state ? `the package is ${state} on the host, not DISTRIBUTED` : 'the package is not distributed to the host; distribute it first', { reason: 'NOT_DISTRIBUTED', state });
    }
    // A soft quota, as the original's: concurrent requests may pass it by their number. An exact one would
    // serialise every instantiate of a tenant through its commit.
    if (f.instances >= this.d.maxInstancesPerTenant) throw new DomainError(ErrorCode.QUOTA_EXCEEDED, `at most ${this.d.maxInstancesPerTenant} app instances per tenant`, { limit: this.d.maxInstancesPerTenant });
    return tenantId;
  }

  /** Creates an operation on an existing instance; a second active one is refused naming the first. */
  private async forInstance(
    ctx: RequestContext,
    instanceId: string,
    idempotencyKey: string | null | undefined,
    name: string,
    request: Record<string, unknown>,
    build: (inst: AppInstance) => { type: OperationType; params: Record<string, unknown> },
  ): Promise<LcmOperation> {
    const inst0 = await this.visibleInstance(ctx, ctx.em, instanceId);
    await this.d.plugins.clientFor(inst0.host.vim);
    let op: LcmOperation;
    try {
      op = await idempotent(ctx, idempotencyKey, name, { instanceId, ...request }, {
        run: async (em) => {
          const inst = await this.visibleInstance(ctx, em, instanceId);
          if (!canModify(ctx.principal, inst.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your app instance');
          const { type, params } = build(inst);
          const op = em.create(LcmOperation, { tenantId: inst.tenantId, type, instanceId: inst.id, packageId: inst.package.id, hostId: inst.host.id, params, createdBy: ctx.principal.userId });
          recordOperation(em, op, 'created');
          await em.flush();
          return { value: op, remember: { operationId: op.id } };
        },
        replay: (r) => this.operation(ctx.em, String(r.operationId)),
      });
    } catch (e) {
      if (!isUniqueViolation(e, 'lcm_operation_one_active_per_instance')) throw e;
      throw await instanceBusy(ctx.em.fork(), instanceId);
    }
    this.started(ctx, op);
    return op;
  }

  private visibleInstance(ctx: RequestContext, em: EntityManager, id: string): Promise<AppInstance> {
    return findOwned(ctx, em, AppInstance, id, 'app instance', { populate: ['host', 'package'] });
  }

  /** A distribution row another active operation is moving cannot be taken over. */
  private async refuseIfBusy(em: EntityManager, row: PackageDistribution): Promise<void> {
    if (!row.operationId || (row.state !== DistributionState.DISTRIBUTING && row.state !== DistributionState.DELETING)) return;
    const owner = await em.findOne(LcmOperation, { id: row.operationId });
    if (owner && (ACTIVE_OPERATION_STATES as readonly string[]).includes(owner.state)) {
      throw new DomainError(ErrorCode.CONFLICT, `operation ${owner.id} (${owner.type}, ${owner.state}) is already moving the package on host ${row.host.ip}`, { reason: 'OPERATION_IN_PROGRESS', operationId: owner.id });
    }
  }
}

const sorted = (o: Record<string, string>): [string, string][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
