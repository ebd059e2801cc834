import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from '../helpers/test-db.js';
import { tokenFor, unsignedToken } from '../helpers/test-keys.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';

// The platform routes of the shim (applcm-original.md §1.1 rows 2, 3, 14–16; §1.7, §3.4, §3.5): edge login and
// password, the MEP service-governance proxies, the open mode, and the rate limit. The sync routes: -sync tests.

const LOGIN_KEY = 'Edge@2024key';
/** Every key any test sends: none may appear in a response or a log line. */
const KEYS_SENT = new Set<string>([LOGIN_KEY]);

/** A small stand-in for the MEP's service-governance API (it cannot run here), answering as `mode` says. */
interface FakeMep {
  url: string;
  mode: 'ok' | 'fail' | 'slow' | 'big';
  seen: { path: string; realIp: string | undefined }[];
  close(): Promise<void>;
}

async function startFakeMep(): Promise<FakeMep> {
  const mep: Omit<FakeMep, 'url' | 'close'> = { mode: 'ok', seen: [] };
  const server = http.createServer((req, res) => {
    mep.seen.push({ path: req.url ?? '', realIp: req.headers['x-real-ip'] as string | undefined });
    const m = /^\/mep\/service_govern\/v1\/(services|kong_log|subscribe_statistic)$/.exec(req.url ?? '');
    if (!m || req.method !== 'GET') return void res.writeHead(404).end('not found');
    if (mep.mode === 'fail') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"governance down"}');
    if (mep.mode === 'slow') return void setTimeout(() => res.writeHead(200).end('{}'), 3000).unref();
    if (mep.mode === 'big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: 'x'.repeat(4096) }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: m[1], total: 3, items: [{ serName: 'location' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(mep, { url, close: () => new Promise<void>((r) => server.close(() => r())) });
}

let t: TestServer;
/** The original's open mode, with a MEP address nobody listens on. */
let open: TestServer;
let mep: FakeMep;

const sqlExec = (text: string, params: unknown[] = []) => sql(t.db.url, text, params);
const login = (server: TestServer, headers: Record<string, string>) => shim(server, '/v1/login', { method: 'POST', headers });
const password = (headers: Record<string, string>) => shim(t, '/v1/password', { method: 'POST', headers });

before(async () => {
  mep = await startFakeMep();
  t = await startTestServer('rest-platform', {
    APPLCM_SHIM_LOGIN_KEY: LOGIN_KEY,
    APPLCM_MEP_URL: 'http://127.0.0.1:9/unused-gateway',
    APPLCM_MEP_TERMINATION_URL: mep.url,
    APPLCM_MEP_TIMEOUT_MS: '500',
    APPLCM_SHIM_MEP_MAX_BYTES: '1024',
  });
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  open = await startTestServer('rest-platform-open', { APPLCM_SHIM_ALLOW_UNSIGNED: 'true', APPLCM_MEP_URL: `http://127.0.0.1:${deadPort}` });
});
after(async () => {
  await t.close();
  await open.close();
  await mep.close();
});

describe('edge login and password (§1.7, §3.4)', () => {
  it('login with the configured user answers the original record without its key; a wrong key is 400, an unknown user 404', async () => {
    const ok = await login(t, { name: 'admin', key: LOGIN_KEY });
    assert.equal(ok.status, 200, ok.text);
    const body = ok.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['authenticate_id', 'name']);
    assert.equal(body.name, 'admin');
    assert.match(String(body.authenticate_id), /^[0-9a-f-]{36}$/);

    const wrong = await login(t, { name: 'admin', key: 'Wrong@2024key' });
    KEYS_SENT.add('Wrong@2024key');
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.json, e2(31400, 'Invalid credentials'));

    const unknown = await login(t, { name: 'nobody', key: LOGIN_KEY });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, e2(31301, 'Edge auth info record does not exist in database'));
  });

  it('login without a name answers 200 with an empty body, as the original', async () => {
    const r = await login(t, {});
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });

  it('names and keys are checked before anything is looked up: a long or odd name, a key outside the policy', async () => {
    for (const headers of [
      { name: 'a'.repeat(16), key: LOGIN_KEY },
      { name: 'ad min', key: LOGIN_KEY },
      { name: '-admin', key: LOGIN_KEY },
      { name: 'admin', key: 'short1A' },
      { name: 'admin', key: 'invalidpwd' },
      { name: 'admin', key: 'Abc@3342Abc@3342x' },
    ]) {
      const r = await login(t, headers);
      assert.equal(r.status, 400, JSON.stringify(headers));
      assert.deepEqual(r.json, e2(31400, 'username or key is invalid'));
    }
  });

  it('the key is stored as a scrypt hash only, and a server without a configured key has no login at all', async () => {
    const rows = await sqlExec('select name, key_hash from edge_credential');
    assert.equal(rows.length, 1);
    const hash = String(rows[0]!.key_hash);
    assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(hash.includes(LOGIN_KEY), false);
    const none = await login(open, { name: 'admin', key: LOGIN_KEY });
    assert.equal(none.status, 404, 'the original seeded admin with an empty key; here no key configured means no user');
    assert.equal((await sql(open.db.url, 'select count(*)::int as n from edge_credential')).at(0)!.n, 0);
  });

  it('password: a weak new key, a wrong old key and an unknown user are refused, the key unchanged', async () => {
    const weak = await password({ name: 'admin', key: LOGIN_KEY, newkey: 'abcdefgh' });
    assert.equal(weak.status, 400);
    assert.deepEqual(weak.json, e2(31400, 'new key is invalid'));
    const missing = await password({ name: 'admin', key: LOGIN_KEY });
    assert.deepEqual(missing.json, e2(31400, 'new key is invalid'));
    const wrongOld = await password({ name: 'admin', key: 'Wrong@2024key', newkey: 'Next@2024key' });
    assert.equal(wrongOld.status, 400);
    assert.deepEqual(wrongOld.json, e2(31400, 'Old password is not matched'));
    const unknown = await password({ name: 'nobody', key: LOGIN_KEY, newkey: 'Next@2024key' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, e2(31301, 'Edge auth info record does not exist in database'));
    KEYS_SENT.add('abcdefgh').add('Next@2024key');
    assert.equal((await login(t, { name: 'admin', key: LOGIN_KEY })).status, 200, 'the key is as it was');
  });

  it('password changes the key (the old one stops working); of two changes racing with the same old key one wins', async () => {
    const changed = await password({ name: 'admin', key: LOGIN_KEY, newkey: 'Second#2024k' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.text, 'null');
    KEYS_SENT.add('Second#2024k');
    assert.equal((await login(t, { name: 'admin', key: LOGIN_KEY })).status, 400);
    assert.equal((await login(t, { name: 'admin', key: 'Second#2024k' })).status, 200);

    const race = await Promise.all(['Third#2024kA', 'Third#2024kB'].map((newkey) => password({ name: 'admin', key: 'Second#2024k', newkey })));
    KEYS_SENT.add('Third#2024kA').add('Third#2024kB');
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 400]);
    const winner = race[0]!.status === 200 ? 'Third#2024kA' : 'Third#2024kB';
    const loser = winner.endsWith('A') ? 'Third#2024kB' : 'Third#2024kA';
    assert.equal((await login(t, { name: 'admin', key: winner })).status, 200);
    assert.equal((await login(t, { name: 'admin', key: loser })).status, 400);
  });

  it('password with an empty name changes nothing and answers null, as the original', async () => {
    const before = await sqlExec('select key_hash from edge_credential');
    const r = await password({ key: 'Whatever#1', newkey: 'Another#2024' });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'null');
    assert.deepEqual(await sqlExec('select key_hash from edge_credential'), before);
    KEYS_SENT.add('Whatever#1').add('Another#2024');
  });

  it('no key sent to login or password appears in any log line', () => {
    const logText = t.logs.map((l) => JSON.stringify(l)).join('\n');
    assert.ok(t.logs.some((l) => l.msg === 'edge login key changed'), 'the change itself is logged');
    for (const key of KEYS_SENT) assert.equal(logText.includes(key), false, `key ${key} logged`);
  });
});

