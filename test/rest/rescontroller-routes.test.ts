// The rescontroller routes' refusals (applcm-original.md §1.8 "Common flow", §7, §9A 19): for every route the client
// address, tenant id, token, role and tenant, host ip and host lookup, path ids and bodies, each with the original's
// status and retCode and one envelope; hostile bodies leave the cloud as it was. Also health, 404, the body cap,
// rate-limit headers and CORS, and a host whose plugin is missing or refuses.
// On the fake OpenStack, and on a real cloud too when APPLCM_TEST_OPENSTACK_RC names its rc file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/test-server.js';
import { e2, shim, type ShimResponse } from './shim-client.js';
import { shimHost } from './shim-app-client.js';
import { REAL_RC, res, startResRig, vmHost, type ResRig } from './rescontroller-rig.js';

let rig: ResRig;
let A: string;
let B: string;
const IP_A = '10.89.0.1';
const IP_B = '10.89.0.2';
const IP_SHARED = '10.89.0.3';
const IP_NO_RC = '10.89.0.4';
const IP_K8S = '10.89.0.5';

const ID = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';

/** Every route: method, path below the host, a valid body, and whether it writes. */
const ROUTES: { method: string; path: string; body?: unknown; write: boolean; id?: { param: string; what: string } }[] = [
  { method: 'POST', path: '/flavors', body: { name: 'f1', vcpus: 1, ram: 64, disk: 1 }, write: true },
  { method: 'GET', path: '/flavors', write: false },
  { method: 'GET', path: `/flavors/${ID}`, write: false, id: { param: 'flavors/', what: 'flavor' } },
  { method: 'DELETE', path: `/flavors/${ID}`, write: true, id: { param: 'flavors/', what: 'flavor' } },
  { method: 'POST', path: '/networks', body: { name: 'n1' }, write: true },
  { method: 'GET', path: '/networks', write: false },
  { method: 'GET', path: `/networks/${ID}`, write: false, id: { param: 'networks/', what: 'network' } },
  { method: 'DELETE', path: `/networks/${ID}`, write: true, id: { param: 'networks/', what: 'network' } },
  { method: 'POST', path: '/securityGroups', body: { name: 'g1' }, write: true },
  { method: 'GET', path: '/securityGroups', write: false },
  { method: 'GET', path: `/securityGroups/${ID}`, write: false, id: { param: 'securityGroups/', what: 'security group' } },
  { method: 'DELETE', path: `/securityGroups/${ID}`, write: true, id: { param: 'securityGroups/', what: 'security group' } },
  { method: 'POST', path: `/securityGroups/${ID}/securityGroupRules`, body: { direction: 'ingress' }, write: true, id: { param: 'securityGroups/', what: 'security group' } },
  { method: 'GET', path: `/securityGroups/${ID}/securityGroupRules`, write: false, id: { param: 'securityGroups/', what: 'security group' } },
  { method: 'DELETE', path: `/securityGroups/${ID}/securityGroupRules/${ID}`, write: true, id: { param: 'securityGroupRules/', what: 'security group rule' } },
  { method: 'GET', path: '/images', write: false },
  { method: 'GET', path: `/images/${ID}`, write: false, id: { param: 'images/', what: 'image' } },
  { method: 'POST', path: '/images', body: { name: 'i1' }, write: true },
  { method: 'POST', path: `/images/${ID}`, body: { resourceUri: 'http://198.51.100.7/i.qcow2' }, write: true, id: { param: 'images/', what: 'image' } },
  { method: 'DELETE', path: `/images/${ID}`, write: true, id: { param: 'images/', what: 'image' } },
  { method: 'POST', path: '/servers', body: { name: 's1', flavor: ID, image: ID }, write: true },
  { method: 'GET', path: '/servers', write: false },
  { method: 'GET', path: `/servers/${ID}`, write: false, id: { param: 'servers/', what: 'server' } },
  { method: 'POST', path: `/servers/${ID}`, body: { action: 'stop' }, write: true, id: { param: 'servers/', what: 'server' } },
  { method: 'DELETE', path: `/servers/${ID}`, write: true, id: { param: 'servers/', what: 'server' } },
];

