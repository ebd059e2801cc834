// A server on a given database and package store, in this process: one replica of a deployment of several. Closing
// it leaves the database and the store to whoever made them (several replicas share them).
import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTokenVerifier, keySourceFrom } from '../../src/auth/token-verifier.js';
import { loadConfig } from '../../src/config.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServer, type AppServer } from '../../src/server.js';
import { httpGql, identities, type LcmApi } from './lcm-fixture.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';
import { generateTestKeys, type TestKeys } from './test-keys.js';

export interface Replica extends LcmApi {
  server: AppServer;
  orm: MikroORM;
  logs: Record<string, unknown>[];
  /** Closes the server (its worker hands its operations over) and its pool. Idempotent. */
  close(): Promise<void>;
}

/** What replicas share: the database, the package store, the key tokens are signed with (a TestServer is one). */
export interface ReplicaBase {
  db: TestDatabase;
  dataDir: string;
  keys: TestKeys;
  tokens: LcmApi['tokens'];
  tenants: LcmApi['tenants'];
}

export async function startReplica(base: ReplicaBase, env: Record<string, string> = {}): Promise<Replica> {
  const config = loadConfig({
    NODE_ENV: 'test',
    APPLCM_DATA_DIR: base.dataDir,
    APPLCM_HOST: '127.0.0.1',
    APPLCM_PORT: '0',
    DATABASE_URL: base.db.url,
    JWT_PUBLIC_KEY: base.keys.publicKeyPem,
    LOG_LEVEL: 'info',
    DATABASE_POOL_MAX: '5',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const orm = await openOrm({ url: base.db.url, poolMax: config.database.poolMax, statementTimeoutMs: config.database.statementTimeoutMs, logger: log });
  await migrate(orm, { lock: true });
  const server = await createServer({ config, orm, verifier: createTokenVerifier(config.auth, keySourceFrom(config.auth)), log });
  const url = await server.listen();
  let closing: Promise<void> | undefined;
  return {
    url,
    tokens: base.tokens,
    tenants: base.tenants,
    gql: httpGql(() => url, base.tokens.admin),
    server,
    orm,
    logs,
    close() {
      closing ??= (async () => {
        await server.close();
        await orm.close(true);
      })();
      return closing;
    },
  };
}

/** A fresh database, package store, key pair and tenant A for a set of replicas; `destroy` removes them. */
export async function replicaBase(label: string): Promise<ReplicaBase & { destroy(): Promise<void> }> {
  const db = await createTestDatabase(label);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `applcm-${label}-`));
  const ids = await identities(generateTestKeys());
  return {
    db,
    dataDir,
    keys: ids.keys,
    tokens: ids.tokens,
    tenants: ids.tenants,
    async destroy() {
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
