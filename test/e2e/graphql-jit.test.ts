// HTTP operations run compiled by graphql-jit (src/graphql/jit-executor.ts). A replica on the same database runs them
// with graphql-js; both must answer every kind of request the same: data, partial errors with codes, paths and
// locations, variable and argument errors, fragments, directives, mutations, aliases, nulls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readyToInstantiate, startInstantiate, settled } from '../helpers/lcm-fixture.js';
import { startReplica, type Replica } from '../helpers/replica-server.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let sim: SimPlugin;
let jit: TestServer;
let reference: Replica;

before(async () => {
  sim = await SimPlugin.start();
  jit = await startTestServer('gqljit', { ...pluginEnv(sim.address), APPLCM_GQL_JIT: 'true' });
  reference = await startReplica(jit, { ...pluginEnv(sim.address), APPLCM_GQL_JIT: 'false', APPLCM_WORKER_ENABLED: 'false' });
  const { host, pkg } = await readyToInstantiate(jit);
  const { opId } = await startInstantiate(jit, pkg, host.id, 'jitapp');
  await settled(jit, opId);
});
after(async () => {
  await reference?.close();
  await jit?.close();
  await sim?.stop();
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
}

async function ask(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Answer['body'];
  // Internal errors carry a fresh correlation id each time.
  for (const e of body.errors ?? []) if (e.extensions?.correlationId) e.extensions.correlationId = '<id>';
  return { status: res.status, body };
}

async function same(query: string, variables: Record<string, unknown> = {}, token = jit.tokens.tenantA): Promise<Answer> {
  const [a, b] = [await ask(jit.url, token, query, variables), await ask(reference.url, token, query, variables)];
  assert.deepEqual(a, b, `graphql-jit and graphql-js differ for ${query}`);
  return a;
}

describe('graphql-jit answers as graphql-js does', () => {
  it('a page of instances with packages, hosts, operations, fragments and aliases', async () => {
    const a = await same(`query Page($first: Int) {
      appInstances(first: $first) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { ...I pkg: package { id name integrity { verified } appd { name } } host { ip pluginStatus } operations(first: 2) { type state } activeOperation { id } } }
      }
    }
    fragment I on AppInstance { id name instantiationState operationalState createdAt updatedAt }`, { first: 5 });
    assert.equal((a.body.data as { appInstances: { totalCount: number } }).appInstances.totalCount, 1);
  });

  it('coded errors on one field leave the rest of the answer, with the same path and locations', async () => {
    const a = await same(`{ viewer { role } host(id: "00000000-0000-4000-8000-000000000000") { id } hosts(first: 3) { totalCount edges { node { ip } } } }`);
    assert.equal(a.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    await same(`query($id: ID!) { appInstance(id: $id) { id } }`, { id: 'not-a-uuid' });
  });

  it('variables of the wrong type, missing variables and bad arguments', async () => {
    for (const [q, v] of [
      ['query($id: ID!) { host(id: $id) { id } }', {}],
      ['{ hosts(first: -1) { totalCount } }', {}],
      ['{ appInstances(first: 100000) { totalCount } }', {}],
    ] as const) {
      const a = await same(q, v);
      assert.ok(a.body.errors?.length, q);
    }
    // graphql-jit words a value of the wrong type with one more clause ("Expected type Int;"); the rest is the same.
    const q = 'query($first: Int) { hosts(first: $first) { totalCount } }';
    const [a, b] = [await ask(jit.url, jit.tokens.tenantA, q, { first: 'ten' }), await ask(reference.url, jit.tokens.tenantA, q, { first: 'ten' })];
    const gist = (x: Answer) => ({ status: x.status, data: x.body.data, errors: x.body.errors?.map((e) => ({ ...e, message: /^Variable "\$first" got invalid value "ten"/.test((e as { message: string }).message) })) });
    assert.deepEqual(gist(a), gist(b));
    assert.deepEqual(gist(a), { status: 400, data: undefined, errors: [{ message: true, locations: [{ line: 1, column: 7 }], extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('@include and @skip, __typename, nulls', async () => {
    await same(`query($yes: Boolean!) { viewer { __typename role tenantId @include(if: $yes) userId @skip(if: $yes) } appInstances(first: 1) { edges { node { operationalState activeOperation { id } } } } }`, { yes: true });
    await same(`query($yes: Boolean!) { viewer { role tenantId @include(if: $yes) userId @skip(if: $yes) } }`, { yes: false });
  });

  it('mutations: a refused one and one that succeeds', async () => {
    const refused = await same(`mutation { registerHost(input: { ip: "999.1.1.1", name: "x" }) { id } }`);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    // Different ips through each server (the same input would conflict on the second); the answers' shapes match.
    const mk = (url: string, ip: string) => ask(url, jit.tokens.tenantA, `mutation($ip: String!) { registerHost(input: { ip: $ip, name: "jit-host" }) { name ip vim hwCapabilities { hwType } } }`, { ip });
    const [a, b] = [await mk(jit.url, '10.77.0.1'), await mk(reference.url, '10.77.0.2')];
    assert.deepEqual([a.status, a.body.errors], [b.status, b.body.errors]);
    assert.deepEqual({ ...(a.body.data as { registerHost: object }).registerHost, ip: '' }, { ...(b.body.data as { registerHost: object }).registerHost, ip: '' });
  });

  it('a guest refused a write, and another tenant not finding the instance', async () => {
    const g = await same(`mutation { registerHost(input: { ip: "10.78.0.1", name: "g" }) { id } }`, {}, jit.tokens.guestA);
    assert.equal(g.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const page = await same(`{ appInstances(first: 5) { totalCount edges { node { id } } } }`, {}, jit.tokens.tenantB);
    assert.deepEqual(page.body.data, { appInstances: { totalCount: 0, edges: [] } });
  });
});
