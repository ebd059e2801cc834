import { AbstractSqlDriver, MikroORM, PostgreSqlConnection, PostgreSqlPlatform, type Configuration, type Knex, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../observability/logger.js';
import { EventCommitSignal } from '../events/commit-signal.js';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export interface OrmOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  logger?: Logger;
  /** Where `migrate --create` writes new migration sources. */
  migrationsPath?: string;
}

/**
 * knex resolves an unmanaged `transaction()` even when its BEGIN failed (knex/knex#4709): the transaction comes
 * back already completed, and its first query throws "Transaction query already complete", which hides the cause.
 * That happens whenever a pooled connection was cut by a database restart just before it was handed out, and
 * the request then failed as INTERNAL_SERVER_ERROR. The cause is the rejection of the transaction's execution
 * promise: throwing it lets db-errors classify the dropped connection as SERVICE_UNAVAILABLE.
 */
export class PgConnection extends PostgreSqlConnection {
  override async begin(options?: Parameters<PostgreSqlConnection['begin']>[0]): Promise<Knex.Transaction> {
    const trx = await super.begin(options);
    if (trx.isCompleted()) await trx.executionPromise;
    return trx;
  }
}

/** PostgreSqlDriver (which is only this constructor) with the connection above. */
export class PgDriver extends AbstractSqlDriver<PgConnection, PostgreSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), PgConnection, ['knex', 'pg']);
  }
}

export function ormConfig(o: OrmOptions): Options {
  return {
    driver: PgDriver,
    clientUrl: o.url,
    entities,
    extensions: [Migrator],
    // Wakes the event tailer after every commit that inserted events, whatever code path appended them.
    subscribers: [new EventCommitSignal()],
    discovery: { warnWhenNoEntities: true },
    forceUtcTimezone: true,
    // Reads never hit the database twice for the same object within a request.
    dataloader: true,
    pool: {
      min: 0,
      max: o.poolMax,
      // Fail fast when the database is gone rather than queueing requests forever.
      acquireTimeoutMillis: 5_000,
      idleTimeoutMillis: 10_000,
    },
    driverOptions: {
      connection: {
        statement_timeout: o.statementTimeoutMs,
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
      },
      // knex prints pool trouble (a connection cut by a database restart) straight to the console; route it to
      // the structured log instead.
      log: {
        warn: (m: unknown) => o.logger?.warn({ knex: String(m) }, 'database driver warning'),
        error: (m: unknown) => o.logger?.warn({ knex: String(m) }, 'database driver error'),
        deprecate: (m: unknown) => o.logger?.debug({ knex: String(m) }, 'database driver deprecation'),
        debug: (m: unknown) => o.logger?.debug({ knex: m }, 'database driver debug'),
      },
    },
    migrations: {
      migrationsList,
      tableName: 'applcm_migrations',
      path: o.migrationsPath ?? 'src/db/migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      disableForeignKeys: false,
    },
    logger: (msg) => o.logger?.debug({ orm: msg }),
    debug: false,
    allowGlobalContext: false,
  };
}

export async function openOrm(o: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(o));
}

/**
 * Applies pending migrations. Two processes starting together must not both migrate: the advisory lock
 * serialises them (skipped on the embedded database, which has a single connection and a single process).
 */
export async function migrate(orm: MikroORM, opts: { lock: boolean }): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex();
  const LOCK_ID = 0x61706c63; // "aplc"
  if (!opts.lock) {
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  }
  // The lock lives on its own pooled connection for the duration of the migration.
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [LOCK_ID]);
    const done = await orm.getMigrator().up();
    return done.map((m) => m.name);
  });
}
