// The shim's host-side reads (applcm-original.md §1.3): KPI passed through from the plugin, MEP capabilities from the
// MEP's config API (a stand-in MEP: none can run here), and the package-deployed check.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';
import { configForm, fakeMep, shimForm, shimHost } from './shim-app-client.js';

let t: TestServer;
let sim: SimPlugin;
const IP = '10.81.0.1';
const CAPS = [{ capabilityId: 'c1', capabilityName: 'bw', status: 'ACTIVE' }];
const mep = fakeMep(CAPS);
const get = (p: string, token: string | null = t.tokens.tenantA) => shim(t, p, { token });

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('rest-apps', { ...pluginEnv(sim.address), APPLCM_MEP_TERMINATION_URL: await mep.start() });
  await shimHost(t, t.tenants.A, t.tokens.tenantA, IP);
  assert.equal((await shimForm(t, `/v2/tenants/${t.tenants.A}/configuration`, configForm(IP), t.tokens.tenantA)).status, 200);
});
after(async () => {
  await t.close();
  await sim.stop();
  await mep.stop();
});

describe('KPI (GET /v2/tenants/{t}/hosts/{ip}/kpi)', () => {
  it('passes the plugin’s answer through; a guest reads it; others are refused as the original (any failure 401)', async () => {
    const r = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as { message: string }).message, 'success');
    assert.equal((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`, t.tokens.guestA)).status, 200);
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`, null)).json, e2(31001, 'Authorization failed'));
    assert.equal((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`, t.tokens.tenantB)).status, 401);
    assert.equal((await get(`/v2/tenants/${t.tenants.B}/hosts/${IP}/kpi`, t.tokens.tenantB)).status, 404, 'tenant B never reaches A’s host');
  });

  it('a bad ip 400 31003; an unknown host 404; the plugin’s not found 404 31206, other errors 500 31202', async () => {
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/1.1.1.x/kpi`)).json, e2(31003, 'MecHost address is invalid from url'));
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/10.81.9.9/kpi`)).json, e2(31301, 'Mec host info record does not exist in database'));
    sim.injectFault({ rpc: 'queryKPI', kind: 'fail', code: status.NOT_FOUND, message: 'node not found', times: 1 });
    const nf = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`);
    assert.equal(nf.status, 404);
    assert.equal((nf.json as { retCode: number }).retCode, 31206);
    sim.injectFault({ rpc: 'queryKPI', kind: 'fail', code: status.INTERNAL, message: 'metrics down', times: 1 });
    const other = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/kpi`);
    assert.equal(other.status, 500);
    assert.equal((other.json as { retCode: number }).retCode, 31202);
  });
});

describe('MEP capabilities (GET /v2/tenants/{t}/hosts/{ip}/mep_capabilities[/{id}])', () => {
  it('passes the MEP’s body through, all and one; token failures stop the request (the original went on)', async () => {
    const all = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities`);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json, CAPS);
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities/c1`)).json, CAPS[0]);
    const calls = mep.seen.length;
    assert.equal((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities`, null)).status, 401);
    assert.equal(mep.seen.length, calls, 'the MEP was not asked');
  });

  it('a bad ip 31003, an id over 36 characters or with a path 31020, an upstream refusal keeps its status with 31022', async () => {
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/1.1.1/mep_capabilities`)).json, e2(31003, 'MecHost address is invalid from url'));
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities/${'c'.repeat(37)}`)).json, e2(31020, 'capability id is invalid from url'));
    assert.deepEqual((await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities/a%2F..%2Fb`)).json, e2(31020, 'capability id is invalid from url'));
    const missing = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities/nosuch`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, e2(31022, 'invalid mepCapabilities query'));
    mep.setCapabilityStatus(503);
    const down = await get(`/v2/tenants/${t.tenants.A}/hosts/${IP}/mep_capabilities`);
    mep.setCapabilityStatus(200);
    assert.equal(down.status, 503);
    assert.equal((down.json as { retCode: number }).retCode, 31022);
  });
});

describe('package deployed (GET /v1/hosts/{ip}/packages/{packageId}/status)', () => {
  it('false without an instance; bad ip 31003 and package id 31008; no token 401', async () => {
    assert.deepEqual((await get(`/v1/hosts/${IP}/packages/abc/status`)).json, { package_deployed: false });
    assert.deepEqual((await get(`/v1/hosts/1.1.1.x/packages/abc/status`)).json, e2(31003, 'MecHost address is invalid'));
    assert.deepEqual((await get(`/v1/hosts/${IP}/packages/${'p'.repeat(65)}/status`)).json, e2(31008, 'package id is invalid'));
    assert.equal((await get(`/v1/hosts/${IP}/packages/abc/status`, null)).status, 401);
  });
});
