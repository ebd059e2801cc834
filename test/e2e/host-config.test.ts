import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { SHARED_HOST_TENANT } from '../../src/plugins/plugin-target.js';
import { RegisterHost } from '../operations/hosts.js';
import { HostPluginStatus, Plugins, RemoveHostConfig, UploadHostConfig } from '../operations/plugins.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let sim: SimPlugin;
let ipSeq = 1;
const nextIp = () => `10.44.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
/** A marker that must never show up in the database or the logs. */
const SECRET = 'client-key-data: SECRET-KEY-MATERIAL-7d1c';
const kubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: edge, cluster: {server: "https://10.0.0.1:6443"}}]\nusers: [{name: u, user: {${SECRET}}}]\ncontexts: []\n`;

async function register(token: string, vim = 'k8s', tenantId?: string | null) {
  const r = await t.gql(RegisterHost, { input: { ip: nextIp(), name: `edge-${ipSeq}`, vim, ...(tenantId !== undefined ? { tenantId } : {}) } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.registerHost;
}

const configStatusInDb = async (id: string) => (await sql<{ config_status: string }>(t.db.url, 'select config_status from mec_host where id = $1', [id]))[0]!.config_status;

before(async () => {
  sim = await SimPlugin.start({ vimTypes: ['k8s'] });
  t = await startTestServer('host-config', { ...pluginEnv(sim.address), APPLCM_PLUGIN_DEADLINE_CONFIG_MS: '1500' });
});
after(async () => {
  await t.close();
  await sim.stop();
});

describe('plugins in GraphQL', () => {
  it('admins see each plugin with health and capabilities; tenants are refused', async () => {
    const r = await t.gql(Plugins, { refresh: true }, t.tokens.admin);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const [k8s] = r.data!.plugins;
    assert.equal(r.data!.plugins.length, 1);
    assert.equal(k8s!.vimType, 'k8s');
    assert.equal(k8s!.endpoint, sim.address);
    assert.equal(k8s!.source, 'env');
    assert.equal(k8s!.tls, false);
    assert.equal(k8s!.healthy, true);
    assert.equal(k8s!.lastError, null);
    assert.ok(k8s!.lastCheckedAt);
    assert.equal(k8s!.capabilities?.protocolVersion, '1.0');
    assert.equal(k8s!.capabilities?.pluginName, 'applcm-sim');
    assert.ok(k8s!.capabilities?.operations.includes('/internal.lcmservice.AppLCM/uploadConfig'));
    const denied = await t.gql(Plugins, {}, t.tokens.tenantA);
    assert.equal(denied.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.ok(metrics.includes(`applcm_plugin_up{vim="k8s",endpoint="${sim.address}"} 1`), 'plugin health is a Prometheus gauge');
  });

  it('a host whose VIM type has no plugin registers, flagged MISSING; operations on it answer PLUGIN_UNAVAILABLE', async () => {
    const h = await register(t.tokens.tenantA, 'edgevm');
    const r = await t.gql(HostPluginStatus, { id: h.id }, t.tokens.tenantA);
    assert.equal(r.data?.host.pluginStatus, 'MISSING');
    const up = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
    assert.equal(up.errors?.[0]?.extensions?.code, 'PLUGIN_UNAVAILABLE');
    assert.match(up.errors[0].message, /EDGEVM_PLUGIN/);
    const k8s = await register(t.tokens.tenantA);
    assert.equal((await t.gql(HostPluginStatus, { id: k8s.id }, t.tokens.tenantA)).data?.host.pluginStatus, 'AVAILABLE');
  });
});

describe('host configuration upload and removal', () => {
  it('uploads a kubeconfig to the plugin, marks the host UPLOADED, and keeps the bytes nowhere', async () => {
    const h = await register(t.tokens.tenantA);
    const r = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig, key: 'cfg-1' }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data!.uploadHostConfig.configStatus, 'UPLOADED');
    assert.equal(sim.config(t.tenants.A, h.ip)?.toString(), kubeconfig, 'the plugin holds exactly the file, under the host owner tenant');
    // A replay with the same key answers the same, a different file under that key is a conflict.
    const again = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig, key: 'cfg-1' }, t.tokens.tenantA);
    assert.equal(again.data?.uploadHostConfig.id, h.id);
    const other = await t.gql(UploadHostConfig, { hostId: h.id, content: 'a: b\n', key: 'cfg-1' }, t.tokens.tenantA);
    assert.equal(other.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(sim.config(t.tenants.A, h.ip)?.toString(), kubeconfig, 'a conflicting request does not reach the plugin');

    // Nowhere in the database and nowhere in the logs.
    const dump = await sql<{ t: string }>(t.db.url, `select concat_ws('|', (select string_agg(m::text, '') from mec_host m), (select string_agg(e::text, '') from event e), (select string_agg(i::text, '') from idempotency_record i)) as t`);
    assert.ok(!dump[0]!.t.includes('SECRET-KEY-MATERIAL'), 'the configuration is not stored by the controller');
    assert.ok(!JSON.stringify(t.logs).includes('SECRET-KEY-MATERIAL'), 'nor logged');
    const events = await sql<{ topic: string }>(t.db.url, 'select topic from event where subject_id = $1 order by seq', [h.id]);
    assert.deepEqual(events.map((e) => e.topic), ['host.created', 'host.configUploaded']);

    const removed = await t.gql(RemoveHostConfig, { hostId: h.id }, t.tokens.tenantA);
    assert.equal(removed.data?.removeHostConfig.configStatus, 'NOT_UPLOADED');
    assert.equal(sim.config(t.tenants.A, h.ip), undefined);
    // Removing again is idempotent.
    assert.equal((await t.gql(RemoveHostConfig, { hostId: h.id }, t.tokens.tenantA)).data?.removeHostConfig.configStatus, 'NOT_UPLOADED');
  });

  it('a shared host is configured under the nil tenant, and only by admins', async () => {
    const h = await register(t.tokens.admin, 'k8s', null);
    const byTenant = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
    assert.equal(byTenant.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const r = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.admin);
    assert.equal(r.data?.uploadHostConfig.configStatus, 'UPLOADED');
    assert.ok(sim.config(SHARED_HOST_TENANT, h.ip));
  });

  it('refuses bad files before calling the plugin: empty, not YAML, not a mapping, guests, other tenants', async () => {
    const h = await register(t.tokens.tenantA);
    const calls = sim.callCount('uploadConfig');
    const cases: [string, string, string][] = [
      ['', t.tokens.tenantA, 'BAD_USER_INPUT'],
      ['key: [unclosed', t.tokens.tenantA, 'BAD_USER_INPUT'],
      ['- just\n- a list\n', t.tokens.tenantA, 'BAD_USER_INPUT'],
      [kubeconfig, t.tokens.guestA, 'FORBIDDEN'],
      [kubeconfig, t.tokens.tenantB, 'NOT_FOUND'],
    ];
    for (const [content, token, code] of cases) {
      const r = await t.gql(UploadHostConfig, { hostId: h.id, content }, token);
      assert.equal(r.errors?.[0]?.extensions?.code, code, `${JSON.stringify(content.slice(0, 20))}: ${JSON.stringify(r.errors)}`);
    }
    assert.equal(sim.callCount('uploadConfig'), calls, 'nothing reached the plugin');
    assert.equal(await configStatusInDb(h.id), 'NOT_UPLOADED');
  });

  it('an OpenStack host takes an rc file of export lines', async () => {
    const sim2 = await SimPlugin.start({ vimTypes: ['openstack'] });
    const t2 = await startTestServer('host-config-os', pluginEnv(sim2.address, 'openstack'));
    try {
      const r = await t2.gql(RegisterHost, { input: { ip: '10.45.0.1', name: 'vm-edge', vim: 'openstack' } }, t2.tokens.tenantA);
      const id = r.data!.registerHost.id;
      const bad = await t2.gql(UploadHostConfig, { hostId: id, content: 'OS_AUTH_URL=http://keystone:5000/v3\n' }, t2.tokens.tenantA);
      assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.match(bad.errors[0].message, /line 1/);
      const rc = '# openstack\nexport OS_AUTH_URL=http://keystone:5000/v3\nexport OS_USERNAME="admin"\nexport OS_PASSWORD=secret\n\n';
      const ok = await t2.gql(UploadHostConfig, { hostId: id, content: rc }, t2.tokens.tenantA);
      assert.equal(ok.data?.uploadHostConfig.configStatus, 'UPLOADED', JSON.stringify(ok.errors));
      assert.equal(sim2.config(t2.tenants.A, '10.45.0.1')?.toString(), rc);
    } finally {
      await t2.close();
      await sim2.stop();
    }
  });
});

