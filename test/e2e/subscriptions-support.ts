// Shared by the subscription and change-feed tests: events appended the way the engine will (ORM, in a
// transaction) or by another process (plain SQL), snapshots, a collecting subscriber, a second server on one database.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { createTokenVerifier, keySourceFrom } from '../../src/auth/token-verifier.js';
import { loadConfig } from '../../src/config.js';
import { openOrm } from '../../src/db/orm.js';
import { appendEvent, type EventTopic } from '../../src/events/event-log.js';
import type { DistributionSnapshot, InstanceSnapshot, OperationSnapshot } from '../../src/events/snapshots.js';
import { createLogger } from '../../src/observability/logger.js';
import { createServer, type AppServer } from '../../src/server.js';
import type { GraphQLResponse, TestServer } from '../helpers/test-server.js';

export interface NewEvent {
  topic: EventTopic;
  tenantId: string | null;
  subjectId: string;
  payload: Record<string, unknown>;
}

/** Appends in one ORM transaction, as the engine does (the commit signal wakes the tailer). */
export async function appendViaOrm(orm: MikroORM, events: NewEvent[]): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    for (const e of events) appendEvent(em, e);
    await Promise.resolve();
  });
}

/** Appends in one transaction of a plain connection, as another process would (only NOTIFY or the poll can tell). */
export async function appendViaSql(url: string, events: NewEvent[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    for (const e of events) await c.query('insert into event (tenant_id, topic, subject_id, payload) values ($1, $2, $3, $4)', [e.tenantId, e.topic, e.subjectId, JSON.stringify(e.payload)]);
    await c.query('commit');
  } finally {
    await c.end();
  }
}

/**
 * The log's head once everything committed so far has its position and reached the server's taps: what a
 * subscription with `afterSequence` set to it starts after.
 */
export function headSequence(t: { server: AppServer }): Promise<bigint> {
  return t.server.events.bus.sync();
}

/** Positions of the committed events matching `where` (SQL over `event`, parameters from $2) after `after`, in order. */
export async function committedPositions(t: { server: AppServer; db: { url: string } }, after: bigint, where = 'true', params: unknown[] = []): Promise<bigint[]> {
  await t.server.events.bus.sync();
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  try {
    const rows = (await c.query<{ position: string }>(`select position::text as position from event where position > $1 and (${where}) order by event.position`, [after.toString(), ...params])).rows;
    return rows.map((r) => BigInt(r.position));
  } finally {
    await c.end();
  }
}

const now = () => new Date().toISOString();

export function operationSnapshot(tenantId: string, o: Partial<OperationSnapshot> = {}): OperationSnapshot {
  return {
    id: randomUUID(),
    tenantId,
    type: 'INSTANTIATE',
    state: 'STARTING',
    instanceId: randomUUID(),
    packageId: 'pkg-1',
    hostId: randomUUID(),
    params: {},
    result: null,
    error: null,
    progress: null,
    attempts: 0,
    createdBy: 'u',
    cancelRequested: false,
    createdAt: now(),
    updatedAt: now(),
    startedAt: null,
    finishedAt: null,
    rowVersion: 1,
    ...o,
  };
}

export function instanceSnapshot(tenantId: string, o: Partial<InstanceSnapshot> = {}): InstanceSnapshot {
  return {
    id: randomUUID(),
    tenantId,
    name: 'app',
    description: '',
    packageId: 'pkg-1',
    hostId: randomUUID(),
    instantiationState: 'NOT_INSTANTIATED',
    operationalState: null,
    parameters: {},
    origin: 'MEO',
    createdAt: now(),
    updatedAt: now(),
    rowVersion: 1,
    ...o,
  };
}

export function distributionSnapshot(tenantId: string, o: Partial<DistributionSnapshot> = {}): DistributionSnapshot {
  return { id: randomUUID(), tenantId, packageId: 'pkg-1', hostId: randomUUID(), state: 'DISTRIBUTING', error: null, operationId: null, createdAt: now(), updatedAt: now(), rowVersion: 1, ...o };
}