describe('MEP service-governance proxies (§1.7)', () => {
  it('pass the MEP answer through with a token of any role, forwarding the client address', async () => {
    mep.mode = 'ok';
    for (const kind of ['services', 'kong_log', 'subscribe_statistic']) {
      const r = await shim(t, `/v1/mep/${kind}`, { token: t.tokens.guestA, headers: { 'x-forwarded-for': '192.0.2.7' } });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(r.json, { kind, total: 3, items: [{ serName: 'location' }] });
      assert.deepEqual(mep.seen.at(-1), { path: `/mep/service_govern/v1/${kind}`, realIp: '192.0.2.7' });
    }
  });

  it('without a token, or with an unsigned one, the proxy is 401 and the MEP is not called', async () => {
    const calls = mep.seen.length;
    const none = await shim(t, '/v1/mep/services');
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, e2(31001, 'Authorization failed'));
    const unsigned = await shim(t, '/v1/mep/services', { token: unsignedToken({ userId: t.tenants.A, user_name: 'x', authorities: ['ROLE_MECM_ADMIN'] }) });
    assert.equal(unsigned.status, 401);
    assert.equal(mep.seen.length, calls);
  });

  it('an MEP failure, a slow MEP and an oversized answer are coded errors (31022), never passed on as success', async () => {
    mep.mode = 'fail';
    const failed = await shim(t, '/v1/mep/kong_log', { token: t.tokens.tenantA });
    assert.equal(failed.status, 502);
    assert.deepEqual(failed.json, e2(31022, 'the MEP answered 500 to GET /mep/service_govern/v1/kong_log'));
    mep.mode = 'slow';
    const slow = await shim(t, '/v1/mep/services', { token: t.tokens.tenantA });
    assert.equal(slow.status, 504);
    assert.deepEqual(slow.json, e2(31022, 'the MEP did not answer within 500 ms'));
    mep.mode = 'big';
    const big = await shim(t, '/v1/mep/services', { token: t.tokens.tenantA });
    assert.equal(big.status, 502);
    assert.match((big.json as { message: string }).message, /exceeds 1024 bytes/);
    mep.mode = 'ok';
  });

  it('an unreachable MEP is the original text; no MEP configured is a clear 503', async () => {
    const unreachable = await shim(open, '/v1/mep/services', { token: open.tokens.tenantA });
    assert.equal(unreachable.status, 502);
    assert.deepEqual(unreachable.json, e2(31022, 'failed to execute rest calling, check if mep service is ready.'));
    const none = await startTestServer('rest-platform-nomep');
    try {
      const r = await shim(none, '/v1/mep/subscribe_statistic', { token: none.tokens.admin });
      assert.equal(r.status, 503);
      assert.deepEqual(r.json, e2(31022, 'no MEP is configured (APPLCM_MEP_URL or APPLCM_MEP_TERMINATION_URL)'));
    } finally {
      await none.close();
    }
  });
});