const label = (r: (typeof ROUTES)[number]) => `${r.method} ${r.path.replace(ID, '{id}').replace(ID, '{id}')}`;

function refused(r: ShimResponse, status: number, retCode: number, message?: string | RegExp): void {
  assert.equal(r.status, status, r.text);
  const body = r.json as { data: unknown; retCode: number; message: string; params: unknown };
  assert.deepEqual(Object.keys(body), ['data', 'retCode', 'message', 'params'], r.text);
  assert.equal(body.retCode, retCode, r.text);
  if (typeof message === 'string') assert.equal(body.message, message);
  else if (message) assert.match(body.message, message);
}

for (const backend of REAL_RC ? (['fake', 'real'] as const) : (['fake'] as const)) {
  describe(`rescontroller routes (${backend === 'fake' ? 'fake OpenStack' : 'real OpenStack'})`, () => {
    before(async () => {
      // Hundreds of refusals a second: the original's 200/s would answer some of them 429 (tested on its own below).
      rig = await startResRig(`rescontroller${backend}`, backend, { APPLCM_SHIM_RATE_LIMIT_PER_S: '100000' });
      const { t } = rig;
      A = t.tenants.A;
      B = t.tenants.B;
      await vmHost(rig, A, t.tokens.tenantA, IP_A);
      await vmHost(rig, B, t.tokens.tenantB, IP_B);
      await vmHost(rig, t.tenants.admin, t.tokens.admin, IP_SHARED);
      await shimHost(t, A, t.tokens.tenantA, IP_NO_RC, 'openstack');
      await shimHost(t, A, t.tokens.tenantA, IP_K8S, 'k8s');
    });
    after(() => rig?.close());

    describe('every rescontroller route refuses as the original', () => {
      for (const route of ROUTES) {
        it(`${label(route)}: client address, tenant id, token, role, tenant, host ip, host, path id`, async () => {
          const { t } = rig;
          const call = (o: { tenant?: string; ip?: string; token?: string | null; path?: string; headers?: Record<string, string> } = {}) =>
            res(t, `/v1/tenants/${o.tenant ?? A}/hosts/${o.ip ?? IP_A}${o.path ?? route.path}`, { method: route.method, token: o.token === undefined ? t.tokens.tenantA : o.token, body: route.body, headers: o.headers });
          refused(await call({ headers: { 'x-forwarded-for': 'not-an-address' } }), 400, 31000, 'clientIp address is invalid');
          refused(await call({ tenant: A.toUpperCase() }), 400, 31009, 'Tenant id is invalid');
          refused(await call({ token: null }), 401, 31001, 'Authorization failed');
          refused(await call({ token: `${t.tokens.tenantA.slice(0, -4)}AAAA` }), 401, 31001, 'Authorization failed');
          refused(await call({ token: t.tokens.tenantB }), 401, 31001, 'Authorization failed');
          if (route.write) refused(await call({ token: t.tokens.guestA }), 403, 31000, 'forbidden');
          refused(await call({ ip: '10.89.0' }), 400, 31003, 'Host address is invalid from url');
          refused(await call({ ip: '10.89.9.9' }), 404, 31001, 'Mec host info record does not exist in database');
          // Tenant B's host is never found from tenant A's path (the original fell back to any tenant's host by ip).
          refused(await call({ ip: IP_B }), 404, 31001, 'Mec host info record does not exist in database');
          const pathId = route.id;
          if (pathId) {
            const at = (id: string) => route.path.replace(new RegExp(`${pathId.param}${ID}`), `${pathId.param}${id}`);
            refused(await call({ path: at('not_a_uuid!') }), 400, 31400, `${pathId.what} id is invalid`);
            // Upper case is refused as by the original, except for flavors, which also take Nova's short ids.
            if (pathId.what !== 'flavor') refused(await call({ path: at(ID.toUpperCase()) }), 400, 31400, `${pathId.what} id is invalid`);
            refused(await call({ path: at('..%2F..%2Fetc') }), 400, 31400, `${pathId.what} id is invalid`);
          }
        });
      }
    });

    describe('rescontroller hosts and plugins', () => {
      it('a tenant reaches its own host and a shared (admin) one; a guest reads but does not write; an admin acts for a tenant', async () => {
        const { t } = rig;
        for (const ip of [IP_A, IP_SHARED]) {
          const r = await res(t, `/v1/tenants/${A}/hosts/${ip}/flavors`, { token: t.tokens.tenantA });
          assert.equal(r.status, 200, r.text);
          assert.equal((r.json as { retCode: number }).retCode, 200);
        }
        const guest = await res(t, `/v1/tenants/${A}/hosts/${IP_A}/networks`, { token: t.tokens.guestA });
        assert.equal(guest.status, 200, guest.text);
        const admin = await res(t, `/v1/tenants/${B}/hosts/${IP_B}/securityGroups`, { token: t.tokens.admin });
        assert.equal(admin.status, 200, admin.text);
        // The guest may not delete networks (the original let it, §9A 19).
        refused(await res(t, `/v1/tenants/${A}/hosts/${IP_A}/networks/${ID}`, { method: 'DELETE', token: t.tokens.guestA }), 403, 31000, 'forbidden');
      });

      it('a host whose VIM has no plugin is 500 31201; a plugin refusal is 500 31202 with its reason', async () => {
        const { t } = rig;
        refused(await res(t, `/v1/tenants/${A}/hosts/${IP_K8S}/flavors`, { token: t.tokens.tenantA }), 500, 31201, 'Failed to get client');
        refused(await res(t, `/v1/tenants/${A}/hosts/${IP_NO_RC}/flavors`, { token: t.tokens.tenantA }), 500, 31202, /^Failed to do operate on Plugin: .*no OpenStack rc file/);
      });

      it('a query of something the cloud does not hold answers the plugin’s 404 in a 200 body, as the original; a delete of it too', async () => {
        const { t } = rig;
        const q = await res(t, `/v1/tenants/${A}/hosts/${IP_A}/servers/${randomUUID()}`, { token: t.tokens.tenantA });
        assert.equal(q.status, 200, q.text);
        assert.equal((q.json as { retCode: number }).retCode, 404);
        const d = await res(t, `/v1/tenants/${A}/hosts/${IP_A}/networks/${randomUUID()}`, { method: 'DELETE', token: t.tokens.tenantA });
        assert.equal(d.status, 200, d.text);
        assert.equal((d.json as { retCode: number }).retCode, 404);
      });

      it('health, unknown paths and methods, the body cap, bodies that are no JSON object, rate-limit headers and CORS', async () => {
        const { t } = rig;
        const health = await res(t, '/v1/health');
        assert.equal(health.status, 200);
        assert.equal(health.text, 'ok');
        assert.ok(health.headers.get('x-ratelimit-limit'), 'every answer carries the rate-limit headers');
        for (const [method, path] of [
          ['GET', '/v1/nothing'],
          ['PUT', `/v1/tenants/${A}/hosts/${IP_A}/flavors`],
          ['GET', `/v1/tenants/${A}/hosts/${IP_A}/securityGroups/${ID}/securityGroupRules/${ID}`],
        ] as const) {
          const r = await res(t, path, { method, token: t.tokens.tenantA });
          assert.equal(r.status, 404, `${method} ${path}`);
          assert.equal(r.text, '404 Page not found');
        }
        const base = `/v1/tenants/${A}/hosts/${IP_A}`;
        refused(await res(t, `${base}/flavors`, { method: 'POST', token: t.tokens.tenantA, body: { name: 'big', extraSpecs: { x: 'y'.repeat(5000) } } }), 400, 31005, 'request body too large');
        refused(await res(t, `${base}/flavors`, { method: 'POST', token: t.tokens.tenantA, raw: '{"name":' }), 400, 31024, 'failed to unmarshal request');
        refused(await res(t, `${base}/flavors`, { method: 'POST', token: t.tokens.tenantA, raw: '[]' }), 400, 31024, 'failed to unmarshal request');
        refused(await res(t, `${base}/securityGroups`, { method: 'POST', token: t.tokens.tenantA, raw: 'name=x', headers: { 'content-type': 'text/plain' } }), 400, 31024);
        const pre = await fetch(`${t.url}/rescontroller${base}/flavors`, { method: 'OPTIONS', headers: { origin: 'MEO', 'access-control-request-method': 'POST' } });
        assert.equal(pre.status, 204);
        assert.match(pre.headers.get('access-control-allow-headers') ?? '', /access_token/);
        assert.equal(pre.headers.get('access-control-allow-origin'), null, 'no browser origin is granted by default');
      });
    });

    describe('rescontroller bodies', () => {
      /** Hostile or malformed bodies: each a 400 with the original's code and text; nothing reaches the cloud. */
      const CASES: [string, string, unknown, number, string | RegExp][] = [
        ['POST', '/flavors', { name: 'bad name!', vcpus: 1 }, 31400, 'Name is invalid'],
        ['POST', '/flavors', { name: 'a'.repeat(16), vcpus: 1 }, 31400, 'Name is invalid'],
        ['POST', '/flavors', { name: '', vcpus: 1 }, 31400, 'Name is invalid'],
        ['POST', '/flavors', { name: 'f', vcpus: -1 }, 31400, /^vcpus must be a whole number/],
        ['POST', '/flavors', { name: 'f', ram: '1e3' }, 31400, /^ram must be a whole number/],
        ['POST', '/flavors', { name: 'f', disk: 2 ** 31 }, 31400, /^disk must be a whole number/],
        ['POST', '/flavors', { name: 'f', extraSpecs: ['EG'] }, 31400, 'extraSpecs must be an object'],
        ['POST', '/flavors', { name: 'f', extraSpecs: { EG: { nested: 1 } } }, 31400, /^extraSpecs\.EG must be text/],
        ['POST', '/networks', { shared: true }, 31400, 'name is required'],
        ['POST', '/networks', { name: 'n', subnet: { name: 's' } }, 31400, 'subnet.cidr is required'],
        ['POST', '/networks', { name: 'n', shared: 'yes' }, 31400, 'shared must be true or false'],
        ['POST', '/networks', { name: 'n', segments: {} }, 31400, 'segments must be a list'],
        ['POST', '/networks', { name: 'n\u202ex' }, 31400, /control or bidirectional/],
        ['POST', '/securityGroups', {}, 31400, 'name is required'],
        ['POST', '/securityGroups', { name: 42 }, 31400, 'name must be a string'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { direction: 'sideways' }, 31400, 'direction must be ingress or egress'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { ethertype: 'IPX' }, 31400, 'ethertype must be IPv4 or IPv6'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { portRangeMin: '70000' }, 31400, 'ports run from 0 to 65535'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { portRangeMin: '90', portRangeMax: '80' }, 31400, 'portRangeMin is above portRangeMax'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { port_range_min: 22, portRangeMin: '23' }, 31400, 'port_range_min and portRangeMin disagree'],
        ['POST', `/securityGroups/${ID}/securityGroupRules`, { securityGroupId: randomUUID() }, 31400, 'securityGroupId is not the security group of the path'],
        ['POST', '/images', { name: 'bad.name' }, 31400, 'Name is invalid'],
        ['POST', '/images', { name: 'ok', containerFormat: 'a'.repeat(16) }, 31400, 'Container format is invalid'],
        ['POST', '/images', { name: 'ok', diskFormat: 'qcow 2' }, 31400, 'Disk format is invalid'],
        ['POST', '/images', { name: 'ok', properties: { vmId: 'x' } }, 31400, "properties.vmId is reserved for the controller's snapshots"],
        ['POST', '/images', { name: 'ok', properties: { applcmImageId: 'x' } }, 31400, "properties.applcmImageId is reserved for the controller's snapshots"],
        ['POST', `/images/${ID}`, { resourceUri: 'file:///etc/passwd' }, 31400, /^resourceUri must be an http or https URL/],
        ['POST', `/images/${ID}`, { resourceUri: 'http://user:secret@198.51.100.7/i.qcow2' }, 31400, /^resourceUri must be an http or https URL/],
        ['POST', `/images/${ID}`, { imageId: randomUUID(), resourceUri: 'http://198.51.100.7/i.qcow2' }, 31400, 'imageId is not the image of the path'],
        ['POST', '/servers', { name: 's', image: ID }, 31400, 'flavor is required'],
        ['POST', '/servers', { name: 's', image: ID, flavor: ID, netWorks: [{ fixedIp: '1.2.3.4' }] }, 31400, 'netWorks[0].network is required'],
        ['POST', '/servers', { name: 's', image: ID, flavor: ID, netWorks: [{ network: ID, networkInfo: randomUUID() }] }, 31400, 'network and networkInfo disagree'],
        ['POST', '/servers', { name: 's', image: ID, flavor: ID, userData: 'a', user_data: 'b' }, 31400, 'user_data and userData disagree'],
        ['POST', '/servers', { name: 's', image: ID, flavor: ID, securityGroups: 'default' }, 31400, 'securityGroups must be a list'],
        ['POST', `/servers/${ID}`, { action: 'explode' }, 31400, /^action must be one of reboot, createImage/],
        ['POST', `/servers/${ID}`, { action: 'reboot', reboot: 'MEDIUM' }, 31400, 'reboot must be HARD or SOFT'],
        ['POST', `/servers/${ID}`, { action: 'createImage' }, 31400, 'Operator server create image name is invalid'],
        ['POST', `/servers/${ID}`, { action: 'createImage', createImage: { name: 'snap shot' } }, 31400, 'Operator server create image name is invalid'],
      ];

      it('each malformed or hostile body is refused with its field, and the cloud holds exactly what it held', async () => {
        const { t, cloud } = rig;
        const before = cloud?.state.counts();
        const groups = cloud?.state.securityGroups.size;
        for (const [method, path, body, retCode, message] of CASES) {
          const r = await res(t, `/v1/tenants/${A}/hosts/${IP_A}${path}`, { method, token: t.tokens.tenantA, body });
          refused(r, 400, retCode, message);
        }
        // What the cloud holds is looked at on the fake; on a real cloud the refusals come before any call to it.
        assert.deepEqual(cloud?.state.counts(), before);
        assert.equal(cloud?.state.securityGroups.size, groups);
      });

      it('a refusal is one envelope, never followed by a second body', async () => {
        const { t } = rig;
        const r = await res(t, `/v1/tenants/${A}/hosts/${IP_A}/flavors`, { method: 'POST', token: t.tokens.tenantA, body: { name: 'bad name!' } });
        assert.equal(r.text, JSON.stringify(e2(31400, 'Name is invalid')));
      });
    });

  });
}

describe('rescontroller rate limit', () => {
  it('has a bucket of its own, as the original process did: past the limit 429 `Too Many Requests`, the lcmcontroller routes unaffected', async () => {
    const t = await startTestServer('resratelimit', { APPLCM_SHIM_RATE_LIMIT_PER_S: '3' });
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => res(t, '/v1/health')));
      const limited = answers.filter((a) => a.status === 429);
      assert.ok(limited.length >= 4, answers.map((a) => a.status).join(','));
      assert.equal(limited[0]!.text, 'Too Many Requests');
      assert.equal(limited[0]!.headers.get('x-ratelimit-limit'), '3');
      assert.equal(limited[0]!.headers.get('x-ratelimit-remaining'), '0');
      const lcm = await shim(t, '/v1/health');
      assert.equal(lcm.status, 200, 'the lcmcontroller bucket is not the rescontroller one');
    } finally {
      await t.close();
    }
  });
});