export const opEvent = (s: OperationSnapshot): NewEvent => ({ topic: 'operation.updated', tenantId: s.tenantId, subjectId: s.id, payload: { ...s } });
export const instEvent = (s: InstanceSnapshot, deleted = false): NewEvent => ({ topic: deleted ? 'instance.deleted' : 'instance.updated', tenantId: s.tenantId, subjectId: s.id, payload: { ...s } });
export const distEvent = (s: DistributionSnapshot, deleted = false): NewEvent => ({ topic: deleted ? 'distribution.deleted' : 'distribution.updated', tenantId: s.tenantId, subjectId: s.id, payload: { ...s } });

type Errors = NonNullable<GraphQLResponse<unknown>['errors']>;

/** A subscription that records everything it receives. */
export interface Collector<T> {
  items: T[];
  errors: Errors[];
  completed: boolean;
  /** Resolves once `n` items arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves once `pred` holds for the items received so far. */
  waitUntil(pred: (items: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  /** Resolves once the subscription ended (completed or failed). */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export function collect<TData, TVars>(client: Client, doc: TypedDocumentNode<TData, TVars>, variables?: TVars): Collector<TData> {
  const items: TData[] = [];
  const errors: Errors[] = [];
  let completed = false;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  const unsubscribe = client.subscribe<TData>(
    { query: print(doc), variables: variables as Record<string, unknown> | undefined },
    {
      next: (r) => {
        if (r.errors) errors.push(r.errors as never);
        if (r.data) items.push(r.data);
        changed();
      },
      error: (e: unknown) => {
        errors.push(Array.isArray(e) ? (e as Errors) : [{ message: e instanceof Error ? e.message : JSON.stringify(e) }]);
        completed = true;
        changed();
      },
      complete: () => {
        completed = true;
        changed();
      },
    },
  );
  const until = (cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const check = () => {
        if (!cond()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out: ${what()}`));
      }, timeoutMs);
      waiters.add(check);
    });
  return {
    items,
    errors,
    get completed() {
      return completed;
    },
    async waitFor(n, timeoutMs = 5000) {
      await until(() => items.length >= n || completed, timeoutMs, () => `${items.length} of ${n} items, errors ${JSON.stringify(errors)}`);
      if (items.length < n) throw new Error(`subscription ended after ${items.length} of ${n} items: ${JSON.stringify(errors)}`);
      return items;
    },
    async waitUntil(pred, timeoutMs = 10_000) {
      await until(() => pred(items) || completed, timeoutMs, () => `condition not met after ${items.length} items, errors ${JSON.stringify(errors)}`);
      if (!pred(items)) throw new Error(`subscription ended before the condition held: ${JSON.stringify(errors)}`);
      return items;
    },
    ended(timeoutMs = 5000) {
      return until(() => completed, timeoutMs, () => `still open after ${items.length} items`);
    },
    unsubscribe,
  };
}

/** Waits until `cond` holds, checking every 10 ms. */
export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The numeric sequences of received items, checked to increase strictly. */
export function sequencesOf(items: { sequence: string }[]): bigint[] {
  return items.map((i) => BigInt(i.sequence));
}

export function strictlyIncreasing(xs: bigint[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
}

export interface PeerServer {
  url: string;
  server: AppServer;
  orm: MikroORM;
  ws(token: string): Client;
  close(): Promise<void>;
}

/** A second server (a replica) on the test server's database, with its own configuration overrides. */
export async function startPeer(t: TestServer, env: Record<string, string> = {}): Promise<PeerServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    APPLCM_DATA_DIR: t.dataDir,
    APPLCM_HOST: '127.0.0.1',
    APPLCM_PORT: '0',
    DATABASE_URL: t.db.url,
    JWT_PUBLIC_KEY: t.keys.publicKeyPem,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_MAX: '5',
    APPLCM_WORKER_ENABLED: 'false',
    ...env,
  });
  const log = createLogger(config.logLevel);
  const orm = await openOrm({ url: t.db.url, poolMax: config.database.poolMax, statementTimeoutMs: config.database.statementTimeoutMs, logger: log });
  const server = await createServer({ config, orm, verifier: createTokenVerifier(config.auth, keySourceFrom(config.auth)), log });
  const url = await server.listen();
  const clients: Client[] = [];
  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    orm,
    ws(token) {
      const c = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
      clients.push(c);
      return c;
    },
    close() {
      closing ??= (async () => {
        await Promise.all(clients.map(async (c) => { await c.dispose(); }));
        await server.close();
        await orm.close(true);
      })();
      return closing;
    },
  };
}
