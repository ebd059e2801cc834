import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Host, Hosts, RegisterHost } from '../operations/hosts.js';
import { insertInstances, onboardPackage } from '../helpers/instance-rows.js';
import { signToken, tokenFor, unsignedToken } from '../helpers/test-keys.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';

let t: TestServer;
let ipSeq = 1;
const nextIp = () => `10.40.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
const PORTAL = 'https://portal.example';

/** A host as the MECM front end and appo's inventory send it: every field, plus ones the original ignores. */
const hostInfo = (over: Record<string, unknown> = {}) => ({
  mechostIp: nextIp(),
  mechostName: `edge${ipSeq}`,
  zipCode: '710000',
  city: 'Xian',
  address: 'No. 1 Road',
  affinity: 'GPU,x86',
  userName: 'someone',
  tenantId: 'ignored',
  configUploadStatus: 'Uploaded',
  coordinates: '34.26,108.94',
  vim: 'K8S',
  origin: 'MEO',
  hwcapabilities: [{ hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' }],
  ...over,
});

const sqlExec = (text: string, params: unknown[]) => sql(t.db.url, text, params);
const gqlHostsByIp = async (ip: string, token = t.tokens.admin) => (await t.gql(Hosts, { first: 10, filter: { ip } }, token)).data!.hosts.edges.map((e) => e.node);

before(async () => {
  t = await startTestServer('rest-hosts', { APPLCM_MAX_HOSTS_PER_TENANT: '4', APPLCM_SHIM_CORS_ORIGINS: PORTAL });
});
after(() => t.close());

describe('lcmcontroller health and routing', () => {
  it('GET /v1/health answers ok without a token', async () => {
    const r = await shim(t, '/v1/health');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'ok');
  });

  it('a tenant without hosts lists 404 retCode 31303, as the original on an empty table', async () => {
    const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, e2(31303, 'records does not exist'));
  });

  it('unknown paths and wrong methods are a plain 404, like the removed /profile route appo still calls', async () => {
    const profile = await shim(t, `/v1/tenants/${t.tenants.A}/app_instances/${randomUUID()}/profile`, { method: 'POST', token: t.tokens.tenantA });
    assert.equal(profile.status, 404);
    assert.equal(profile.text, '404 Page not found');
    const patch = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'PATCH', token: t.tokens.tenantA, body: hostInfo() });
    assert.equal(patch.status, 404);
  });

  it('CORS: origin MEO is accepted without a browser grant; configured origins are echoed with credentials', async () => {
    const meo = await shim(t, '/v1/health', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    assert.equal(meo.status, 204);
    assert.equal(meo.headers.get('access-control-allow-origin'), null);
    assert.match(meo.headers.get('access-control-allow-headers') ?? '', /access_token/);
    const portal = await shim(t, '/v1/health', { headers: { origin: PORTAL } });
    assert.equal(portal.status, 200);
    assert.equal(portal.headers.get('access-control-allow-origin'), PORTAL);
    assert.equal(portal.headers.get('access-control-allow-credentials'), 'true');
    const other = await shim(t, '/v1/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'no grant for an origin not configured');
  });
});

describe('add, update, list and delete MEC hosts (applcm-original.md §1.5)', () => {
  it('POST adds a tenant host that GraphQL reads; a re-sent POST and a PUT update it in place', async () => {
    const info = hostInfo();
    const add = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: info });
    assert.equal(add.status, 200, add.text);
    assert.equal(add.text, 'null');
    const [host, ...more] = await gqlHostsByIp(info.mechostIp);
    assert.equal(more.length, 0);
    assert.equal(host!.tenantId, t.tenants.A);
    assert.equal(host!.name, info.mechostName);
    assert.equal(host!.vim, 'k8s');
    assert.equal(host!.origin, 'MEO');
    assert.deepEqual(host!.hwCapabilities, info.hwcapabilities);

    const again = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: info });
    assert.equal(again.status, 200);
    const put = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, {
      method: 'PUT',
      token: t.tokens.tenantA,
      body: { ...info, city: 'Shenzhen', hwcapabilities: [{ hwType: 'NPU', hwVendor: 'Huawei', hwModel: 'Ascend' }] },
    });
    assert.equal(put.status, 200, put.text);
    const [updated, ...dup] = await gqlHostsByIp(info.mechostIp);
    assert.equal(dup.length, 0, 'the same ip updates, never duplicates');
    assert.equal(updated!.id, host!.id);
    assert.equal(updated!.city, 'Shenzhen');
    assert.deepEqual(updated!.hwCapabilities.map((c) => c.hwType), ['GPU', 'NPU'], 'capabilities are merged by type, as the original upserts them');

    const list = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA });
    assert.equal(list.status, 200);
    assert.match(list.headers.get('content-type') ?? '', /application\/json/);
    const rows = list.json as Record<string, unknown>[];
    const row = rows.find((h) => h.mechostIp === info.mechostIp);
    assert.deepEqual(row, {
      mechostIp: info.mechostIp,
      mechostName: info.mechostName,
      zipCode: '710000',
      city: 'Shenzhen',
      address: 'No. 1 Road',
      affinity: 'GPU,x86',
      userName: '',
      tenantId: t.tenants.A,
      configUploadStatus: '',
      coordinates: '34.26,108.94',
      vim: 'k8s',
      origin: 'MEO',
      hwcapabilities: [
        { hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' },
        { hwType: 'NPU', hwVendor: 'Huawei', hwModel: 'Ascend' },
      ],
    });

    const del = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${info.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(del.status, 200, del.text);
    assert.equal(del.text, 'null');
    const gone = await t.gql(Host, { id: host!.id }, t.tokens.tenantA);
    assert.equal(gone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('a minimal body takes the original defaults: vim k8s, origin from the origin header, empty fields, null capabilities', async () => {
    const ip = nextIp();
    const add = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: { mechostIp: ip, mechostName: 'mini' }, headers: { origin: 'mepm' } });
    assert.equal(add.status, 200, add.text);
    const [host] = await gqlHostsByIp(ip);
    assert.equal(host!.vim, 'k8s');
    assert.equal(host!.origin, 'MEPM');
    const rows = (await shim(t, '/v1/hosts', { token: t.tokens.tenantA })).json as Record<string, unknown>[];
    const row = rows.find((h) => h.mechostIp === ip)!;
    assert.equal(row.hwcapabilities, null);
    assert.equal(row.city, '');
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${ip}`, { method: 'DELETE', token: t.tokens.tenantA })).status, 200);
  });

  it('a host registered in GraphQL is listed and deleted by the shim; Authorization: Bearer works as access_token', async () => {
    const ip = nextIp();
    const reg = await t.gql(RegisterHost, { input: { ip, name: 'from-gql', city: 'Xian' } }, t.tokens.tenantA);
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    const list = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { headers: { authorization: `Bearer ${t.tokens.tenantA}` } });
    assert.equal(list.status, 200);
    assert.ok((list.json as { mechostIp: string }[]).some((h) => h.mechostIp === ip));
    const del = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${ip}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(del.status, 200);
    assert.equal((await t.gql(Host, { id: reg.data!.registerHost.id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('an admin’s host is shared: every tenant lists it, no tenant deletes it; the admin lists all tenants on /v1/hosts', async () => {
    const shared = hostInfo();
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.admin}/hosts`, { method: 'POST', token: t.tokens.admin, body: shared })).status, 200);
    const [row] = await gqlHostsByIp(shared.mechostIp);
    assert.equal(row!.tenantId, null);
    const mine = hostInfo();
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, { method: 'POST', token: t.tokens.tenantB, body: mine })).status, 200);

    const ipsOf = (r: { json: unknown }) => (r.json as { mechostIp: string }[]).map((h) => h.mechostIp);
    const listA = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA });
    assert.ok(ipsOf(listA).includes(shared.mechostIp));
    assert.ok(!ipsOf(listA).includes(mine.mechostIp), 'A does not see B’s host');
    const all = await shim(t, '/v1/hosts', { token: t.tokens.admin });
    assert.ok(ipsOf(all).includes(mine.mechostIp) && ipsOf(all).includes(shared.mechostIp));
    const adminForB = await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, { token: t.tokens.admin });
    assert.deepEqual(new Set(ipsOf(adminForB)), new Set(ipsOf(await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, { token: t.tokens.tenantB }))));

    const aDeletesShared = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${shared.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(aDeletesShared.status, 404);
    assert.deepEqual(aDeletesShared.json, e2(31301, 'Mec host info record does not exist in database'));
    const aDeletesB = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${mine.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(aDeletesB.status, 404, 'the lookup is scoped to the caller (the original fell back to any tenant’s host)');
    assert.equal((await gqlHostsByIp(mine.mechostIp)).length, 1);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/hosts/${shared.mechostIp}`, { method: 'DELETE', token: t.tokens.admin })).status, 200);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/hosts/${mine.mechostIp}`, { method: 'DELETE', token: t.tokens.admin })).status, 200);
    assert.equal((await gqlHostsByIp(mine.mechostIp)).length, 0);
  });

  it('concurrent identical POSTs (appo re-sends after a 503) leave one host', async () => {
    const info = hostInfo();
    const rs = await Promise.all(Array.from({ length: 6 }, () => shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: info })));
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 200, 200, 200], rs.map((r) => r.text).join(' '));
    assert.equal((await gqlHostsByIp(info.mechostIp)).length, 1);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${info.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantA })).status, 200);
  });

  it('deleting a host that app instances use: 409 retCode 31302, the host stays', async () => {
    const info = hostInfo();
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, { method: 'POST', token: t.tokens.tenantB, body: info })).status, 200);
    const [host] = await gqlHostsByIp(info.mechostIp);
    const packageId = await onboardPackage(t, 'rest-host-in-use', 'B');
    const [instanceId] = await insertInstances(t.db.url, [{ tenantId: t.tenants.B, packageId, hostId: host!.id, name: 'in-use', createdAt: new Date() }]);
    const r = await shim(t, `/v1/tenants/${t.tenants.B}/hosts/${info.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantB });
    assert.equal(r.status, 409);
    const body = r.json as { retCode: number; data: null; message: string };
    assert.equal(body.retCode, 31302);
    assert.equal(body.data, null);
    assert.match(body.message, /app instance/);
    assert.equal((await gqlHostsByIp(info.mechostIp)).length, 1);
    await sqlExec(`delete from app_instance where id = $1`, [instanceId!]);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/hosts/${info.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantB })).status, 200);
  });

  it('the per-tenant quota refuses a new host with 403 retCode 31107 but still lets existing hosts be updated', async () => {
    const tenant = randomUUID();
    const token = await tokenFor(t.keys, 'tenant', tenant);
    const infos = [hostInfo(), hostInfo(), hostInfo(), hostInfo()];
    for (const info of infos) assert.equal((await shim(t, `/v1/tenants/${tenant}/hosts`, { method: 'POST', token, body: info })).status, 200);
    const over = await shim(t, `/v1/tenants/${tenant}/hosts`, { method: 'POST', token, body: hostInfo() });
    assert.equal(over.status, 403);
    assert.deepEqual(over.json, e2(31107, 'Maximum number of host records are exceeded'));
    const update = await shim(t, `/v1/tenants/${tenant}/hosts`, { method: 'PUT', token, body: { ...infos[0], city: 'Beijing' } });
    assert.equal(update.status, 200, 'the original blocked updates at the limit too (§9A 12); we do not');
  });
});

