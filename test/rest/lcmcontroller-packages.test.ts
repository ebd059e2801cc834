// The shim's package routes (applcm-original.md §1.4): multipart upload, distribute, distribution status (one and all
// of the tenant), delete and delete on host, on PackageService and LcmService as GraphQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { fixture, storeFiles } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';
import { configForm, hexId, ok, packageForm, shimForm, shimHost, shimReady } from './shim-app-client.js';

let t: TestServer;
let sim: SimPlugin;
const IP = '10.80.0.1';
const CSAR = fixture('positioning-service.csar');
const upload = async (fields: Record<string, string> = {}, tok: string | null = t.tokens.tenantA, fileName?: string, query = '') =>
  shimForm(t, `/v2/tenants/${t.tenants.A}/packages`, await packageForm(CSAR, fields, fileName), tok, query);
const operationsOf = (packageId: string) => sql<{ type: string; state: string }>(t.db.url, 'select type, state from lcm_operation where package_id = $1 order by created_at', [packageId]);

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('rest-packages', { ...pluginEnv(sim.address), APPLCM_WORKER_POLL_MS: '200', APPLCM_MAX_PACKAGE_BYTES: String(2 * 1024 * 1024) });
  await shimHost(t, t.tenants.A, t.tokens.tenantA, IP);
  assert.equal((await shimForm(t, `/v2/tenants/${t.tenants.A}/configuration`, configForm(IP), t.tokens.tenantA)).status, 200);
});
after(async () => {
  await t.close();
  await sim.stop();
});

describe('upload (POST /v2/tenants/{t}/packages)', () => {
  it('generates the original’s ids when none are given (appId 32 hex, packageId the appId and 32 more); GraphQL reads the package', async () => {
    const r = await upload();
    assert.equal(r.status, 200, r.text);
    const { data } = r.json as { data: { appId: string; packageId: string } };
    assert.match(data.appId, /^[0-9a-f]{32}$/);
    assert.equal(data.packageId.length, 64);
    assert.ok(data.packageId.startsWith(data.appId));
    const g = await t.gql(`query($id: ID!) { package(id: $id) { id appId tenantId onboardingState origin } }`, { id: data.packageId }, t.tokens.tenantA);
    assert.deepEqual((g.data as { package: unknown }).package, { id: data.packageId, appId: data.appId, tenantId: t.tenants.A, onboardingState: 'ONBOARDED', origin: 'MEO' });
  });

  it('fields may come in the query string; the same upload again answers the same ids (appo may re-send)', async () => {
    const packageId = hexId();
    const r = await upload({}, t.tokens.tenantA, undefined, `?packageId=${packageId}&appId=app1`);
    assert.deepEqual(r.json, ok('Uploaded application package successfully', { appId: 'app1', packageId }));
    const again = await upload({ packageId, appId: 'app1' });
    assert.deepEqual(again.json, ok('Uploaded application package successfully', { appId: 'app1', packageId }));
  });

  const cases: [string, Record<string, string>, string | undefined, number, ReturnType<typeof e2>][] = [
    ['an appId over 32 characters', { appId: 'a'.repeat(33) }, undefined, 400, e2(31007, 'AppName is invalid')],
    ['a packageId over 64 characters', { packageId: 'p'.repeat(65) }, undefined, 400, e2(31008, 'package id is invalid')],
    ['a packageId with a path in it', { packageId: '../../etc' }, undefined, 400, e2(31008, 'package id is invalid')],
    ['an origin that is no name', { origin: 'a b' }, undefined, 400, e2(31029, 'Origin is invalid')],
    ['a file that is no .csar or .zip', {}, 'app.tar', 400, e2(31104, "File shouldn't contains any extension or filename is larger than max size")],
    ['an upper-case extension (the original compared case-sensitively)', {}, 'app.CSAR', 400, e2(31104, "File shouldn't contains any extension or filename is larger than max size")],
  ];
  for (const [what, fields, fileName, code, answer] of cases) {
    it(`${what}: ${code} ${answer.retCode}`, async () => {
      const before = storeFiles(t).packages.length;
      const r = await upload(fields, t.tokens.tenantA, fileName);
      assert.equal(r.status, code, r.text);
      assert.deepEqual(r.json, answer);
      assert.equal(storeFiles(t).packages.length, before, 'nothing was stored');
    });
  }

  it('no file part 400 31100; over the size cap 400 31103; other bytes under a used id 400 31104; a zip-slip package refused with nothing kept', async () => {
    const noFile = new FormData();
    noFile.append('appId', 'x');
    assert.deepEqual((await shimForm(t, `/v2/tenants/${t.tenants.A}/packages`, noFile, t.tokens.tenantA)).json, e2(31100, 'Upload config file error'));
    const big = new FormData();
    big.append('package', new Blob([Buffer.alloc(3 * 1024 * 1024)]), 'big.csar');
    assert.deepEqual((await shimForm(t, `/v2/tenants/${t.tenants.A}/packages`, big, t.tokens.tenantA)).json, e2(31103, 'File size is larger than max size'));
    const packageId = hexId();
    assert.equal((await upload({ packageId })).status, 200);
    const other = await shimForm(t, `/v2/tenants/${t.tenants.A}/packages`, await packageForm(fixture('face-recognition-1.4.csar'), { packageId }), t.tokens.tenantA);
    assert.equal(other.status, 400);
    assert.equal((other.json as { retCode: number }).retCode, 31104);
    const before = storeFiles(t);
    const slip = new FormData();
    const { buildZip } = await import('../helpers/hostile-archives.js');
    slip.append('package', new Blob([buildZip([{ name: '../../evil.mf', data: Buffer.from('x'), method: 0 }])]), 'slip.csar');
    const refused = await shimForm(t, `/v2/tenants/${t.tenants.A}/packages`, slip, t.tokens.tenantA);
    assert.equal(refused.status, 400, refused.text);
    assert.equal((refused.json as { retCode: number }).retCode, 31105);
    assert.deepEqual(storeFiles(t), before);
  });

  it('no token 401; a guest 403; another tenant’s path 401', async () => {
    assert.deepEqual((await upload({}, null)).json, e2(31001, 'Authorization failed'));
    assert.deepEqual((await upload({}, t.tokens.guestA)).json, e2(31000, 'forbidden'));
    assert.equal((await upload({}, t.tokens.tenantB)).status, 401);
  });
});

