// The shim's host configuration routes (applcm-original.md §1.2): multipart `configFile` + `hostIp` upload and removal
// by `?hostIp=`, on HostConfigService; validation, roles, tenants and plugin failures as the original answers them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';
import { configForm, ok, shimForm, shimHost } from './shim-app-client.js';

let t: TestServer;
let sim: SimPlugin;
const IP = '10.79.0.1';
const upload = (form: FormData, tok: string | null = t.tokens.tenantA, tenant = t.tenants.A, query = '') => shimForm(t, `/v2/tenants/${tenant}/configuration`, form, tok, query);

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('rest-config', pluginEnv(sim.address));
  await shimHost(t, t.tenants.A, t.tokens.tenantA, IP);
});
after(async () => {
  await t.close();
  await sim.stop();
});

describe('configuration upload (POST /v2/tenants/{t}/configuration)', () => {
  it('uploads to the host’s plugin; GraphQL reads the host as configured; hostIp may come in the query string', async () => {
    const r = await upload(configForm(IP));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, ok('Upload config is successful'));
    assert.ok(sim.config(t.tenants.A, IP));
    const hosts = await t.gql(`query($ip: String!) { hosts(first: 1, filter: { ip: $ip }) { edges { node { configStatus } } } }`, { ip: IP }, t.tokens.tenantA);
    assert.equal((hosts.data as { hosts: { edges: { node: { configStatus: string } }[] } }).hosts.edges[0]!.node.configStatus, 'UPLOADED');
    const listed = await shim(t, `/v1/tenants/${t.tenants.A}/hosts`, { token: t.tokens.tenantA });
    assert.equal((listed.json as { configUploadStatus: string }[])[0]!.configUploadStatus, 'Uploaded');
    const viaQuery = await upload(configForm(null), t.tokens.tenantA, t.tenants.A, `?hostIp=${IP}`);
    assert.equal(viaQuery.status, 200, viaQuery.text);
  });

  const cases: [string, () => FormData, number, ReturnType<typeof e2>][] = [
    ['no hostIp', () => configForm(null), 400, e2(31003, 'MecHost address is invalid')],
    ['a hostIp that is no IPv4 address', () => configForm('256.1.1.1'), 400, e2(31003, 'MecHost address is invalid')],
    ['a host of no tenant of ours', () => configForm('10.79.9.9'), 404, e2(31301, 'Mec host info record does not exist in database')],
    ['no file part', () => { const f = new FormData(); f.append('hostIp', IP); return f; }, 400, e2(31100, 'Upload config file error')],
    ['a file name with an extension', () => configForm(IP, 'a: b\n', 'config.yaml'), 400, e2(31102, "File shouldn't contains any extension or filename is larger than max size")],
    ['a dot file (Go’s filepath.Ext sees an extension)', () => configForm(IP, 'a: b\n', '.kube'), 400, e2(31102, "File shouldn't contains any extension or filename is larger than max size")],
    ['a file name over 128 bytes', () => configForm(IP, 'a: b\n', 'k'.repeat(129)), 400, e2(31102, "File shouldn't contains any extension or filename is larger than max size")],
    ['a file of 5 MiB', () => configForm(IP, Buffer.alloc(5 * 1024 * 1024, 'a')), 400, e2(31103, 'File size is larger than max size')],
    ['a file that is no YAML', () => configForm(IP, 'a: [unclosed\n'), 400, e2(31100, 'KubeConfig file validation is failed')],
  ];
  for (const [what, form, code, answer] of cases) {
    it(`${what}: ${code} ${answer.retCode}`, async () => {
      const calls = sim.callCount('uploadConfig');
      const r = await upload(form());
      assert.equal(r.status, code, r.text);
      assert.deepEqual(r.json, answer);
      assert.equal(sim.callCount('uploadConfig'), calls, 'nothing reached the plugin');
    });
  }

  it('not multipart: 400 31100; no token 401 31001; a guest 403 31000; another tenant’s path 401; tenant B cannot reach A’s host', async () => {
    const json = await shim(t, `/v2/tenants/${t.tenants.A}/configuration`, { method: 'POST', token: t.tokens.tenantA, body: { hostIp: IP } });
    assert.deepEqual(json.json, e2(31100, 'Upload config file error'));
    assert.deepEqual((await upload(configForm(IP), null)).json, e2(31001, 'Authorization failed'));
    assert.deepEqual((await upload(configForm(IP), t.tokens.guestA)).json, e2(31000, 'forbidden'));
    assert.equal((await upload(configForm(IP), t.tokens.tenantB)).status, 401);
    const b = await upload(configForm(IP), t.tokens.tenantB, t.tenants.B);
    assert.equal(b.status, 404, 'host lookups never fall back to another tenant’s host');
  });

  it('a plugin failure is 500 31202 “Failed to do operate on Plugin”', async () => {
    sim.injectFault({ rpc: 'uploadConfig', kind: 'fail', code: status.INTERNAL, message: 'disk full', times: 1 });
    const r = await upload(configForm(IP));
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, e2(31202, 'Failed to do operate on Plugin'));
  });
});

describe('configuration removal (DELETE /v2/tenants/{t}/configuration?hostIp=)', () => {
  it('removes it from the plugin with the right host and tenant (the original swapped them)', async () => {
    assert.equal((await upload(configForm(IP))).status, 200);
    const r = await shim(t, `/v2/tenants/${t.tenants.A}/configuration?hostIp=${IP}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, ok('Remove config is successful'));
    assert.equal(sim.config(t.tenants.A, IP), undefined);
    const again = await shim(t, `/v2/tenants/${t.tenants.A}/configuration?hostIp=${IP}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(again.status, 200, 'removing what is gone succeeds (appo may re-send)');
  });

  it('a bad or missing hostIp 400 31003; an unknown host 404; a guest 403; plugin refusals mapped as HandleLoggingForFailure', async () => {
    const path = `/v2/tenants/${t.tenants.A}/configuration`;
    assert.deepEqual((await shim(t, path, { method: 'DELETE', token: t.tokens.tenantA })).json, e2(31003, 'MecHost address is invalid'));
    assert.deepEqual((await shim(t, `${path}?hostIp=1.1.1.x`, { method: 'DELETE', token: t.tokens.tenantA })).json, e2(31003, 'MecHost address is invalid'));
    assert.equal((await shim(t, `${path}?hostIp=10.79.9.9`, { method: 'DELETE', token: t.tokens.tenantA })).status, 404);
    assert.equal((await shim(t, `${path}?hostIp=${IP}`, { method: 'DELETE', token: t.tokens.guestA })).status, 403);
    sim.injectFault({ rpc: 'removeConfig', kind: 'fail', code: status.PERMISSION_DENIED, message: 'forbidden', times: 1 });
    assert.deepEqual((await shim(t, `${path}?hostIp=${IP}`, { method: 'DELETE', token: t.tokens.tenantA })).json, e2(31000, 'forbidden'));
    sim.injectFault({ rpc: 'removeConfig', kind: 'fail', code: status.INTERNAL, message: 'cannot remove', times: 1 });
    const other = await shim(t, `${path}?hostIp=${IP}`, { method: 'DELETE', token: t.tokens.tenantA });
    assert.equal(other.status, 500);
    assert.equal((other.json as { retCode: number }).retCode, 31503);
    assert.match((other.json as { message: string }).message, /cannot remove/);
  });
});
