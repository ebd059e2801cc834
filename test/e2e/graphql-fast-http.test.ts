// POST /graphql answered by the fast front (src/graphql/http-front.ts) and by express + Apollo Server (a replica on the
// same database with APPLCM_GQL_FAST_HTTP=false) must be the same answers, byte for byte: status, headers, body. Every
// kind of request: data, fragments, variables, errors of every stage (body, parse, validation, variables, cost, depth,
// authentication, fields, masked failures), mutations, Accept headers, operation names, body shapes, introspection
// in production. Only the ETag differs: express computed one for every answer, the front sends none.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { insertInstances, onboardPackage, registerHost } from '../helpers/instance-rows.js';
import { startReplica, type Replica } from '../helpers/replica-server.js';
import { sql } from '../helpers/test-db.js';
import { generateTestKeys, signToken } from '../helpers/test-keys.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let fast: TestServer;
let reference: Replica;
let prodFast: Replica;
let prodReference: Replica;
let hostId: string;

before(async () => {
  fast = await startTestServer('gqlfast');
  [reference, prodFast, prodReference] = await Promise.all([
    startReplica(fast, { APPLCM_GQL_FAST_HTTP: 'false', APPLCM_WORKER_ENABLED: 'false' }),
    startReplica(fast, { NODE_ENV: 'production', APPLCM_WORKER_ENABLED: 'false' }),
    startReplica(fast, { NODE_ENV: 'production', APPLCM_GQL_FAST_HTTP: 'false', APPLCM_WORKER_ENABLED: 'false' }),
  ]);
  const packageId = await onboardPackage(fast, 'fast-http-pkg', 'A');
  hostId = (await registerHost(fast, fast.tokens.tenantA, 'fast-edge')).id;
  await insertInstances(
    fast.db.url,
    Array.from({ length: 7 }, (_, i) => ({ tenantId: fast.tenants.A, packageId, hostId, name: `fast-${i}`, parameters: { n: String(i) }, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) })),
  );
});
after(async () => {
  await Promise.all([reference?.close(), prodFast?.close(), prodReference?.close()]);
  await fast?.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Req {
  body: string;
  headers?: Record<string, string>;
  /** The caller's token; null sends none. Tenant A's by default. */
  token?: string | null;
}

/** One POST /graphql over node:http, so that no header is added that the test does not set (fetch adds Accept). */
function post(url: string, req: Req): Promise<Answer> {
  const token = req.token === undefined ? fast.tokens.tenantA : req.token;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...req.headers };
  return new Promise((resolve, reject) => {
    const r = http.request(`${url}/graphql`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** What must be equal: status, headers but those that differ by nature, and the body with correlation ids masked. */
function comparable(a: Answer) {
  const { date: _d, etag: _e, 'x-correlation-id': _c, connection: _k, 'keep-alive': _a, ...headers } = a.headers;
  const text = a.text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => (a.text.includes(`"correlationId":"${id}"`) ? '<correlation id>' : id));
  return { status: a.status, headers, text };
}

const query = (q: string, variables?: Record<string, unknown>, operationName?: string) => JSON.stringify({ query: q, variables, operationName });

/** Asks both servers of a pair; their answers must be equal. Returns the fast one's, parsed. */
async function same(req: Req, pair: [{ url: string }, { url: string }] = [fast, reference]) {
  const a = await post(pair[0].url, req);
  const b = await post(pair[1].url, req);
  assert.deepEqual(comparable(a), comparable(b), `the fast front and Apollo Server differ for ${req.body}`);
  let json: { data?: Record<string, unknown> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } | undefined;
  try {
    json = JSON.parse(a.text) as typeof json;
  } catch {
    json = undefined;
  }
  return { ...a, json };
}

const PAGE = `query Page($first: Int, $after: String) {
  appInstances(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { ...Row package { id name } host { id name ip } } }
  }
}
fragment Row on AppInstance { id name instantiationState operationalState parameters createdAt updatedAt origin description }`;

describe('the fast front answers as Apollo Server does', () => {
  it('takes ordinary queries itself (no ETag) and answers them alike: a page with a fragment, then the next page', async () => {
    const first = await same({ body: query(PAGE, { first: 3 }) });
    assert.equal(first.status, 200);
    assert.equal(first.headers.etag, undefined, 'answered by the fast front');
    assert.equal((await post(reference.url, { body: query(PAGE, { first: 3 }) })).headers.etag !== undefined, true, 'answered by express');
    const page = first.json!.data!.appInstances as { totalCount: number; pageInfo: { endCursor: string }; edges: { node: { name: string } }[] };
    assert.equal(page.totalCount, 7);
    assert.deepEqual(
      page.edges.map((e) => e.node.name),
      ['fast-0', 'fast-1', 'fast-2'],
    );
    const next = await same({ body: query(PAGE, { first: 3, after: page.pageInfo.endCursor }) });
    assert.deepEqual(
      (next.json!.data!.appInstances as { edges: { node: { name: string } }[] }).edges.map((e) => e.node.name),
      ['fast-3', 'fast-4', 'fast-5'],
    );
    // The same document again (prepared once), with an operation name, aliases, directives and __typename.
    await same({ body: query(PAGE, { first: 7 }, 'Page') });
    await same({ body: query(`query($yes: Boolean!) { viewer { __typename role t: tenantId @include(if: $yes) userId @skip(if: $yes) } }`, { yes: true }) });
    await same({ body: query(`query($yes: Boolean!) { viewer { __typename role t: tenantId @include(if: $yes) userId @skip(if: $yes) } }`, { yes: false }) });
  });

  it('a document that does not parse, and one that does not validate', async () => {
    const bad = await same({ body: query('{ viewer { role }') });
    assert.equal(bad.status, 400);
    assert.equal(bad.json!.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED');
    const invalid = await same({ body: query('{ viewer { rolez } }') });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json!.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    // Production hides the hint naming the field it meant.
    const hidden = await same({ body: query('{ viewer { rolez } }') }, [prodFast, prodReference]);
    assert.doesNotMatch(hidden.text, /Did you mean/);
  });

  it('variables that do not coerce, and missing ones', async () => {
    for (const [q, v] of [
      ['query($first: Int) { hosts(first: $first) { totalCount } }', { first: 'ten' }],
      ['query($id: ID!) { host(id: $id) { id } }', {}],
      ['query($id: ID!) { host(id: $id) { id } }', { id: null }],
      ['query($f: AppInstanceFilterInput) { appInstances(filter: $f) { totalCount } }', { f: { instantiationState: 'NOPE' } }],
    ] as const) {
      const r = await same({ body: query(q, v) });
      assert.equal(r.status, 400, q);
      assert.equal(r.json!.errors![0]!.extensions!.code, 'BAD_USER_INPUT', q);
    }
  });

  it('an unauthenticated request: no token, a malformed one, one signed by another key; each counted once as an auth failure', async () => {
    const failures = async (url: string) => Number(/^applcm_auth_failures_total\{transport="http"\} (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
    const before = await failures(fast.url);
    const stranger = await signToken(generateTestKeys(), { userId: fast.tenants.A, user_name: 'x', authorities: ['ROLE_MECM_TENANT'] });
    for (const token of [null, 'not-a-jwt', stranger]) {
      const r = await same({ body: query('{ viewer { role } }'), token });
      assert.equal(r.status, 401);
      assert.equal(r.json!.errors![0]!.extensions!.code, 'UNAUTHENTICATED');
    }
    // Unauthenticated whatever the body says.
    await same({ body: '[{"query":"{ viewer { role } }"}]', token: null });
    await same({ body: query('{ viewer { role }'), token: null });
    assert.equal((await failures(fast.url)) - before, 5);
  });

  it('a query nested too deep, one with too many aliases, and queries over the cost limit (literal and through variables)', async () => {
    const deep = await same({ body: query(`{ hosts { edges { node { hwCapabilities ${'{ x '.repeat(20)}${'}'.repeat(20)} } } } }`) });
    assert.equal(deep.status, 400);
    assert.match(deep.text, /nested deeper than the limit/);
    const aliases = await same({ body: query(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`) });
    assert.equal(aliases.status, 400);
    const costly = await same({ body: query('{ appInstances(first: 500) { edges { node { status { state } } } } }') });
    assert.equal(costly.status, 400);
    assert.equal(costly.json!.errors![0]!.extensions!.code, 'QUERY_TOO_COMPLEX');
    // The cost of a document is remembered by the variables it depends on ($first), not by the others ($after).
    const q = 'query($first: Int, $after: String) { appInstances(first: $first, after: $after) { edges { node { id status { state } } } } }';
    assert.equal((await same({ body: query(q, { first: 2 }) })).status, 200);
    assert.equal((await same({ body: query(q, { first: 500 }) })).json!.errors![0]!.extensions!.code, 'QUERY_TOO_COMPLEX');
    assert.equal((await same({ body: query(q, { first: 500, after: 'x' }) })).json!.errors![0]!.extensions!.code, 'QUERY_TOO_COMPLEX');
    // Over the limit, but a variable does not coerce: the variable error, as before.
    assert.equal((await same({ body: query(q, { first: 500, after: 5 }) })).json!.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    assert.equal((await same({ body: query(q, { first: 2, after: 5 }) })).json!.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    assert.equal((await same({ body: query(q, { first: 2 }) })).status, 200);
  });

  it('mutations: refused ones, and one that runs exactly once', async () => {
    const refused = await same({ body: query('mutation { registerHost(input: { ip: "999.1.1.1", name: "x" }) { id } }') });
    assert.equal(refused.json!.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    const guest = await same({ body: query('mutation { registerHost(input: { ip: "10.79.0.1", name: "g" }) { id } }'), token: fast.tokens.guestA });
    assert.equal(guest.json!.errors![0]!.extensions!.code, 'FORBIDDEN');
    const tooMany = await same({ body: query(`mutation { ${Array.from({ length: 6 }, (_, i) => `m${i}: registerHost(input: { ip: "10.79.1.${i}", name: "m" }) { id } }`).join(' ')} }`) });
    assert.equal(tooMany.status, 400);
    const hosts = async () => Number((await sql<{ n: string }>(fast.db.url, 'select count(*) as n from mec_host'))[0]!.n);
    const before = await hosts();
    const mk = (url: string, ip: string) => post(url, { body: query('mutation($ip: String!) { registerHost(input: { ip: $ip, name: "fast-made" }) { name ip vim } }', { ip }) });
    const [a, b] = [await mk(fast.url, '10.79.2.1'), await mk(reference.url, '10.79.2.2')];
    assert.equal(await hosts(), before + 2);
    assert.deepEqual(comparable(a), { ...comparable(b), text: comparable(b).text.replace('10.79.2.2', '10.79.2.1') });
    // The same host again: a conflict, from both.
    const again = await same({ body: query('mutation { registerHost(input: { ip: "10.79.2.1", name: "again" }) { id } }') });
    assert.equal(again.json!.errors![0]!.extensions!.code, 'CONFLICT');
  });

  it('errors on one field leave the rest of the answer; an unexpected failure is masked with a correlation id', async () => {
    const partial = await same({ body: query('{ viewer { role } host(id: "00000000-0000-4000-8000-000000000000") { id } hosts(first: 2) { totalCount } }') });
    assert.equal(partial.status, 200);
    assert.equal(partial.json!.errors![0]!.extensions!.code, 'NOT_FOUND');
    assert.deepEqual(partial.json!.errors![0]!.path, ['host']);
    await sql(fast.db.url, 'alter table mec_host rename to mec_host_gone');
    try {
      const masked = await same({ body: query('{ hosts(first: 2) { totalCount } }') });
      const err = masked.json!.errors![0]!;
      assert.equal(err.extensions!.code, 'INTERNAL_SERVER_ERROR');
      const line = fast.logs.find((l) => l.correlationId === err.extensions!.correlationId);
      assert.match(JSON.stringify(line), /mec_host/);
    } finally {
      await sql(fast.db.url, 'alter table mec_host_gone rename to mec_host');
    }
  });

  it('content types by Accept header, including none acceptable (406)', async () => {
    for (const accept of ['*/*', 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9', 'application/json;q=0.5, application/graphql-response+json', 'application/json; callbackSpec=1.0', 'text/html', 'application/xml']) {
      const ok = await same({ body: query('{ viewer { role } }'), headers: { accept } });
      assert.ok([200, 406].includes(ok.status), `${accept}: ${ok.status}`);
      await same({ body: query('{ viewer { rolez } }'), headers: { accept } });
    }
    const none = await same({ body: query('{ viewer { role } }'), headers: { accept: 'text/html' } });
    assert.equal(none.status, 406);
  });

  it('operation names: one of several operations, none given, an unknown one', async () => {
    const doc = 'query A { viewer { role } } query B { viewer { userId } }';
    assert.deepEqual((await same({ body: query(doc, undefined, 'B') })).json!.data, { viewer: { userId: fast.tenants.A } });
    await same({ body: query(doc, undefined, 'A') });
    // A subscription sent over HTTP, and a document with a query and a subscription.
    await same({ body: query('subscription { operationUpdated { sequence } }') });
    await same({ body: query('query Q { viewer { role } } subscription S { operationUpdated { sequence } }', undefined, 'S') });
    // Apollo Server words these as failures to resolve the operation (with status 500 when no name is given).
    for (const r of [await same({ body: query(doc) }), await same({ body: query(doc, undefined, 'C') }), await same({ body: query('{ viewer { role } }', undefined, '') })]) {
      assert.equal(r.json!.data, undefined);
      assert.ok(r.json!.errors!.length);
    }
  });

  it('bodies of every shape: not JSON, not an object, batches, missing or mistyped fields, persisted queries, byte order marks', async () => {
    for (const body of [
      '{not json',
      '   ',
      '\u0000',
      '"a string"',
      'null',
      '[]',
      '{}',
      '[{"query":"{ viewer { role } }"},{"query":"{ viewer { role } }"}]',
      '{"query": null}',
      '{"query": ""}',
      '{"query": 123}',
      '{"query": "{ viewer { role } }", "variables": "x"}',
      '{"query": "{ viewer { role } }", "variables": [1]}',
      '{"query": "{ viewer { role } }", "operationName": 5}',
      '{"query": "{ viewer { role } }", "extensions": "x"}',
      '{"query": "{ viewer { role } }", "extensions": {}}',
      '{"query": "{ viewer { role } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
      '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
      '{"query": "{ viewer { role } }", "variables": null, "operationName": null, "extensions": null}',
      '\ufeff{"query": "{ viewer { role } }"}',
      ' \n\t{"query": "{ viewer { role } }"}',
    ]) {
      const r = await same({ body });
      assert.ok(r.status !== 500, `${body} → ${r.status} ${r.text}`);
    }
  });

  it('request headers the front leaves to express: other content types (CSRF), charsets, compressed bodies', async () => {
    const body = query('{ viewer { role } }');
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/graphql']) {
      const r = await same({ body, headers: { 'content-type': type } });
      assert.ok(r.status !== 500, `${type} → ${r.status}`);
    }
    assert.equal((await same({ body, headers: { 'content-type': 'text/plain' } })).status, 400);
  });

  it('introspection: on in development, off in production', async () => {
    assert.equal((await same({ body: query('{ __schema { queryType { name } } }') })).status, 200);
    const off = await same({ body: query('{ __schema { queryType { name } } }') }, [prodFast, prodReference]);
    assert.equal(off.status, 400);
    assert.equal((await same({ body: query('{ a: __type(name: "Query") { name } }') }, [prodFast, prodReference])).status, 400);
    await same({ body: query(PAGE, { first: 2 }) }, [prodFast, prodReference]);
  });

  it('correlation ids and metrics of the requests it answers', async () => {
    const given = await post(fast.url, { body: query('{ viewer { role } }'), headers: { 'x-correlation-id': 'fast-front-test-1' } });
    assert.equal(given.headers['x-correlation-id'], 'fast-front-test-1');
    const made = await post(fast.url, { body: query('{ viewer { role } }'), headers: { 'x-correlation-id': 'no' } });
    assert.match(String(made.headers['x-correlation-id']), /^[0-9a-f-]{36}$/);
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const ok = /applcm_graphql_operation_duration_seconds_count\{transport="http",operation_type="query",root_field="viewer",outcome="ok"\} (\d+)/;
    const failed = /applcm_graphql_operation_duration_seconds_count\{transport="http",operation_type="query",root_field="host",outcome="error"\} (\d+)/;
    const http200 = /applcm_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} (\d+)/;
    const before = await (await fetch(`${fast.url}/metrics`)).text();
    await post(fast.url, { body: query('{ viewer { role } }') });
    await post(fast.url, { body: query('{ host(id: "00000000-0000-4000-8000-000000000000") { id } }') });
    const after = await (await fetch(`${fast.url}/metrics`)).text();
    assert.equal(count(after, ok) - count(before, ok), 1);
    assert.equal(count(after, failed) - count(before, failed), 1);
    assert.equal(count(after, http200) - count(before, http200), 2);
  });
});
