import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { SecretBox } from '../auth/secret-box.js';
import { translateDbError } from '../db/db-errors.js';
import { sqlPool, sqlRows } from '../db/sql-tx.js';
import { OperationState, type LcmOperation, type OperationType } from '../db/entities/index.js';
import { DomainError, ErrorCode } from '../errors.js';
import { commitSignalOf, type EventCommitSignal } from '../events/commit-signal.js';
import type { Logger } from '../observability/logger.js';
import type { PackageStore } from '../packages/package-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { AccessTokens } from './access-tokens.js';
import type { MepClient } from './mep-client.js';
import { PartialFailure, type EngineOptions, type HandlerContext, type OperationHandler } from './operation-handler.js';
import { instanceHostColumns, SECRETS_FOR, type InstanceHostRow } from './handlers/plugin-access.js';
import { operationFromRow, type OperationRow } from './operation-rows.js';
import { OutcomeBatcher } from './outcome-batcher.js';
import { recordOutcome, type OutcomeStatement } from './outcome-tx.js';
import { operationEvent } from './record-events.js';

export interface WorkerDeps {
  orm: MikroORM;
  plugins: PluginRegistry;
  store: PackageStore;
  mep: MepClient;
  tokens: AccessTokens;
  secrets: SecretBox;
  handlers: Record<OperationType, OperationHandler>;
  options: EngineOptions;
  log: Logger;
}

/** Why a running operation's work was interrupted. */
type AbortReason = 'cancel' | 'lost-lease' | 'shutdown';

/** An operation this worker just claimed, with its instance and host as the claim read them. */
interface Claimed {
  op: LcmOperation;
  instance: InstanceHostRow | null | undefined;
}

interface Running {
  op: LcmOperation;
  abort: AbortController;
  done: Promise<void>;
}

/** Failures worth trying again by themselves: the plugin was away or busy, or the database was. */
const TRANSIENT = new Set<string>([ErrorCode.PLUGIN_UNAVAILABLE, ErrorCode.RATE_LIMITED, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED]);

const CLAIM_SQL = `
with picked as (
  select id from lcm_operation
  where (state = 'STARTING'
         or (state in ('PROCESSING', 'ROLLING_BACK') and (lease_expires_at is null or lease_expires_at < now())))
    -- Without a service token, an operation is run where its caller's token is held; another replica takes it over
    -- only once nobody touched it for a lease period (the replica holding the token is gone).
    and (?::boolean or id = any(?::uuid[]) or updated_at < now() - make_interval(secs => ?))
    -- Never what this worker still runs (its lease lapsed while the database was away: the heartbeat renews it).
    and not (id = any(?::uuid[]))
  order by created_at
  limit ?
  for update skip locked
)
update lcm_operation o set
  state = case when o.state = 'STARTING' then 'PROCESSING' else o.state end,
  lease_owner = ?,
  lease_expires_at = now() + make_interval(secs => ?),
  attempts = o.attempts + 1,
  started_at = coalesce(o.started_at, now()),
  updated_at = now(),
  row_version = o.row_version + 1
from picked where o.id = picked.id
returning o.*`;

/**
 * The claim, and with each claimed operation its instance and host as the handler will read them (plugin-access.ts
 * `instanceOnPlugin`): one round trip fewer per operation. Read in the statement that takes the lease, they are as
 * current as a read at the start of the handler: nothing else changes the instance of an operation while it runs.
 */
const CLAIM_AND_LOAD_SQL = `
with claimed as (${CLAIM_SQL})
select c.*, (select row_to_json(x) from (
         select ${instanceHostColumns(`case when c.type in (${SECRETS_FOR.map((t) => `'${t}'`).join(', ')}) then i.secrets end`)}
         from app_instance i join mec_host h on h.id = i.host_id where i.id = c.instance_id) x) as claimed_instance
from claimed c`;

interface ClaimedRow extends OperationRow {
  /** Undefined when the claim did not read it. */
  claimed_instance: InstanceHostRow | null | undefined;
}

const HEARTBEAT_SQL = `
update lcm_operation set lease_expires_at = now() + make_interval(secs => ?)
where lease_owner = ? and id = any(?::uuid[]) and state in ('PROCESSING', 'ROLLING_BACK')
returning id, cancel_requested`;

