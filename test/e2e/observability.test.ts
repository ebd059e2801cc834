import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { Hosts, RegisterHost } from '../operations/hosts.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, wsExecute, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer('obs');
});
after(() => t.close());

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    const h = await fetch(`${t.url}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { status: 'ok' });
    const r = await fetch(`${t.url}/readyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ready', database: 'ok' });
  });

  it('exposes HTTP and GraphQL histograms on /metrics, labelled by root field rather than client names', async () => {
    await t.gql(Hosts, { first: 1 });
    await t.gql('query SomeClientChosenName { viewer { role } }');
    await wsExecute(t.ws(t.tokens.admin), Hosts, { first: 1 });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(text, /applcm_http_request_duration_seconds_bucket\{[^}]*route="\/graphql"[^}]*status="200"/);
    assert.match(text, /applcm_graphql_operation_duration_seconds_count\{transport="http",operation_type="query",root_field="hosts",outcome="ok"\} [1-9]/);
    assert.match(text, /root_field="viewer"/);
    assert.doesNotMatch(text, /SomeClientChosenName/);
    assert.match(text, /applcm_graphql_ws_operations_total\{operation_type="query",root_field="hosts"\} [1-9]/);
    assert.match(text, /applcm_process_resident_memory_bytes/);
  });

  it('shows the engine and the event feed: running operations, open subscriptions, log position, queued plugin calls, removals', async () => {
    const metric = (text: string, name: string): number => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      assert.ok(m, `${name} in /metrics`);
      return Number(m[1]);
    };
    const client = t.ws(t.tokens.admin);
    const ended = new Promise<void>((resolve) => {
      const stop = client.subscribe({ query: 'subscription { operationUpdated { sequence } }' }, { next: () => undefined, error: () => resolve(), complete: () => resolve() });
      void (async () => {
        // Wait until the server counts the subscription, then end it.
        for (let i = 0; i < 100; i++) {
          const text = await (await fetch(`${t.url}/metrics`)).text();
          if (metric(text, 'applcm_subscriptions_open') >= 1) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        stop();
      })();
    });
    await ended.catch(() => undefined);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.equal(metric(text, 'applcm_operations_running'), 0);
    assert.ok(metric(text, 'applcm_event_log_position') >= 0);
    assert.equal(metric(text, 'applcm_subscriber_fallbacks'), 0);
    assert.equal(metric(text, 'applcm_events_removed'), 0);
    // This server has no plugin: the queue gauge is there, with no series.
    assert.match(text, /^# TYPE applcm_plugin_calls_queued gauge$/m);
    // The subscription counted while it was open (the loop above saw it) and is gone once it ended.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(metric((await (await fetch(`${t.url}/metrics`)).text()), 'applcm_subscriptions_open'), 0);
  });

  it('echoes a well-formed correlation id and invents one otherwise', async () => {
    const given = await fetch(`${t.url}/healthz`, { headers: { 'x-correlation-id': 'abc-12345678' } });
    assert.equal(given.headers.get('x-correlation-id'), 'abc-12345678');
    const hostile = await fetch(`${t.url}/healthz`, { headers: { 'x-correlation-id': 'a b' } });
    assert.match(hostile.headers.get('x-correlation-id')!, /^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const r = await fetch(`${t.url}/nope`);
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'NOT_FOUND');
  });
});

describe('logs', () => {
  it('redact secrets that appear in logged objects', async () => {
    const { createLogger } = await import('../../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    log.info({ req: { headers: { authorization: 'Bearer SECRET1', access_token: 'SECRET2' } }, host: { kubeconfig: 'SECRET3', password: 'SECRET4' }, connectionParams: { authorization: 'SECRET5' } }, 'x');
    assert.doesNotMatch(lines.join(''), /SECRET/);
    assert.match(lines.join(''), /\[redacted\]/);
  });
});

describe('graceful shutdown (last: it stops the server)', () => {
  it('finishes in-flight requests, closes sockets with 1001, and refuses new work', async () => {
    // A request that holds a database lock keeps one mutation in flight while shutdown begins.
    const lock = sql(t.db.url, 'begin; lock table mec_host in exclusive mode; select pg_sleep(0.6); commit;');
    await new Promise((r) => setTimeout(r, 100));
    const inFlight = t.gql(RegisterHost, { input: { ip: '10.60.0.1', name: 'late' } });
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.tokens.admin}` } }));
    await once(socket, 'message');
    const socketClosed = once(socket, 'close');
    await new Promise((r) => setTimeout(r, 50));

    const closing = t.server.close();
    const ready = await fetch(`${t.url}/readyz`).catch(() => null);
    if (ready) assert.equal(ready.status, 503, 'not ready while draining');
    const done = await inFlight;
    assert.equal(done.errors, undefined, JSON.stringify(done.errors));
    assert.equal(done.data!.registerHost.ip, '10.60.0.1');
    const [code] = await socketClosed;
    assert.equal(code, 1001);
    await closing;
    await lock;
    await assert.rejects(fetch(`${t.url}/healthz`), 'the port is closed after shutdown');
    const rows = await sql(t.db.url, `select id from mec_host where ip = '10.60.0.1'`);
    assert.equal(rows.length, 1);
  });
});