describe('open mode (APPLCM_SHIM_ALLOW_UNSIGNED)', () => {
  const mepmHost = (ip: string) => ({ mechostIp: ip, mechostName: `edge${ip.split('.').at(-1)}`, origin: 'MEPM' });

  it('off (the default): the routes the original left open need a valid token', async () => {
    for (const path of ['/v1/hosts/sync_updated', '/v1/hosts/sync_deleted', '/v1/mep/services']) {
      const none = await shim(t, path);
      assert.equal(none.status, 401, path);
      assert.deepEqual(none.json, e2(31001, 'Authorization failed'));
      const unsigned = await shim(t, path, { token: unsignedToken({ userId: t.tenants.admin, user_name: 'x', authorities: ['ROLE_MECM_ADMIN'] }) });
      assert.equal(unsigned.status, 401, path);
    }
  });

  it('on: host sync and the MEP proxy answer without a token (every tenant’s edge hosts, as the original), or with an unsigned one that grants nothing more', async () => {
    const a = await shim(open, `/v1/tenants/${open.tenants.A}/hosts`, { method: 'POST', token: open.tokens.tenantA, body: mepmHost('10.77.0.1') });
    const b = await shim(open, `/v1/tenants/${open.tenants.B}/hosts`, { method: 'POST', token: open.tokens.tenantB, body: mepmHost('10.77.0.2') });
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    const anonymous = await shim(open, '/v1/hosts/sync_updated');
    assert.equal(anonymous.status, 200, anonymous.text);
    const ips = (r: typeof anonymous) => ((r.json as { mecHostUpdatedRecs: { mechostIp: string }[] | null }).mecHostUpdatedRecs ?? []).map((h) => h.mechostIp).sort();
    assert.deepEqual(ips(anonymous), ['10.77.0.1', '10.77.0.2']);
    // An unsigned token is not read: it is the same anonymous caller, which has already received both.
    const unsigned = await shim(open, '/v1/hosts/sync_updated', { token: unsignedToken({ userId: open.tenants.A, user_name: 'x', authorities: ['ROLE_MECM_TENANT'] }) });
    assert.equal(unsigned.status, 200);
    assert.deepEqual(unsigned.json, { mecHostUpdatedRecs: null });
    // A valid token is still a tenant, scoped to its own hosts, with its own position.
    const tenantA = await shim(open, '/v1/hosts/sync_updated', { token: open.tokens.tenantA });
    assert.deepEqual(ips(tenantA), ['10.77.0.1']);
    const proxy = await shim(open, '/v1/mep/kong_log');
    assert.equal(proxy.status, 502, 'past authorisation, on to the (unreachable) MEP');
  });

  it('on: never where the original checked a token (host lists, v2 sync routes)', async () => {
    for (const path of ['/v1/hosts', `/v1/tenants/${open.tenants.A}/hosts`, `/v2/tenants/${open.tenants.admin}/app_instances/sync_updated`, `/v2/tenants/${open.tenants.admin}/packages/sync_deleted`]) {
      const r = await shim(open, path);
      assert.equal(r.status, 401, path);
      assert.deepEqual(r.json, e2(31001, 'Authorization failed'));
    }
    const post = await shim(open, `/v1/tenants/${open.tenants.A}/hosts`, { method: 'POST', body: mepmHost('10.77.0.3') });
    assert.equal(post.status, 401);
  });
});