describe('host configuration when the plugin misbehaves', () => {
  it('a plugin error leaves the status unchanged and names the plugin', async () => {
    const h = await register(t.tokens.tenantA);
    sim.injectFault({ rpc: 'uploadConfig', kind: 'fail', code: status.PERMISSION_DENIED, message: 'forbidden', times: 1 });
    const r = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
    assert.equal(r.errors?.[0]?.extensions?.code, 'PLUGIN_ERROR');
    assert.match(r.errors[0].message, /k8s plugin .* forbidden/);
    assert.equal(await configStatusInDb(h.id), 'NOT_UPLOADED');
  });

  it('a stalled plugin: DEADLINE_EXCEEDED at the configured deadline, status unchanged, nothing stored', async () => {
    const h = await register(t.tokens.tenantA);
    sim.injectFault({ rpc: 'uploadConfig', kind: 'stall', times: 1 });
    const started = Date.now();
    const r = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
    assert.equal(r.errors?.[0]?.extensions?.code, 'DEADLINE_EXCEEDED');
    assert.ok(Date.now() - started < 5000);
    assert.equal(await configStatusInDb(h.id), 'NOT_UPLOADED');
    assert.equal(sim.config(t.tenants.A, h.ip), undefined);
  });

  it('a config stream dropped half-way: a clear error, status unchanged, nothing stored', async () => {
    const h = await register(t.tokens.tenantA);
    // Over one 256 KiB chunk, so the drop happens between chunks.
    const big = `apiVersion: v1\nkind: Config\nnotes: "${'x'.repeat(600_000)}"\n`;
    sim.injectFault({ rpc: 'uploadConfig', kind: 'drop', afterBytes: 100_000, times: 1 });
    const res = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/hosts/${h.id}/config`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form(big) });
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.ok(['PLUGIN_UNAVAILABLE', 'PLUGIN_ERROR'].includes(body.error.code), JSON.stringify(body));
    assert.equal(await configStatusInDb(h.id), 'NOT_UPLOADED');
    assert.equal(sim.config(t.tenants.A, h.ip), undefined);
  });

  it('a plugin that is down: PLUGIN_UNAVAILABLE at once, and the host shows UNAVAILABLE', async () => {
    const h = await register(t.tokens.tenantA);
    sim.setHealthy(false, 'maintenance');
    try {
      await t.gql(Plugins, { refresh: true }, t.tokens.admin);
      const started = Date.now();
      const r = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
      assert.equal(r.errors?.[0]?.extensions?.code, 'PLUGIN_UNAVAILABLE');
      assert.match(r.errors[0].message, /maintenance/);
      assert.ok(Date.now() - started < 1500);
      assert.equal((await t.gql(HostPluginStatus, { id: h.id }, t.tokens.tenantA)).data?.host.pluginStatus, 'UNAVAILABLE');
      const p = await t.gql(Plugins, {}, t.tokens.admin);
      assert.equal(p.data?.plugins[0]?.healthy, false);
      assert.match(p.data?.plugins[0]?.lastError ?? '', /maintenance/);
    } finally {
      sim.setHealthy(true);
    }
    await t.gql(Plugins, { refresh: true }, t.tokens.admin);
    const ok = await t.gql(UploadHostConfig, { hostId: h.id, content: kubeconfig }, t.tokens.tenantA);
    assert.equal(ok.data?.uploadHostConfig.configStatus, 'UPLOADED');
  });
});

function form(content: string | Buffer, field = 'configFile'): FormData {
  const f = new FormData();
  f.append(field, new Blob([content]), 'kubeconfig');
  return f;
}

describe('host configuration over REST (multipart, up to 5 MiB)', () => {
  const url = (hostId: string) => `${t.url}/api/v1/tenants/${t.tenants.A}/hosts/${hostId}/config`;

  it('uploads and removes through the multipart endpoint', async () => {
    const h = await register(t.tokens.tenantA);
    // 2 MiB: over the GraphQL body cap, within the original's file limit.
    const big = `apiVersion: v1\nkind: Config\nnotes: "${'y'.repeat(2 * 1024 * 1024)}"\n`;
    const up = await fetch(url(h.id), { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form(big) });
    assert.equal(up.status, 200, await up.clone().text());
    assert.deepEqual(await up.json(), { hostId: h.id, ip: h.ip, vim: 'k8s', configStatus: 'UPLOADED' });
    assert.equal(sim.config(t.tenants.A, h.ip)?.length, Buffer.byteLength(big));
    const del = await fetch(url(h.id), { method: 'DELETE', headers: { authorization: `Bearer ${t.tokens.tenantA}` } });
    assert.equal(del.status, 200);
    assert.equal(((await del.json()) as { configStatus: string }).configStatus, 'NOT_UPLOADED');
  });

  it('refuses 5 MiB and more with 413, a wrong field with 400, and no token with 401', async () => {
    const h = await register(t.tokens.tenantA);
    const calls = sim.callCount('uploadConfig');
    const tooBig = await fetch(url(h.id), { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form(Buffer.alloc(5 * 1024 * 1024, 0x61)) });
    assert.equal(tooBig.status, 413);
    assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    const wrong = await fetch(url(h.id), { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form('a: b\n', 'kubeconfig') });
    assert.equal(wrong.status, 400);
    const anon = await fetch(url(h.id), { method: 'POST', body: form('a: b\n') });
    assert.equal(anon.status, 401);
    const otherTenant = await fetch(`${t.url}/api/v1/tenants/${t.tenants.B}/hosts/${h.id}/config`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form('a: b\n') });
    assert.equal(otherTenant.status, 403);
    assert.equal(sim.callCount('uploadConfig'), calls);
    assert.equal(await configStatusInDb(h.id), 'NOT_UPLOADED');
  });
});
