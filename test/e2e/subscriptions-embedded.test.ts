// Subscriptions on the embedded database (PGlite), which delivers no NOTIFY between connections: the in-process
// commit signal is what wakes the tailer, with the safety poll set far out of reach.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { Changes } from '../operations/changes.js';
import { OperationUpdated } from '../operations/subscriptions.js';
import { appendViaOrm, collect, eventually, opEvent, operationSnapshot } from './subscriptions-support.js';

let dir: string;
let app: RunningApp;
let client: Client;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-subs-embedded-'));
  const config = loadConfig({ APPLCM_DATA_DIR: dir, APPLCM_HOST: '127.0.0.1', APPLCM_PORT: '0', APPLCM_EMBEDDED_PLUGINS: 'false', APPLCM_EVENT_POLL_MS: '600000', LOG_LEVEL: 'warn' });
  app = await startApp(config, 'dev', createLogger('warn'));
  client = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${app.dev!.adminToken}` }, retryAttempts: 0, lazy: true });
});
after(async () => {
  await client?.dispose();
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('subscriptions on the embedded database', () => {
  it('delivers events committed through the ORM at once, without LISTEN and without waiting for the poll', async () => {
    assert.equal(app.server.events.bus.pgListener, undefined, 'no LISTEN on PGlite');
    const tenant = app.dev!.identity.adminUserId;
    const c = collect(client, OperationUpdated, {});
    await eventually(() => app.server.events.subscriptions.size === 1, 5000, 'subscribed');
    for (let i = 0; i < 3; i++) {
      const op = operationSnapshot(tenant, { state: 'PROCESSING' });
      const sent = Date.now();
      await appendViaOrm(app.orm, [opEvent(op)]);
      const items = await c.waitFor(i + 1, 2000);
      assert.equal(items[i]!.operationUpdated.operation.id, op.id);
      assert.ok(Date.now() - sent < 1000, `delivered in ${Date.now() - sent} ms`);
    }
    c.unsubscribe();

    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.dev!.adminToken}` },
      body: JSON.stringify({ query: (await import('graphql')).print(Changes), variables: { first: 10 } }),
    });
    const body = (await res.json()) as { data: { changes: { edges: { node: { topic: string } }[] } } };
    assert.equal(body.data.changes.edges.filter((e) => e.node.topic === 'operation.updated').length, 3);
  });
});