describe('rate limit (§3.5)', () => {
  it('counts every route in one global window: X-RateLimit-* headers, then 429 Too Many Requests, then the next window', async () => {
    const limited = await startTestServer('rest-platform-rate', { APPLCM_SHIM_RATE_LIMIT_PER_S: '4' });
    try {
      const other = await tokenFor(limited.keys, 'tenant', limited.tenants.B);
      // Several callers, several routes (health and an unknown path too): one bucket.
      const calls = [
        () => shim(limited, '/v1/health'),
        () => shim(limited, `/v1/tenants/${limited.tenants.A}/hosts`, { token: limited.tokens.tenantA }),
        () => shim(limited, '/v1/no-such-route'),
        () => shim(limited, '/v1/hosts', { token: other }),
        () => shim(limited, '/v1/health'),
      ];
      let rounds = 0;
      for (;;) {
        const rs = [];
        for (const call of calls) rs.push(await call());
        const resets = new Set(rs.map((r) => r.headers.get('x-ratelimit-reset')));
        // The five calls straddled two windows: try again in a fresh one.
        if (resets.size > 1 && ++rounds < 5) {
          await new Promise((r) => setTimeout(r, 1100));
          continue;
        }
        assert.deepEqual(rs.map((r) => r.status).slice(0, 4).map((s) => s !== 429), [true, true, true, true]);
        assert.deepEqual(rs.map((r) => r.headers.get('x-ratelimit-remaining')), ['3', '2', '1', '0', '0']);
        for (const r of rs) assert.equal(r.headers.get('x-ratelimit-limit'), '4');
        const reset = Number(rs[4]!.headers.get('x-ratelimit-reset'));
        const now = Date.now() / 1000;
        assert.ok(reset >= Math.floor(now) && reset <= now + 2, `reset ${reset} is a unix time within the second`);
        assert.equal(rs[4]!.status, 429);
        assert.equal(rs[4]!.text, 'Too Many Requests');
        await new Promise((r) => setTimeout(r, Math.max(0, reset * 1000 - Date.now()) + 50));
        const next = await shim(limited, '/v1/health');
        assert.equal(next.status, 200);
        assert.equal(next.headers.get('x-ratelimit-remaining'), '3');
        return;
      }
    } finally {
      await limited.close();
    }
  });
});
