import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../auth/secret-box.js';
import type { Config } from '../config.js';
import type { SqlRunner } from '../db/sql-tx.js';
import type { LcmOperation } from '../db/entities/index.js';
import type { DomainError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { PackageStore } from '../packages/package-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { MepClient } from './mep-client.js';
import type { OutcomeStatement } from './outcome-tx.js';
import type { InstanceHostRow } from './handlers/plugin-access.js';

/** The engine settings a worker and its handlers use (see APPLCM_WORKER_* and APPLCM_OPERATION_* in config.ts). */
export type EngineOptions = Pick<Config['engine'], 'concurrency' | 'pollMs' | 'leaseMs' | 'maxAttempts' | 'retryBaseMs' | 'distributeConcurrency' | 'distributeStatusTimeoutMs'>;

/** What a handler gets to do one operation. */
export interface HandlerContext {
  /** The operation as claimed (read-only: state changes go through the worker). */
  op: LcmOperation;
  /**
   * The operation's instance and its host as the claim read them, in the statement that took the lease (null: it has
   * no instance, or the instance is gone; undefined: not read). plugin-access.ts `instanceOnPlugin` uses it.
   */
  claimed?: InstanceHostRow | null;
  /** A fresh unit of work for the handler's own reads and writes. */
  em(): EntityManager;
  /** The pool, for the handler's raw reads on hot paths (sql-tx.ts). */
  db: SqlRunner;
  /** Opens the AK/SK an instance's row holds sealed. */
  secrets: SecretBox;
  plugins: PluginRegistry;
  store: PackageStore;
  /** AK/SK registration and termination notices (no-ops when no MEP is configured). */
  mep: MepClient;
  /** The token to present to plugins for this operation. */
  accessToken(): Promise<string>;
  /** Aborted when the lease is lost, a cancel is asked for, or the server shuts down. */
  signal: AbortSignal;
  correlationId: string;
  /** Records where the operation is (shown on the operation and announced to subscribers). */
  progress(p: Record<string, unknown>): Promise<void>;
  /** True when an earlier attempt started and did not finish: ask the plugin before acting again. */
  resumed: boolean;
  options: EngineOptions;
  log: Logger;
}

/**
 * One kind of operation. The database effects of an outcome are statements (outcome-tx.ts) that run in the
 * transaction recording it, with the events they announce.
 */
export interface OperationHandler {
  /** Does the work and returns the operation's result; throws a DomainError (or a PartialFailure) on failure. */
  run(ctx: HandlerContext): Promise<Record<string, unknown> | null>;
  completed?(op: LcmOperation, result: Record<string, unknown> | null): OutcomeStatement<unknown>[];
  /** Undoes what `run` may have done (rollbackOperation); absent when the operation cannot be rolled back. */
  rollback?(ctx: HandlerContext): Promise<void>;
  rolledBack?(op: LcmOperation): OutcomeStatement<unknown>[];
  /** The operation is given up (failOperation): leave the rows it touched consistent. */
  failed?(op: LcmOperation): OutcomeStatement<unknown>[];
}

/** A failure that still produced a result (distribution: the hosts that made it and the ones that did not). */
export class PartialFailure extends Error {
  constructor(
    readonly error: DomainError,
    readonly result: Record<string, unknown>,
  ) {
    super(error.message);
  }
}
