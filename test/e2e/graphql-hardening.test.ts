import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { print } from 'graphql';
import { HostFields, RegisterHost, Viewer } from '../operations/hosts.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let prod: TestServer;
before(async () => {
  [t, prod] = await Promise.all([startTestServer('gqlhard'), startTestServer('gqlprod', { NODE_ENV: 'production' })]);
});
after(async () => {
  await Promise.all([t?.close(), prod?.close()]);
});

async function post(server: TestServer, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.tokens.admin}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json: (() => { try { return JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }; } catch { return undefined; } })() };
}

async function stillServing(server: TestServer = t) {
  const r = await server.gql(Viewer, {}, server.tokens.tenantA);
  assert.equal(r.data?.viewer.role, 'TENANT');
}

const hostCount = async () => Number((await sql<{ n: string }>(t.db.url, 'select count(*) as n from mec_host'))[0]!.n);

describe('GraphQL request limits over HTTP', () => {
  it('rejects a 5 000-alias query before executing it', async () => {
    const query = `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const started = Date.now();
    const r = await post(t, JSON.stringify({ query }));
    assert.equal(r.status, 400);
    assert.ok(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'].includes(r.json!.errors![0]!.extensions!.code!));
    assert.ok(Date.now() - started < 2000, 'rejected quickly');
    await stillServing();
  });

  it('rejects more than 15 aliases even when the document is small', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const r = await post(t, JSON.stringify({ query }));
    assert.equal(r.status, 400);
    assert.equal(r.json!.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.json!.errors!.map((e) => e.message).join('\n'), /more than 15 aliases/);
  });

  it('rejects a query nested 300 levels deep', async () => {
    const query = `{ hosts { edges { node { hwCapabilities ${'{ x '.repeat(296)}${'}'.repeat(296)} } } } }`;
    const r = await post(t, JSON.stringify({ query }));
    assert.equal(r.status, 400);
    assert.equal(r.json!.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.json!.errors!.map((e) => e.message).join('\n'), /nested deeper than the limit of 10/);
    await stillServing();
  });

  it('rejects documents over the token limit', async () => {
    const query = `{ viewer { ${'role '.repeat(3000)} } }`;
    const r = await post(t, JSON.stringify({ query }));
    assert.equal(r.status, 400);
    assert.equal(r.json!.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(r.json!.errors![0]!.message, /tokens/);
  });

  it('caps mutation fields per request and runs none of an over-cap batch', async () => {
    const before = await hostCount();
    const fields = Array.from({ length: 6 }, (_, i) => `m${i}: registerHost(input: { ip: "10.77.0.${i + 1}", name: "batch${i}" }) { id }`).join(' ');
    const r = await post(t, JSON.stringify({ query: `mutation { ${fields} }` }));
    assert.equal(r.status, 400);
    assert.match(r.json!.errors![0]!.message, /at most 5 mutation fields/);
    assert.equal(await hostCount(), before);
  });

  it('prices list pages by their size and refuses queries over the cost limit, including through variables', async () => {
    const query = `query Q($n: Int) { hosts(first: $n) { edges { node { ...HostFields } } } }\n${print(HostFields)}`;
    const cheap = await post(t, JSON.stringify({ query, variables: { n: 10 } }));
    assert.equal(cheap.status, 200, cheap.text);
    const costly = await post(t, JSON.stringify({ query, variables: { n: 500 } }));
    assert.equal(costly.status, 400);
    assert.equal(costly.json!.errors![0]!.extensions!.code, 'QUERY_TOO_COMPLEX');
  });

  it('refuses a 2 MiB body with a JSON 413, before parsing it', async () => {
    const r = await post(t, JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    assert.equal(r.status, 413);
    assert.match(r.contentType, /application\/json/);
    assert.equal(r.json!.errors![0]!.extensions!.code, 'PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it('answers malformed bodies with 400 and a code, never 500', async () => {
    for (const body of ['{not json', '{"query": null}', '{"query": 123}', '{"query": "{ viewer { role } }", "variables": "x"}', '\u0000']) {
      const r = await post(t, body);
      assert.equal(r.status, 400, `${body} → ${r.status} ${r.text}`);
      assert.ok(r.json?.errors?.[0]?.extensions?.code, `${body} → ${r.text}`);
    }
    await stillServing();
  });

  it('refuses batched operations, mutations over GET and CSRF-able content types', async () => {
    const batch = await post(t, JSON.stringify([{ query: '{ viewer { role } }' }, { query: '{ viewer { role } }' }]));
    assert.equal(batch.status, 400);
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation { deleteHost(id: "x") { id } }')}`, { headers: { authorization: `Bearer ${t.tokens.admin}`, 'apollo-require-preflight': 'true' } });
    assert.equal(get.status, 405);
    const plain = await post(t, JSON.stringify({ query: '{ viewer { role } }' }), { 'content-type': 'text/plain' });
    assert.equal(plain.status, 400);
    assert.doesNotMatch(plain.text, /TENANT|ADMIN/);
  });
});

describe('error masking', () => {
  it('masks an unexpected failure with a correlation id that leads to the log line', async () => {
    await sql(t.db.url, 'alter table mec_host rename to mec_host_moved');
    try {
      const r = await post(t, JSON.stringify({ query: '{ hosts { totalCount } }' }));
      const err = r.json!.errors![0]!;
      assert.equal(err.extensions!.code, 'INTERNAL_SERVER_ERROR');
      const correlationId = (err.extensions as { correlationId?: string }).correlationId;
      assert.ok(correlationId);
      assert.match(err.message, new RegExp(correlationId));
      assert.doesNotMatch(r.text, /mec_host|relation "|does not exist|select |postgres|stacktrace|\.ts:/i);
      const line = t.logs.find((l) => l.correlationId === correlationId);
      assert.ok(line, 'the log carries the correlation id');
      assert.match(JSON.stringify(line), /mec_host/);
    } finally {
      await sql(t.db.url, 'alter table mec_host_moved rename to mec_host');
    }
    await stillServing();
  });
});

describe('production mode', () => {
  it('turns introspection off and leaks no schema hints', async () => {
    const intro = await post(prod, JSON.stringify({ query: '{ __schema { types { name } } }' }));
    assert.equal(intro.status, 400);
    assert.doesNotMatch(intro.text, /MecHost|HostConnection/);
    const typo = await post(prod, JSON.stringify({ query: '{ hostz { totalCount } }' }));
    assert.equal(typo.status, 400);
    assert.doesNotMatch(typo.text, /Did you mean|hosts/);
    await stillServing(prod);
  });

  it('keeps introspection on in development and test', async () => {
    const intro = await post(t, JSON.stringify({ query: '{ __schema { queryType { name } } }' }));
    assert.equal(intro.status, 200, intro.text);
  });

  it('still validates and executes ordinary requests', async () => {
    const r = await prod.gql(RegisterHost, { input: { ip: '10.88.0.1', name: 'prod-edge' } }, prod.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  });
});