describe('validation failures answer the original status and retCode', () => {
  const invalid: [string, Record<string, unknown>, number, string][] = [
    ['ip not IPv4', { mechostIp: '256.1.1.1' }, 31003, 'MecHost address is invalid'],
    ['ip empty', { mechostIp: '' }, 31003, 'MecHost address is invalid'],
    ['name with a space', { mechostName: 'a b' }, 31400, 'Mec host name is invalid'],
    ['name over 128 bytes', { mechostName: 'n'.repeat(129) }, 31400, 'Mec host name is invalid'],
    ['zipCode', { zipCode: '-71' }, 31400, 'Zipcode is invalid'],
    ['city', { city: 'Xi;an' }, 31400, 'City is invalid'],
    ['address over 256 bytes', { address: 'a'.repeat(257) }, 31400, 'Address is invalid'],
    ['affinity', { affinity: 'GPU,' }, 31400, 'Affinity is invalid'],
    ['coordinates over 128 bytes', { coordinates: '1'.repeat(129) }, 31400, 'Coordinates is invalid'],
    ['vim', { vim: 'k8s!' }, 31400, 'Vim is invalid'],
    ['origin', { origin: 'M E O' }, 31029, 'Origin is invalid'],
    ['hwType', { hwcapabilities: [{ hwType: 'G P U', hwVendor: 'x', hwModel: 'y' }] }, 31400, 'Hardware capabilities are invalid'],
    ['a number for a string', { mechostIp: 5 }, 31024, 'failed to unmarshal request'],
    ['capabilities not a list', { hwcapabilities: { hwType: 'GPU' } }, 31024, 'failed to unmarshal request'],
  ];
  for (const [label, over, retCode, message] of invalid) {
    it(`${label}: 400 retCode ${retCode}, nothing written`, async () => {
      const body = hostInfo(over);
      const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body });
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.json, e2(retCode, message));
      if (typeof body.mechostIp === 'string' && body.mechostIp) assert.equal((await gqlHostsByIp(body.mechostIp)).length, 0);
    });
  }

  it('a body that is not JSON, or not an object: 400 retCode 31024', async () => {
    for (const raw of ['{"mechostIp":', '[]', 'null']) {
      const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, raw });
      assert.equal(r.status, 400, raw);
      assert.deepEqual(r.json, e2(31024, 'failed to unmarshal request'));
    }
  });

  it('a JSON body over 4096 bytes: 400 retCode 31005', async () => {
    const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: hostInfo({ padding: 'x'.repeat(5000) }) });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, e2(31005, 'request body too large'));
  });

  it('a tenant id that is not a lower-case UUID: 400 retCode 31009', async () => {
    for (const tenant of ['not-a-uuid', t.tenants.A.toUpperCase()]) {
      const r = await shim(t, `/v1/tenants/${tenant}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: hostInfo() });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, e2(31009, 'Tenant id is invalid'));
    }
  });

  it('an X-Forwarded-For that is no address: 400 retCode 31002', async () => {
    const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA, headers: { 'x-forwarded-for': 'evil, 10.0.0.1' } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, e2(31002, 'clientIp address is invalid'));
  });

  it('a valid X-Forwarded-For is accepted; encoded traversal in the tenant is refused; method overrides are ignored', async () => {
    const ok = await shim(t, '/v1/hosts', { token: t.tokens.admin, headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } });
    assert.equal(ok.status, 200);
    const traversal = await shim(t, '/v1/tenants/%2e%2e%2f%2e%2e%2fadmin/hosts', { token: t.tokens.admin });
    assert.equal(traversal.status, 400);
    assert.deepEqual(traversal.json, e2(31009, 'Tenant id is invalid'));
    const info = hostInfo();
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantA, body: info })).status, 200);
    const overridden = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA, headers: { 'x-http-method-override': 'DELETE' } });
    assert.equal(overridden.status, 200, 'answered as the GET it is');
    assert.equal((await gqlHostsByIp(info.mechostIp)).length, 1);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.A}/hosts/${info.mechostIp}`, { method: 'DELETE', token: t.tokens.tenantA })).status, 200);
  });

  it('delete with a host ip that is not IPv4: 400 retCode 31003 "from url"', async () => {
    const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/10.0.0.x`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, e2(31003, 'MecHost address is invalid from url'));
  });
});

describe('authentication and roles (§3.1, with the §9A fixes)', () => {
  const unauthorized = e2(31001, 'Authorization failed');

  it('no token, an unsigned token, a wrongly signed token or name/key headers alone: 401 retCode 31001', async () => {
    const claims = { userId: t.tenants.A, user_name: 'x', authorities: ['ROLE_MECM_TENANT'] };
    const foreign = await signToken((await import('../helpers/test-keys.js')).generateTestKeys(), claims);
    for (const [label, token, headers] of [
      ['none', null, {}],
      ['unsigned', unsignedToken(claims), {}],
      ['foreign key', foreign, {}],
      ['name/key', null, { name: 'admin', key: 'Abc@3342' }],
    ] as const) {
      for (const method of ['POST', 'GET']) {
        const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method, token, headers, body: method === 'POST' ? hostInfo() : undefined });
        assert.equal(r.status, 401, `${label} ${method}`);
        assert.deepEqual(r.json, unauthorized);
      }
    }
    const list = await shim(t, '/v1/hosts', { token: null });
    assert.equal(list.status, 401);
  });

  it('a guest may list (200) but not add, update or delete (403 retCode 31000)', async () => {
    await t.gql(RegisterHost, { input: { ip: nextIp(), name: 'guest-visible' } }, t.tokens.tenantA);
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.guestA })).status, 200);
    for (const [method, path] of [
      ['POST', `/v1/tenants/${t.tenants.A}/hosts`],
      ['PUT', `/v1/tenants/${t.tenants.A}/hosts`],
      ['DELETE', `/v1/tenants/${t.tenants.A}/hosts/10.1.1.1`],
    ] as const) {
      const r = await shim(t, path, { method, token: t.tokens.guestA, body: method === 'DELETE' ? undefined : hostInfo() });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.deepEqual(r.json, e2(31000, 'forbidden'));
    }
  });

  it('a token without a known role: 401', async () => {
    const token = await signToken(t.keys, { userId: t.tenants.A, user_name: 'x', authorities: ['ROLE_OTHER'] });
    const r = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token });
    assert.equal(r.status, 401);
  });

  it('another tenant’s path: 401 retCode 31001 for writes and reads (the original bound writes only)', async () => {
    const info = hostInfo();
    const add = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { method: 'POST', token: t.tokens.tenantB, body: info });
    assert.equal(add.status, 401);
    assert.deepEqual(add.json, unauthorized);
    assert.equal((await gqlHostsByIp(info.mechostIp)).length, 0);
    const list = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantB });
    assert.equal(list.status, 401);
    const del = await shim(t, `/v1/tenants/${t.tenants.A}/hosts/10.1.1.1`, { method: 'DELETE', token: t.tokens.tenantB });
    assert.equal(del.status, 401);
  });
});
