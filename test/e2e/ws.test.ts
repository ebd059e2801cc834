import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { DeleteHost, Host, Hosts, RegisterHost, UpdateHost, Viewer } from '../operations/hosts.js';
import { signToken, AUTH } from '../helpers/test-keys.js';
import { startTestServer, wsExecute, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let prod: TestServer;
before(async () => {
  [t, prod] = await Promise.all([
    startTestServer('ws', { APPLCM_WS_INIT_TIMEOUT_MS: '800' }),
    startTestServer('wsprod', { NODE_ENV: 'production' }),
  ]);
});
after(async () => {
  await Promise.all([t?.close(), prod?.close()]);
});

/** Opens a raw graphql-transport-ws socket and resolves when it is open. */
async function rawSocket(server: TestServer = t): Promise<WebSocket> {
  const ws = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  await once(ws, 'open');
  return ws;
}

const closeOf = (ws: WebSocket) => once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));

async function stillServing(server: TestServer = t) {
  const r = await wsExecute(server.ws(server.tokens.tenantA), Viewer);
  assert.equal(r.data?.viewer.role, 'TENANT');
}

describe('host CRUD over graphql-ws', () => {
  it('registers, lists, updates and deletes with the same rules as HTTP', async () => {
    const a = t.ws(t.tokens.tenantA);
    const created = await wsExecute(a, RegisterHost, { input: { ip: '10.50.0.1', name: 'ws-edge' } });
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const id = created.data!.registerHost.id;
    assert.equal(created.data!.registerHost.tenantId, t.tenants.A);

    const listed = await wsExecute(a, Hosts, { filter: { ip: '10.50.0.1' } });
    assert.deepEqual(listed.data!.hosts.edges.map((e) => e.node.id), [id]);

    const updated = await wsExecute(a, UpdateHost, { id, input: { city: 'Hangzhou' }, expectedVersion: 1 });
    assert.equal(updated.data!.updateHost.city, 'Hangzhou');

    const invalid = await wsExecute(a, RegisterHost, { input: { ip: '300.1.1.1', name: 'bad' } });
    assert.equal(invalid.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(invalid.errors?.[0]?.extensions?.field, 'ip');

    const b = t.ws(t.tokens.tenantB);
    assert.equal((await wsExecute(b, Host, { id })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const guest = t.ws(t.tokens.guestA);
    assert.equal((await wsExecute(guest, DeleteHost, { id })).errors?.[0]?.extensions?.code, 'FORBIDDEN');

    assert.equal((await wsExecute(a, DeleteHost, { id })).data!.deleteHost.id, id);
    assert.equal((await wsExecute(a, Host, { id })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});

describe('graphql-ws connection hardening', () => {
  it('closes a socket that never sends connection_init (4408)', async () => {
    const ws = await rawSocket();
    const started = Date.now();
    const { code } = await closeOf(ws);
    assert.equal(code, 4408);
    assert.ok(Date.now() - started < 3000);
    await stillServing();
  });

  for (const [label, params] of [
    ['no token', () => Promise.resolve({})],
    ['a garbage token', () => Promise.resolve({ authorization: 'Bearer nope' })],
    ['an expired token', async () => ({ authorization: `Bearer ${await signToken(t.keys, { userId: 'u', user_name: 'u', authorities: [AUTH.admin] }, { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 })}` })],
    ['authorities that are not a list', async () => ({ authorization: `Bearer ${await signToken(t.keys, { userId: 'u', user_name: 'u', authorities: 'ROLE_MECM_ADMIN' })}` })],
  ] as const) {
    it(`refuses connection_init with ${label} (4403)`, async () => {
      const ws = await rawSocket();
      const closed = closeOf(ws);
      let acked = false;
      ws.on('message', (m: Buffer) => (acked ||= JSON.parse(m.toString()).type === 'connection_ack'));
      ws.send(JSON.stringify({ type: 'connection_init', payload: await params() }));
      assert.equal((await closed).code, 4403);
      assert.equal(acked, false);
      await stillServing();
    });
  }

  it('accepts the original access_token key in connectionParams', async () => {
    const r = await wsExecute(t.ws(null, { access_token: t.tokens.tenantB }), Viewer);
    assert.equal(r.data?.viewer.tenantId, t.tenants.B);
  });

  it('refuses subscribe before the connection is acknowledged (4401)', async () => {
    const ws = await rawSocket();
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { role } }' } }));
    assert.equal((await closed).code, 4401);
  });

  it('closes a socket that sends a frame over the 1 MiB payload cap (1009)', async () => {
    const ws = await rawSocket();
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    assert.equal((await closed).code, 1009);
    await stillServing();
  });

  it('closes on garbage frames (4400) without harming the server', async () => {
    const ws = await rawSocket();
    const closed = closeOf(ws);
    ws.send('{{{ not json');
    assert.equal((await closed).code, 4400);
    await stillServing();
  });
});

describe('limits over graphql-ws', () => {
  it('applies the alias, depth, token, mutation and cost limits as HTTP does', async () => {
    const c = t.ws(t.tokens.admin);
    const aliases = await wsExecute(c, `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`);
    assert.equal(aliases.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const deep = await wsExecute(c, `{ hosts { edges { node { hwCapabilities ${'{ x '.repeat(296)}${'}'.repeat(296)} } } } }`);
    assert.match(JSON.stringify(deep.errors), /nested deeper than the limit/);
    const tokens = await wsExecute(c, `{ viewer { ${'role '.repeat(3000)} } }`);
    assert.equal(tokens.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const mutations = await wsExecute(c, `mutation { ${Array.from({ length: 6 }, (_, i) => `m${i}: deleteHost(id: "x${i}") { id }`).join(' ')} }`);
    assert.match(JSON.stringify(mutations.errors), /at most 5 mutation fields/);
    const cost = await wsExecute(c, '{ hosts(first: 500) { edges { node { id ip name city vim origin address affinity zipCode coordinates hwCapabilities { hwType hwVendor hwModel } } } } }');
    assert.equal(cost.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    await stillServing();
  });

  it('in production, refuses introspection and hides field suggestions over graphql-ws too', async () => {
    const c = prod.ws(prod.tokens.admin);
    const intro = await wsExecute(c, '{ __schema { types { name } } }');
    assert.ok(intro.errors?.length);
    assert.doesNotMatch(JSON.stringify(intro), /MecHost/);
    const typo = await wsExecute(c, '{ hostz { totalCount } }');
    assert.ok(typo.errors?.length);
    assert.doesNotMatch(JSON.stringify(typo.errors), /Did you mean|hosts/);
    await stillServing(prod);
  });
});

describe('graphql-ws caps per connection and per tenant (hardening S9)', () => {
  let capped: TestServer;
  before(async () => {
    capped = await startTestServer('wscaps', { APPLCM_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3', APPLCM_WS_MAX_CONNECTIONS_PER_TENANT: '2' });
  });
  after(() => capped?.close());

  /** A raw socket past connection_init; `messages` collects what the server sends afterwards. */
  async function acked(token: string): Promise<{ ws: WebSocket; messages: { id?: string; type: string; payload?: unknown }[] }> {
    const ws = await rawSocket(capped);
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    const ack = new Promise<void>((resolve, reject) => {
      ws.on('message', (m: Buffer) => {
        const msg = JSON.parse(m.toString()) as { id?: string; type: string; payload?: unknown };
        if (msg.type === 'connection_ack') resolve();
        else messages.push(msg);
      });
      ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await ack;
    return { ws, messages };
  }

  const subscribe = (ws: WebSocket, id: string) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { operationUpdated { sequence operation { id state } } }' } }));
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('answers a subscription over the per-connection cap with an error; completing one makes room', async () => {
    const { ws, messages } = await acked(capped.tokens.tenantA);
    for (const id of ['s1', 's2', 's3']) subscribe(ws, id);
    await settle();
    assert.equal(messages.length, 0, `the first three are accepted and silent until an event: ${JSON.stringify(messages)}`);
    subscribe(ws, 's4');
    await settle();
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.id, 's4');
    assert.equal(messages[0]!.type, 'error');
    const [err] = messages[0]!.payload as { message: string; extensions: { code: string; limit: number } }[];
    assert.equal(err!.extensions.code, 'RATE_LIMITED');
    assert.equal(err!.extensions.limit, 3);
    assert.match(err!.message, /at most 3/);

    ws.send(JSON.stringify({ id: 's1', type: 'complete' }));
    subscribe(ws, 's5');
    await settle();
    assert.equal(messages.length, 1, 'after s1 completed, s5 fits');
    const gone = closeOf(ws);
    ws.close();
    await gone;
    await stillServing(capped);
  });

  it('closes a tenant connection over the per-tenant cap (4429) while other tenants still connect; a closed one frees its place', async () => {
    const first = await acked(capped.tokens.tenantA);
    const second = await acked(capped.tokens.tenantA);
    const third = await rawSocket(capped);
    const closed = closeOf(third);
    third.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${capped.tokens.tenantA}` } }));
    const { code, reason } = await closed;
    assert.equal(code, 4429);
    assert.match(reason, /too many connections/);

    const other = await acked(capped.tokens.tenantB);
    other.ws.close();

    const gone = closeOf(first.ws);
    first.ws.close();
    await gone;
    // The server counts the close when it sees it; give it that moment.
    await new Promise((r) => setTimeout(r, 100));
    const again = await acked(capped.tokens.tenantA);
    again.ws.close();
    second.ws.close();
  });
});