describe('distribute and its status', () => {
  it('a wrong body 31024, bad values 31400, unknown or foreign packages 404 31303, unknown hosts 404', async () => {
    const packageId = hexId();
    assert.equal((await upload({ packageId })).status, 200);
    const post = (body: unknown, tok = t.tokens.tenantA, id = packageId, tenant = t.tenants.A) => shim(t, `/v2/tenants/${tenant}/packages/${id}`, { method: 'POST', token: tok, body });
    assert.deepEqual((await post({ hostIp: IP })).json, e2(31024, 'failed to unmarshal request'));
    assert.deepEqual((await post({ hostIp: ['1.2.3'] })).json, e2(31400, 'invalid input parameters'));
    assert.deepEqual((await post({ hostIp: [IP], origin: 'x y' })).json, e2(31400, 'invalid input parameters'));
    assert.deepEqual((await post({ hostIp: [IP] }, t.tokens.tenantA, 'p'.repeat(65))).json, e2(31400, 'invalid input parameters'));
    assert.deepEqual((await post({ hostIp: [IP] }, t.tokens.tenantA, 'nosuch')).json, e2(31303, 'App package does not exist'));
    const foreign = await post({ hostIp: [IP] }, t.tokens.tenantB, packageId, t.tenants.B);
    assert.deepEqual(foreign.json, e2(31303, 'App package does not exist'), 'another tenant’s package is not found');
    assert.deepEqual((await post({ hostIp: ['10.80.9.9'] })).json, e2(31301, 'Mec host info record does not exist in database'));
    assert.equal((await post({ hostIp: [IP] }, t.tokens.guestA)).status, 403);
    assert.equal((await operationsOf(packageId)).length, 0);
  });

  it('concurrent identical distributes make one operation; a re-send once distributed starts none; status for one and all packages', async () => {
    const packageId = hexId();
    assert.equal((await upload({ packageId })).status, 200);
    const post = () => shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { method: 'POST', token: t.tokens.tenantA, body: { hostIp: [IP] } });
    const answers = await Promise.all([post(), post(), post()]);
    for (const a of answers) assert.deepEqual(a.json, ok('Distributed application package successfully'), a.text);
    assert.deepEqual((await operationsOf(packageId)).map((o) => o.type), ['DISTRIBUTE']);
    assert.equal((await post()).status, 200);
    assert.equal((await operationsOf(packageId)).length, 1, 'already distributed: no new operation');
    const one = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { token: t.tokens.tenantA });
    assert.deepEqual((one.json as { data: { mecHostInfo: unknown }[] }).data[0]!.mecHostInfo, [{ hostIp: IP, status: 'Distributed', error: '', AppPackageStatus: null }]);
    const all = await shim(t, `/v2/tenants/${t.tenants.A}/packages`, { token: t.tokens.tenantA });
    const rows = (all.json as { data: { packageId: string; mecHostInfo: unknown }[] }).data;
    assert.ok(rows.length >= 2);
    assert.ok(rows.some((r) => r.packageId === packageId));
    assert.ok(rows.some((r) => r.mecHostInfo === null), 'undistributed packages list no hosts (null), as the original');
    assert.equal((await shim(t, `/v2/tenants/${t.tenants.A}/packages`, { token: t.tokens.guestA })).status, 403, 'a guest may not read distribution status (IsPermitted T,A)');
    assert.deepEqual((await shim(t, `/v2/tenants/${t.tenants.B}/packages`, { token: t.tokens.tenantB })).json, e2(31303, 'records does not exist'));
    assert.deepEqual((await shim(t, `/v2/tenants/${t.tenants.A}/packages/${'p'.repeat(65)}`, { token: t.tokens.tenantA })).json, e2(31008, 'package id is invalid'));
  });

  it('a package GraphQL distributed reads Distributed here; one the shim distributed reads DISTRIBUTED in GraphQL', async () => {
    const packageId = await shimReady(t, t.tenants.A, t.tokens.tenantA, '10.80.0.2', CSAR);
    const g = await t.gql(`query($id: ID!) { package(id: $id) { distributions { state host { ip } } } }`, { id: packageId }, t.tokens.tenantA);
    assert.deepEqual((g.data as { package: { distributions: unknown } }).package.distributions, [{ state: 'DISTRIBUTED', host: { ip: '10.80.0.2' } }]);
  });
});

