import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTokenVerifier, keySourceFrom } from '../../src/auth/token-verifier.js';
import { loadConfig, type Config } from '../../src/config.js';
import { migrate, openOrm } from '../../src/db/orm.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServer, type AppServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';
import { generateTestKeys, tokenFor, type TestKeys } from './test-keys.js';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
  headers: Headers;
}

export interface TestServer {
  url: string;
  wsUrl: string;
  config: Config;
  /** The server's data directory (package store, temp uploads). */
  dataDir: string;
  orm: MikroORM;
  db: TestDatabase;
  keys: TestKeys;
  server: AppServer;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Tokens for two tenants, an admin and a guest (guest of tenant A). */
  tokens: { admin: string; tenantA: string; tenantB: string; guestA: string };
  tenants: { A: string; B: string; admin: string };
  gql<TData, TVars>(doc: TypedDocumentNode<TData, TVars> | string, variables?: TVars, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  ws(token: string | null, extraParams?: Record<string, unknown>): Client;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** The PostgreSQL server the fresh database is created on; the machine's one by default. */
  adminDatabaseUrl?: string;
}

/**
 * A real server on a fresh database of the machine's PostgreSQL (or `opts.adminDatabaseUrl`'s), listening
 * on an ephemeral loopback port. `env` overrides configuration as the environment would.
 */
export async function startTestServer(label: string, env: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase(label, opts.adminDatabaseUrl);
  const keys = generateTestKeys();
  // Package files and temp uploads of this server only; removed on close.
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `applcm-${label}-`));
  const config = loadConfig({
    NODE_ENV: 'test',
    APPLCM_DATA_DIR: dataDir,
    APPLCM_HOST: '127.0.0.1',
    APPLCM_PORT: '0',
    DATABASE_URL: db.url,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
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
  const orm = await openOrm({ url: db.url, poolMax: config.database.poolMax, statementTimeoutMs: config.database.statementTimeoutMs, logger: log });
  await migrate(orm, { lock: true });
  const verifier = createTokenVerifier(config.auth, keySourceFrom(config.auth));
  const server = await createServer({ config, orm, verifier, log });
  const url = await server.listen();
  const tenants = { A: randomUUID(), B: randomUUID(), admin: randomUUID() };
  const tokens = {
    admin: await tokenFor(keys, 'admin', tenants.admin),
    tenantA: await tokenFor(keys, 'tenant', tenants.A),
    tenantB: await tokenFor(keys, 'tenant', tenants.B),
    guestA: await tokenFor(keys, 'guest', tenants.A),
  };
  const clients: Client[] = [];

  return {
    url,
    wsUrl: url.replace(/^http/, 'ws') + '/graphql',
    config,
    dataDir,
    orm,
    db,
    keys,
    server,
    logs,
    tokens,
    tenants,
    async gql(doc, variables, token = tokens.admin, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
      });
      const text = await res.text();
      const body = (text ? JSON.parse(text) : {}) as { data?: never; errors?: never };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    },
    ws(token, extraParams = {}) {
      const client = createClient({
        url: `${url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extraParams },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async close() {
      // graphql-ws's dispose is synchronous for lazy clients, a promise otherwise.
      await Promise.all(clients.map(async (c) => { await c.dispose(); }));
      await server.close();
      await orm.close(true);
      await db.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs one operation over graphql-ws and resolves with its single result. */
export function wsExecute<TData, TVars>(client: Client, doc: TypedDocumentNode<TData, TVars> | string, variables?: TVars): Promise<{ data?: TData | null; errors?: GraphQLResponse<TData>['errors'] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: TData | null; errors?: GraphQLResponse<TData>['errors'] } | undefined;
    client.subscribe<TData>(
      { query: typeof doc === 'string' ? doc : print(doc), variables: variables as Record<string, unknown> | undefined },
      {
        next: (r) => (result = r as never),
        error: (e: unknown) => (Array.isArray(e) ? resolve({ errors: e as never }) : reject(e instanceof Error ? e : new Error(JSON.stringify(e)))),
        complete: () => resolve(result ?? {}),
      },
    );
  });
}
