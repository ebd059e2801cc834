import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RegisterHost, Viewer } from '../operations/hosts.js';
import { sql } from '../helpers/test-db.js';
import { generateTestKeys, hs256WithPublicKey, signToken, tamperedToken, unsignedToken, AUTH } from '../helpers/test-keys.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer('auth');
});
after(() => t.close());

const claims = (over: Record<string, unknown> = {}) => ({ userId: randomUUID(), user_name: 'mallory', authorities: [AUTH.tenant], ...over });
const now = () => Math.floor(Date.now() / 1000);

/** The server must still answer a normal request after every hostile one. */
async function stillServing() {
  const r = await t.gql(Viewer, {}, t.tokens.tenantA);
  assert.equal(r.data?.viewer.tenantId, t.tenants.A);
}

async function expectUnauthenticated(token: string | null, headers: Record<string, string> = {}): Promise<GraphQLResponse<unknown>> {
  const before = await sql(t.db.url, 'select count(*) from mec_host');
  const r = await t.gql(RegisterHost, { input: { ip: '10.9.9.9', name: 'x' } }, token, headers);
  assert.equal(r.status, 401, JSON.stringify(r.errors));
  assert.equal(r.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  assert.equal(r.data, undefined);
  assert.deepEqual(await sql(t.db.url, 'select count(*) from mec_host'), before);
  await stillServing();
  return r;
}

describe('access tokens over HTTP', () => {
  it('no token at all is UNAUTHENTICATED (never fail-open)', async () => {
    const r = await expectUnauthenticated(null);
    assert.match(r.errors![0]!.message, /missing access token/);
  });

  it('an empty access_token header is UNAUTHENTICATED', async () => {
    await expectUnauthenticated(null, { access_token: '' });
  });

  it('accepts the original access_token header as well as Authorization: Bearer', async () => {
    const r = await t.gql(Viewer, {}, null, { access_token: t.tokens.tenantB });
    assert.equal(r.data?.viewer.tenantId, t.tenants.B);
  });

  it('rejects alg none', async () => {
    await expectUnauthenticated(unsignedToken(claims({ authorities: [AUTH.admin] })));
  });

  it('rejects HS256 signed with the server public key (key confusion)', async () => {
    await expectUnauthenticated(hs256WithPublicKey(t.keys, claims({ authorities: [AUTH.admin] })));
  });

  it('rejects an expired token, saying so', async () => {
    const r = await expectUnauthenticated(await signToken(t.keys, claims(), { exp: now() - 3600, iat: now() - 7200 }));
    assert.match(r.errors![0]!.message, /expired/);
  });

  it('refuses a token it accepted before once the token expires (a verified token is remembered only until its exp)', async () => {
    const s = await startTestServer('authexp', { JWT_CLOCK_TOLERANCE_S: '0' });
    try {
      const token = await signToken(s.keys, claims(), { exp: now() + 2 });
      const first = await s.gql(Viewer, {}, token);
      assert.equal(first.errors, undefined, JSON.stringify(first.errors));
      const second = await s.gql(Viewer, {}, token);
      assert.equal(second.errors, undefined, JSON.stringify(second.errors));
      await new Promise((r) => setTimeout(r, 3100 - (Date.now() % 1000)));
      const late = await s.gql(Viewer, {}, token);
      assert.equal(late.status, 401);
      assert.equal(late.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.match(String(late.errors?.[0]?.message), /expired/);
    } finally {
      await s.close();
    }
  });

  it('rejects a token not yet valid', async () => {
    await expectUnauthenticated(await signToken(t.keys, claims(), { nbf: now() + 3600 }));
  });

  it('rejects a token issued in the future', async () => {
    await expectUnauthenticated(await signToken(t.keys, claims(), { iat: now() + 3600, exp: now() + 7200 }));
  });

  it('rejects a token without exp', async () => {
    await expectUnauthenticated(await signToken(t.keys, claims(), { exp: null }));
  });

  it('rejects a token signed by another key', async () => {
    await expectUnauthenticated(await signToken(generateTestKeys(), claims({ authorities: [AUTH.admin] })));
  });

  it('rejects a tampered payload (guest edited into admin)', async () => {
    const guest = await signToken(t.keys, claims({ authorities: [AUTH.guest] }));
    await expectUnauthenticated(tamperedToken(guest, claims({ authorities: [AUTH.admin] })));
  });

  it('rejects a token without authorities', async () => {
    const { authorities: _a, ...rest } = claims();
    const r = await expectUnauthenticated(await signToken(t.keys, rest));
    assert.match(r.errors![0]!.message, /authorities/);
  });

  for (const [label, value] of [
    ['a string', 'ROLE_MECM_ADMIN'],
    ['a number', 42],
    ['an object', { role: 'ROLE_MECM_ADMIN' }],
    ['null', null],
  ] as const) {
    it(`rejects authorities given as ${label} (the original crashed on this)`, async () => {
      await expectUnauthenticated(await signToken(t.keys, claims({ authorities: value })));
    });
  }

  it('rejects authorities with no MECM role', async () => {
    await expectUnauthenticated(await signToken(t.keys, claims({ authorities: ['ROLE_APPSTORE_ADMIN'] })));
  });

  it('rejects a token without userId or user_name', async () => {
    const { userId: _u, ...noUser } = claims();
    await expectUnauthenticated(await signToken(t.keys, noUser));
    const { user_name: _n, ...noName } = claims();
    await expectUnauthenticated(await signToken(t.keys, noName));
  });

  it('rejects garbage and oversized tokens', async () => {
    await expectUnauthenticated('not.a.jwt');
    await expectUnauthenticated('x'.repeat(9000));
    await expectUnauthenticated(null, { authorization: 'Basic dXNlcjpwYXNz' });
  });

  it('ignores a token in the query string', async () => {
    const res = await fetch(`${t.url}/graphql?access_token=${t.tokens.admin}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
    assert.equal(res.status, 401);
  });

  it('takes the strongest role when a token lists several (documented decision)', async () => {
    const token = await signToken(t.keys, claims({ authorities: [AUTH.guest, AUTH.admin] }));
    assert.equal((await t.gql(Viewer, {}, token)).data?.viewer.role, 'ADMIN');
  });

  it('never logs the token itself', async () => {
    const marker = await signToken(t.keys, claims(), { exp: now() - 10, iat: now() - 100 });
    await t.gql(Viewer, {}, marker);
    assert.ok(!JSON.stringify(t.logs).includes(marker.split('.')[2]!));
  });
});