describe('delete on a host and everywhere', () => {
  it('validation and missing records as the original answers them', async () => {
    const T = t.tenants.A;
    const del = (p: string, tok = t.tokens.tenantA) => shim(t, `/v2/tenants/${T}${p}`, { method: 'DELETE', token: tok });
    assert.deepEqual((await del(`/packages/${'p'.repeat(65)}/hosts/${IP}`)).json, e2(31008, 'package id is invalid'));
    assert.deepEqual((await del(`/packages/abc/hosts/1.1.1`)).json, e2(31003, 'MecHost address is invalid from url'));
    assert.deepEqual((await del(`/packages/nosuch/hosts/${IP}`)).json, e2(31303, 'App package record does not exist in database'));
    const packageId = hexId();
    assert.equal((await upload({ packageId })).status, 200);
    assert.deepEqual((await del(`/packages/${packageId}/hosts/${IP}`)).json, e2(31303, 'App package host record does not exist in database'));
    assert.deepEqual((await del(`/packages/nosuch`)).json, e2(31303, 'records does not exist'));
    assert.equal((await del(`/packages/${packageId}`, t.tokens.guestA)).status, 403);
    assert.equal((await shim(t, `/v2/tenants/${t.tenants.B}/packages/${packageId}`, { method: 'DELETE', token: t.tokens.tenantB })).status, 404, 'no deleting across tenants');
  });

  it('deleting a distributed package removes it from every host first (the original never did), then everywhere; a re-send is 404', async () => {
    const ip2 = '10.80.0.3';
    const packageId = await shimReady(t, t.tenants.A, t.tokens.tenantA, ip2, CSAR);
    const dist = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { method: 'POST', token: t.tokens.tenantA, body: { hostIp: [IP, ip2] } });
    assert.equal(dist.status, 200, dist.text);
    assert.ok(sim.package(t.tenants.A, IP, packageId) && sim.package(t.tenants.A, ip2, packageId));
    const r = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, ok('Deleted application package successfully'));
    assert.equal(sim.package(t.tenants.A, IP, packageId), undefined);
    assert.equal(sim.package(t.tenants.A, ip2, packageId), undefined);
    const again = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(again.status, 404);
  });

  it('a package an instance uses is not deleted: 409 31302, nothing removed', async () => {
    const ip3 = '10.80.0.4';
    const packageId = await shimReady(t, t.tenants.A, t.tokens.tenantA, ip3, CSAR);
    const id = crypto.randomUUID();
    const inst = await shim(t, `/v2/tenants/${t.tenants.A}/app_instances/${id}/instantiate`, { method: 'POST', token: t.tokens.tenantA, body: { hostIp: ip3, packageId, appName: 'user' } });
    assert.equal(inst.status, 200, inst.text);
    const onHost = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}/hosts/${ip3}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(onHost.status, 409);
    assert.equal((onHost.json as { retCode: number }).retCode, 31302);
    const all = await shim(t, `/v2/tenants/${t.tenants.A}/packages/${packageId}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(all.status, 409);
    assert.ok(sim.package(t.tenants.A, ip3, packageId), 'the plugin still holds it');
    assert.equal((await shim(t, `/v2/tenants/${t.tenants.A}/app_instances/${id}/terminate`, { method: 'POST', token: t.tokens.tenantA })).status, 200);
  });
});