/**
 * Runs operations. Workers on any number of replicas claim due operations from PostgreSQL with
 * `FOR UPDATE SKIP LOCKED` and a lease they renew while working; an operation whose lease lapsed (its worker
 * died) is claimed again and resumed, its handler asking the plugin what already happened before acting. Every
 * outcome is recorded by a conditional update that only the lease holder can make, so a worker that lost its
 * lease can never overwrite the outcome of the one that took over.
 */
export class OperationWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private renewing = false;
  private stopped = true;
  private readonly signal: EventCommitSignal;
  /** Outcomes (claims, finishes, releases, progress) recorded with group commit. */
  private readonly outcomes: OutcomeBatcher;

  constructor(private readonly d: WorkerDeps) {
    this.signal = commitSignalOf(d.orm);
    this.outcomes = new OutcomeBatcher(d.orm, () => this.signal.committed());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.heartbeat = setInterval(() => {
      // One renewal at a time: during a database outage they would pile up.
      if (this.renewing) return;
      this.renewing = true;
      void this.renewLeases().finally(() => (this.renewing = false));
    }, Math.max(200, Math.floor(this.d.options.leaseMs / 3)));
    this.heartbeat.unref();
    this.wake();
  }

  /** Operations this worker runs now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Looks for work now (after an operation was created or released here). */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.passing = this.pass()
      .catch((e: unknown) => this.d.log.warn({ err: e }, 'claiming operations failed'))
      .finally(() => {
        this.passing = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.d.options.pollMs);
          this.timer.unref();
        }
      });
  }

  /** Interrupts the local run of an operation (cancelOperation on this replica acts at once). */
  cancelLocal(operationId: string): boolean {
    const r = this.running.get(operationId);
    if (!r) return false;
    r.abort.abort('cancel' satisfies AbortReason);
    return true;
  }

  /**
   * Stops claiming and interrupts running work; the leases are released so another replica (or the next start)
   * resumes those operations at once instead of waiting for them to lapse.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    await this.passing;
    for (const r of this.running.values()) r.abort.abort('shutdown' satisfies AbortReason);
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private async pass(): Promise<void> {
    const capacity = this.d.options.concurrency - this.running.size;
    if (capacity <= 0) return;
    const claimed = await this.claim(capacity);
    for (const c of claimed) this.launch(c);
    // A full batch means more may be waiting.
    if (claimed.length === capacity) this.again = true;
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const leaseS = this.d.options.leaseMs / 1000;
    const params = [this.d.tokens.hasFallback, uuidArray(this.d.tokens.heldIds()), leaseS, uuidArray([...this.running.keys()]), limit, this.id, leaseS];
    // The events announce the state the claimed rows now have.
    // Not batched with outcomes: a claim that finds nothing (most polls) would roll a batch back.
    const announce = (rows: OperationRow[]) => rows.map((r) => operationEvent(operationFromRow(r), 'stored'));
    let claimed: { rows: ClaimedRow[]; announced: boolean } | null;
    try {
      claimed = await recordOutcome<ClaimedRow>(this.d.orm, { sql: CLAIM_AND_LOAD_SQL, params, announce });
    } catch (e) {
      // The instances could not be read in time (a lock held on app_instance, hardening D5): claim without them, so
      // operations that need none still run and the others meet the outage in their handler, retried as one.
      if (translateDbError(e)?.code !== ErrorCode.SERVICE_UNAVAILABLE) throw e;
      const plain = await recordOutcome(this.d.orm, { sql: CLAIM_SQL, params, announce });
      claimed = plain && { ...plain, rows: plain.rows.map((r) => ({ ...r, claimed_instance: undefined })) };
    }
    if (claimed?.announced) this.signal.committed();
    return (claimed?.rows ?? [])
      .map((r) => ({ op: operationFromRow(r), instance: r.claimed_instance }))
      .sort((a, b) => a.op.createdAt.getTime() - b.op.createdAt.getTime());
  }

  /** Records an outcome (outcome-tx.ts) and tells this replica's event tailer; null when the guard matched nothing. */
  private async record(guard: OutcomeStatement<OperationRow>, effects: OutcomeStatement<unknown>[] = []): Promise<OperationRow[] | null> {
    return this.outcomes.record(guard, effects);
  }

  private launch({ op, instance }: Claimed): void {
    const abort = new AbortController();
    const entry: Running = { op, abort, done: Promise.resolve() };
    this.running.set(op.id, entry);
    entry.done = this.execute(op, instance, abort.signal)
      .catch((e: unknown) => this.d.log.error({ err: e, operationId: op.id }, 'recording an operation outcome failed; its lease will lapse and it will be resumed'))
      .finally(() => {
        this.running.delete(op.id);
        this.wake();
      });
  }

  private async execute(op: LcmOperation, instance: InstanceHostRow | null | undefined, signal: AbortSignal): Promise<void> {
    const handler = this.d.handlers[op.type];
    const log = this.d.log.child({ operationId: op.id, type: op.type, attempt: op.attempts });
    const ctx: HandlerContext = {
      op,
      claimed: instance,
      em: () => this.d.orm.em.fork(),
      db: sqlPool(this.d.orm),
      secrets: this.d.secrets,
      plugins: this.d.plugins,
      store: this.d.store,
      mep: this.d.mep,
      accessToken: () => this.d.tokens.forOperation(op.id),
      signal,
      correlationId: op.id,
      progress: (p) => this.progress(op, p),
      // Started before: by an earlier attempt, or before a retry or rollback a user asked for. The claim stamps
      // started_at only the first time, with the same now() as updated_at.
      resumed: op.attempts > 1 || (op.startedAt !== null && op.startedAt.getTime() !== op.updatedAt.getTime()),
      options: this.d.options,
      log,
    };
    const rollingBack = op.state === OperationState.ROLLING_BACK;
    try {
      if (op.cancelRequested) throw cancelled();
      if (rollingBack) {
        if (!handler.rollback) throw new DomainError(ErrorCode.CONFLICT, `a ${op.type} operation cannot be rolled back`);
        await handler.rollback(ctx);
        await this.finish(op, OperationState.ROLLING_BACK, { state: OperationState.ROLLED_BACK, error: null, finished: true }, handler.rolledBack?.(op));
        this.d.tokens.forget(op.id);
        log.info('operation rolled back');
        return;
      }
      const result = await handler.run(ctx);
      if (signal.aborted) throw abortError(signal);
      await this.finish(op, OperationState.PROCESSING, { state: OperationState.COMPLETED, result, error: null, finished: true }, handler.completed?.(op, result));
      this.d.tokens.forget(op.id);
      log.info('operation completed');
    } catch (e) {
      await this.failed(op, rollingBack ? OperationState.ROLLING_BACK : OperationState.PROCESSING, e, signal, log);
    }
  }

  /** Decides what a failure means: hand over, retry later, or stop in FAILED_TEMP for a person to decide. */
  private async failed(op: LcmOperation, from: OperationState, e: unknown, signal: AbortSignal, log: Logger): Promise<void> {
    const reason = signal.aborted ? (signal.reason as AbortReason) : undefined;
    if (reason === 'lost-lease') {
      log.warn('lease lost while working; the operation belongs to another worker now');
      return;
    }
    if (reason === 'shutdown') {
      await this.release(op, from, 0, null);
      log.info('operation handed over at shutdown');
      return;
    }
    const partial = e instanceof PartialFailure ? e : undefined;
    const cause = partial ? partial.error : reason === 'cancel' ? cancelled() : e;
    // A database error (a dropped connection, a statement timeout) is SERVICE_UNAVAILABLE: transient, retried.
    const error = cause instanceof DomainError ? cause : (translateDbError(cause) ?? internal(cause, op, log));
    if (TRANSIENT.has(error.code) && reason !== 'cancel' && op.attempts < this.d.options.maxAttempts) {
      // Exponential backoff with jitter; the operation stays active, its lease set to lapse when it is due.
      const delay = this.d.options.retryBaseMs * 2 ** (op.attempts - 1) * (0.75 + Math.random() / 2);
      await this.release(op, from, delay, error);
      log.warn({ err: error.message, retryInMs: Math.round(delay) }, 'transient failure; retrying later');
      return;
    }
    await this.finish(op, from, {
      state: OperationState.FAILED_TEMP,
      // A cancel is a decision, not a fault: it carries its own code.
      error: { code: error.details.reason === 'CANCELLED' ? 'CANCELLED' : error.code, message: error.message, details: error.details },
      ...(partial ? { result: partial.result } : {}),
      cancelRequested: false,
    });
    log.warn({ code: error.code, err: error.message }, 'operation failed; waiting for retry, rollback or fail');
  }

  /**
   * Records an outcome, if this worker still holds the operation's lease: one conditional update (only the lease
   * holder's matches), the handler's effects on other rows, and the events, in one transaction.
   */
  private async finish(op: LcmOperation, expected: OperationState, outcome: Outcome, effects: OutcomeStatement<unknown>[] = []): Promise<boolean> {
    const set = ['state = ?', 'lease_owner = null', 'lease_expires_at = null', 'progress = null'];
    const params: unknown[] = [outcome.state];
    const assign = (column: string, value: unknown) => {
      set.push(column);
      params.push(value);
    };
    if (outcome.result !== undefined) assign('result = ?::jsonb', json(outcome.result));
    if (outcome.error !== undefined) assign('error = ?::jsonb', json(outcome.error));
    if (outcome.cancelRequested !== undefined) assign('cancel_requested = ?', outcome.cancelRequested);
    if (outcome.finished) set.push('finished_at = now()');
    return (await this.record(this.heldUpdate(op.id, expected, set, params), effects)) !== null;
  }

  /** Gives the operation back, due again after `delayMs` (0: at once). */
  private async release(op: LcmOperation, expected: OperationState, delayMs: number, error: DomainError | null): Promise<void> {
    const due = new Date(Date.now() + delayMs);
    const set = ['lease_owner = null', 'lease_expires_at = ?'];
    const params: unknown[] = [due.toISOString()];
    if (error) {
      set.push('error = ?::jsonb', 'progress = ?::jsonb');
      params.push(json({ code: error.code, message: error.message, details: error.details }), json({ step: 'waiting to retry', retryAt: due.toISOString() }));
    }
    await this.record(this.heldUpdate(op.id, expected, set, params));
    if (delayMs > 0) setTimeout(() => this.wake(), delayMs + 10).unref();
  }

  private async progress(op: LcmOperation, p: Record<string, unknown>): Promise<void> {
    await this.record(this.heldUpdate(op.id, null, ['progress = ?::jsonb'], [json(p)]));
  }

  /**
   * The update of an operation that matches only while this worker holds its lease (and it is in `expected`, when
   * given), announcing the new state.
   */
  private heldUpdate(id: string, expected: OperationState | null, set: string[], params: unknown[]): OutcomeStatement<OperationRow> {
    return {
      sql: `update lcm_operation set ${set.join(', ')}, updated_at = now(), row_version = row_version + 1
            where id = ? and lease_owner = ?${expected ? ' and state = ?' : ''} returning *`,
      params: [...params, id, this.id, ...(expected ? [expected] : [])],
      announce: (rows) => rows.map((r) => operationEvent(operationFromRow(r), 'stored')),
    };
  }

  /** Extends the leases of running operations; one the database no longer gives us, or one asked to cancel, is interrupted. */
  private async renewLeases(): Promise<void> {
    if (this.running.size === 0) return;
    const ids = [...this.running.keys()];
    let rows: { id: string; cancel_requested: boolean }[];
    try {
      rows = await sqlRows(sqlPool(this.d.orm), HEARTBEAT_SQL, [this.d.options.leaseMs / 1000, this.id, uuidArray(ids)]);
    } catch (e) {
      // The database is away: keep working; if the lease lapses meanwhile, the finishing update will find out.
      this.d.log.warn({ err: e }, 'renewing operation leases failed');
      return;
    }
    const held = new Map(rows.map((r) => [r.id, r.cancel_requested]));
    for (const id of ids) {
      const r = this.running.get(id);
      if (!r) continue;
      if (!held.has(id)) r.abort.abort('lost-lease' satisfies AbortReason);
      else if (held.get(id)) r.abort.abort('cancel' satisfies AbortReason);
    }
  }
}

/** What an outcome sets on the operation row (undefined: left as it is). */
interface Outcome {
  state: OperationState;
  result?: Record<string, unknown> | null;
  error?: { code: string; message: string; details: Record<string, unknown> | null } | null;
  cancelRequested?: boolean;
  finished?: boolean;
}

/** A jsonb parameter: SQL NULL for null (JSON.stringify would give the JSON value null). */
const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** A PostgreSQL array literal: knex would spread a JavaScript array into a list of parameters. */
const uuidArray = (ids: string[]): string => `{${ids.join(',')}}`;

const cancelled = () => new DomainError(ErrorCode.CONFLICT, 'the operation was cancelled', { reason: 'CANCELLED' });

function abortError(signal: AbortSignal): Error {
  return signal.reason === 'cancel' ? cancelled() : new Error(`interrupted: ${String(signal.reason)}`);
}

function internal(e: unknown, op: LcmOperation, log: Logger): DomainError {
  const correlationId = randomUUID();
  log.error({ err: e, correlationId, operationId: op.id }, 'operation failed unexpectedly');
  return new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `internal error (correlation id ${correlationId})`, { correlationId });
}
