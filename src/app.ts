import type { MikroORM } from '@mikro-orm/postgresql';
import { ensureDevIdentity, mintToken, type DevIdentity } from './auth/dev-keys.js';
import { ensureDevSecretsKey } from './auth/secret-box.js';
import { createTokenVerifier, keySourceFrom } from './auth/token-verifier.js';
import type { Config } from './config.js';
import type { EmbeddedPostgres } from './db/embedded-postgres.js';
import { migrate, openOrm } from './db/orm.js';
import { Role } from './db/entities/index.js';
import type { Logger } from './observability/logger.js';
import type { EmbeddedPlugins } from './plugins/embedded-plugins.js';
import { createServer, type AppServer } from './server.js';

export interface RunningApp {
  url: string;
  server: AppServer;
  orm: MikroORM;
  dev?: { identity: DevIdentity; adminToken: string };
  stop(): Promise<void>;
}

export type Mode = 'dev' | 'serve';

/** The database: the configured PostgreSQL, or (dev mode without DATABASE_URL) embedded PGlite. */
async function database(config: Config, mode: Mode, log: Logger): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  if (config.database.url) return { url: config.database.url };
  if (mode !== 'dev') throw new Error('DATABASE_URL is required for applcm serve (use applcm dev for the embedded database)');
  // Imported here: PGlite is only the embedded default's, and a serve process need not carry it in its heap.
  const { startEmbeddedPostgres } = await import('./db/embedded-postgres.js');
  const embedded = await startEmbeddedPostgres(config.dataDir, log);
  return { url: embedded.url, embedded };
}

/** Retries the first contact with the database with backoff, so a database that starts second is waited for. */
async function connectWithRetry(config: Config, url: string, poolMax: number, log: Logger): Promise<MikroORM> {
  const deadline = Date.now() + config.database.connectTimeoutMs;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    let orm: MikroORM | undefined;
    try {
      orm = await openOrm({ url, poolMax, statementTimeoutMs: config.database.statementTimeoutMs, logger: log });
      await orm.em.getConnection().execute('select 1');
      return orm;
    } catch (e) {
      await orm?.close(true);
      if (Date.now() + delay > deadline) throw new Error(`database not reachable after ${attempt} attempt(s): ${(e as Error).message}`);
      log.warn({ attempt, retryInMs: delay, err: (e as Error).message }, 'database not reachable yet');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Starts the controller: database, migrations, authentication, HTTP + WebSocket server. */
export async function startApp(config: Config, mode: Mode, log: Logger): Promise<RunningApp> {
  const identity = mode === 'dev' ? ensureDevIdentity(config.dataDir) : undefined;
  // Refuse to start without a verification key before touching the database: never serve unauthenticated.
  const verifier = createTokenVerifier(config.auth, keySourceFrom(config.auth, identity?.publicKeyFile));
  const db = await database(config, mode, log);
  // PGlite serves one session at a time: one pooled connection avoids queueing inside the socket server.
  const poolMax = db.embedded ? 1 : config.database.poolMax;
  let orm: MikroORM | undefined;
  let embeddedPlugins: EmbeddedPlugins | undefined;
  try {
    orm = await connectWithRetry(config, db.url, poolMax, log);
    if (config.database.migrateOnStart) {
      const applied = await migrate(orm, { lock: !db.embedded });
      if (applied.length) log.info({ applied }, 'migrations applied');
    }
    if (mode === 'dev' && config.plugins.embedded) {
      // Imported here for the same reason: the in-process plugins (and the Kubernetes client) are the embedded default's.
      const { startEmbeddedPlugins } = await import('./plugins/embedded-plugins.js');
      embeddedPlugins = await startEmbeddedPlugins(config, verifier, log);
    }
    const mintServiceToken = identity
      ? () => mintToken(identity.privateKeyFile, { userId: identity.adminUserId, userName: 'applcm-engine', roles: [Role.ADMIN], ttlSeconds: 3600, issuer: config.auth.issuer, audience: config.auth.audience })
      : undefined;
    // The embedded default seals AK/SK with a key of its own unless one is configured.
    const secretsKey = mode === 'dev' && !config.secrets.key && !config.secrets.keyFile ? ensureDevSecretsKey(config.dataDir) : undefined;
    const server = await createServer({ config, orm, verifier, log, embeddedPlugins: embeddedPlugins?.specs, mintServiceToken, secretsKey });
    const url = await server.listen();
    const dev = identity
      ? {
          identity,
          adminToken: await mintToken(identity.privateKeyFile, { userId: identity.adminUserId, userName: 'admin', roles: [Role.ADMIN], ttlSeconds: 7 * 24 * 3600, issuer: config.auth.issuer, audience: config.auth.audience }),
        }
      : undefined;
    const ormRef = orm;
    return {
      url,
      server,
      orm,
      dev,
      async stop() {
        await server.close();
        await embeddedPlugins?.stop();
        await ormRef.close();
        await db.embedded?.stop();
      },
    };
  } catch (e) {
    await embeddedPlugins?.stop();
    await orm?.close(true);
    await db.embedded?.stop();
    throw e;
  }
}
