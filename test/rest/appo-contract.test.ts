// The appo contract (applcm-original.md §9 and the canonical flow of §0): every request replayed as appo and MECM
// build it (paths, `access_token` and `origin: MEO` headers, multipart and JSON bodies, non-string `parameters`),
// through a whole lifecycle on the simulator plugin, checking status, envelope and body at each step.
// The sync routes of §9 (rows 8–9, the platform routes) are replayed for an instance the edge (origin MEPM) created.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { fixture } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';
import { configForm, fakeMep, hexId, ok, packageForm, shimForm, shimHost } from './shim-app-client.js';

let t: TestServer;
let sim: SimPlugin;
const CAPABILITIES = [{ capabilityId: 'cap-location', capabilityName: 'location', status: 'ACTIVE', version: '1.0', consumers: [] }];
const mep = fakeMep(CAPABILITIES);

before(async () => {
  sim = await SimPlugin.start();
  const mepUrl = await mep.start();
  t = await startTestServer('appo-contract', { ...pluginEnv(sim.address), APPLCM_MEP_URL: mepUrl, APPLCM_WORKER_POLL_MS: '200' });
});
after(async () => {
  await t.close();
  await sim.stop();
  await mep.stop();
});

const InstanceRead = `query($id: ID!) { appInstance(id: $id) { id name origin instantiationState parameters host { ip } package { id } } }`;
const HostKpi = `query($ip: String!) { hosts(first: 5, filter: { ip: $ip }) { edges { node { id kpi } } } }`;

describe('appo and MECM against the shim, one whole lifecycle', () => {
  it('add host → config → upload → distribute → status → instantiate → query → events → KPI → capabilities → terminate → delete on host → delete package → remove config → delete host', async () => {
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const ip = await shimHost(t, T, token, '10.77.0.1');

    const cfg = await shimForm(t, `/v2/tenants/${T}/configuration`, configForm(ip), token);
    assert.equal(cfg.status, 200, cfg.text);
    assert.deepEqual(cfg.json, ok('Upload config is successful'));
    assert.match(cfg.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(sim.config(T, ip), 'the kubeconfig reached the plugin');

    const appId = hexId();
    const packageId = `${appId}${hexId()}`;
    const up = await shimForm(t, `/v2/tenants/${T}/packages`, await packageForm(fixture('positioning-service.csar'), { appId, packageId }), token);
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(up.json, ok('Uploaded application package successfully', { appId, packageId }));

    const dist = await shim(t, `/v2/tenants/${T}/packages/${packageId}`, { method: 'POST', token, body: { hostIp: [ip] } });
    assert.equal(dist.status, 200, dist.text);
    assert.deepEqual(dist.json, ok('Distributed application package successfully'));
    assert.ok(sim.package(T, ip, packageId), 'the plugin holds the package when distribute answers');

    const status = await shim(t, `/v2/tenants/${T}/packages/${packageId}`, { token });
    assert.equal(status.status, 200, status.text);
    const records = (status.json as { data: Record<string, unknown>[] }).data;
    assert.deepEqual(Object.keys(status.json as object), ['data', 'retCode', 'message', 'params']);
    assert.equal((status.json as { message: string }).message, 'Query app package records successful');
    assert.equal(records.length, 1);
    assert.deepEqual(Object.keys(records[0]!), ['appPkgName', 'appPkgVersion', 'appProvider', 'appPkgDesc', 'appPkgAffinity', 'appId', 'packageId', 'appIconUrl', 'createdTime', 'modifiedTime', 'mecHostInfo']);
    assert.equal(records[0]!.packageId, packageId);
    assert.equal(records[0]!.appId, appId);
    assert.equal(records[0]!.appPkgName, 'positioning-serviceTest2');
    assert.deepEqual(records[0]!.mecHostInfo, [{ hostIp: ip, status: 'Distributed', error: '', AppPackageStatus: null }]);
    const all = await shim(t, `/v2/tenants/${T}/packages`, { token });
    assert.equal(all.status, 200);
    assert.deepEqual((all.json as { data: unknown[] }).data, records);

    // appo's instantiate: `origin: MEO` as a header, parameters from a Gson map (numbers, booleans, nested values).
    const instanceId = crypto.randomUUID();
    const inst = await shim(t, `/v2/tenants/${T}/app_instances/${instanceId}/instantiate`, {
      method: 'POST',
      token,
      body: { hostIp: ip, packageId, appName: 'positioning', parameters: { replicas: 2, debug: true, ratio: 0.5, note: 'x', nothing: null, nested: { a: 1 } } },
    });
    assert.equal(inst.status, 200, inst.text);
    assert.equal(inst.text, '{"data":null,"retCode":0,"message":"Application instantiated successfully","params":null}');
    const onPlugin = sim.instance(T, ip, instanceId);
    assert.equal(onPlugin?.state, 'RUNNING');
    assert.deepEqual(
      { ...onPlugin.parameters, ak: 'ak', sk: 'sk' },
      { replicas: '2', debug: 'true', ratio: '0.5', note: 'x', nothing: '', nested: '{"a":1}', ak: 'ak', sk: 'sk' },
      'non-string values reach the plugin as their text; the AK/SK are generated',
    );
    assert.equal(onPlugin.parameters.ak!.length, 20);
    const registration = mep.seen.find((c) => c.method === 'PUT' && c.url === `/mep/appMng/v1/applications/${instanceId}/confs`);
    assert.ok(registration, 'the AK/SK were registered with the MEP before deploying');

    // What the shim created, GraphQL reads.
    const gq = await t.gql(InstanceRead, { id: instanceId }, token);
    assert.equal(gq.errors, undefined, JSON.stringify(gq.errors));
    const gInst = (gq.data as { appInstance: Record<string, unknown> }).appInstance;
    assert.equal(gInst.instantiationState, 'INSTANTIATED');
    assert.equal(gInst.name, 'positioning');
    assert.equal(gInst.origin, 'MEO');
    assert.deepEqual(gInst.host, { ip });
    assert.deepEqual(gInst.package, { id: packageId });

    const query = await shim(t, `/v2/tenants/${T}/app_instances/${instanceId}`, { token });
    assert.equal(query.status, 200, query.text);
    assert.match(query.headers.get('content-type') ?? '', /^text\/plain/);
    const statusJson = query.json as { pods: unknown[]; services: unknown[] };
    assert.ok(Array.isArray(statusJson.pods) && statusJson.pods.length > 0, query.text);

    const events = await shim(t, `/v2/tenants/${T}/app_instances/${instanceId}/workload/events`, { token });
    assert.equal(events.status, 200, events.text);
    assert.ok(Array.isArray((events.json as { pods: unknown[] }).pods), events.text);

    const kpi = await shim(t, `/v2/tenants/${T}/hosts/${ip}/kpi`, { token });
    assert.equal(kpi.status, 200, kpi.text);
    const gKpi = await t.gql(HostKpi, { ip }, token);
    const node = (gKpi.data as { hosts: { edges: { node: { kpi: string } }[] } }).hosts.edges[0]!.node;
    assert.equal(kpi.text, node.kpi, 'the plugin answer passes through byte for byte');
    assert.equal((kpi.json as { retCode: number }).retCode, 0);

    const caps = await shim(t, `/v2/tenants/${T}/hosts/${ip}/mep_capabilities`, { token });
    assert.equal(caps.status, 200, caps.text);
    assert.deepEqual(caps.json, CAPABILITIES);
    const cap = await shim(t, `/v2/tenants/${T}/hosts/${ip}/mep_capabilities/cap-location`, { token });
    assert.equal(cap.status, 200, cap.text);
    assert.deepEqual(cap.json, CAPABILITIES[0]);

    const list = await shim(t, `/v1/tenants/${T}/app_instances`, { token });
    assert.equal(list.status, 200);
    const row = (list.json as Record<string, unknown>[])[0]!;
    assert.deepEqual(Object.keys(row), ['appInstanceId', 'createTime', 'mecHost', 'deployType', 'tenantId', 'appPackageId', 'appName', 'origin', 'syncStatus']);
    assert.deepEqual({ ...row, createTime: '' }, { appInstanceId: instanceId, createTime: '', mecHost: ip, deployType: '', tenantId: T, appPackageId: packageId, appName: 'positioning', origin: 'MEO', syncStatus: true });
    assert.match(String(row.createTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const deployed = await shim(t, `/v1/hosts/${ip}/packages/${packageId}/status`, { token });
    assert.deepEqual(deployed.json, { package_deployed: true });

    // appo still calls the removed /profile route: 404, as the original answers it.
    const profile = await shim(t, `/v1/tenants/${T}/app_instances/${instanceId}/profile`, { method: 'POST', token });
    assert.equal(profile.status, 404);

    const term = await shim(t, `/v2/tenants/${T}/app_instances/${instanceId}/terminate`, { method: 'POST', token });
    assert.equal(term.status, 200, term.text);
    assert.deepEqual(term.json, ok('Termination is successful'));
    assert.equal(sim.instance(T, ip, instanceId), undefined, 'the plugin no longer holds the instance');
    assert.ok(mep.seen.some((c) => c.method === 'DELETE' && c.url.includes(`/applications/${instanceId}/AppInstanceTermination`)), 'the MEP heard of the termination');
    const gone = await shim(t, `/v2/tenants/${T}/app_instances/${instanceId}`, { token });
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.json, e2(31301, 'App info record does not exist in database'));
    assert.equal((await shim(t, `/v1/tenants/${T}/app_instances`, { token })).text, 'null');
    assert.deepEqual((await shim(t, `/v1/hosts/${ip}/packages/${packageId}/status`, { token })).json, { package_deployed: false });

    const offHost = await shim(t, `/v2/tenants/${T}/packages/${packageId}/hosts/${ip}`, { method: 'DELETE', token });
    assert.equal(offHost.status, 200, offHost.text);
    assert.equal(offHost.text, '{"data":null,"retCode":0,"message":"Deleted host application package successfully","params":null}');
    assert.equal(sim.package(T, ip, packageId), undefined);

    const del = await shim(t, `/v2/tenants/${T}/packages/${packageId}`, { method: 'DELETE', token });
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.json, ok('Deleted application package successfully'));
    assert.deepEqual((await shim(t, `/v2/tenants/${T}/packages/${packageId}`, { token })).json, e2(31303, 'records does not exist'));

    const rm = await shim(t, `/v2/tenants/${T}/configuration?hostIp=${ip}`, { method: 'DELETE', token });
    assert.equal(rm.status, 200, rm.text);
    assert.deepEqual(rm.json, ok('Remove config is successful'));
    assert.equal(sim.config(T, ip), undefined);

    const host = await shim(t, `/v1/tenants/${T}/hosts/${ip}`, { method: 'DELETE', token });
    assert.equal(host.status, 200, host.text);
    assert.equal(host.text, 'null');
  });

  it('appo treats a terminate of an unknown instance as done: 404 with the text it looks for', async () => {
    const r = await shim(t, `/v2/tenants/${t.tenants.A}/app_instances/${crypto.randomUUID()}/terminate`, { method: 'POST', token: t.tokens.tenantA });
    assert.equal(r.status, 404);
    assert.match(r.text, /record does not exist in database/);
  });

  it('appo’s sync (§9 rows 8–9): an instance created at the edge (origin MEPM) is listed at the top level of sync_updated, then in sync_deleted once terminated', async () => {
    const T = t.tenants.A;
    const token = t.tokens.tenantA;
    const ip = '10.77.0.2';
    await shimHost(t, T, token, ip);
    assert.equal((await shimForm(t, `/v2/tenants/${T}/configuration`, configForm(ip), token)).status, 200);
    const packageId = hexId();
    assert.equal((await shimForm(t, `/v2/tenants/${T}/packages`, await packageForm(fixture('positioning-service.csar'), { packageId }), token)).status, 200);
    assert.equal((await shim(t, `/v2/tenants/${T}/packages/${packageId}`, { method: 'POST', token, body: { hostIp: [ip] } })).status, 200);
    const id = crypto.randomUUID();
    const inst = await shim(t, `/v2/tenants/${T}/app_instances/${id}/instantiate`, { method: 'POST', token, body: { hostIp: ip, packageId, appName: 'edgeapp', origin: 'MEPM' } });
    assert.equal(inst.status, 200, inst.text);
    // AppoSyncHandler: the admin's token, Accept */*, the list read at the top level of the body.
    const updated = await shim(t, `/v2/tenants/${T}/app_instances/sync_updated`, { token: t.tokens.admin });
    assert.equal(updated.status, 200, updated.text);
    const recs = (updated.json as { appInstanceUpdatedRecs: { appInstanceId: string; appPackageId: string; appName: string }[] | null }).appInstanceUpdatedRecs;
    assert.ok(recs?.some((r) => r.appInstanceId === id && r.appPackageId === packageId && r.appName === 'edgeapp'), updated.text);
    assert.equal((await shim(t, `/v2/tenants/${T}/app_instances/${id}/terminate`, { method: 'POST', token })).status, 200);
    const deleted = await shim(t, `/v2/tenants/${T}/app_instances/sync_deleted`, { token: t.tokens.admin });
    assert.equal(deleted.status, 200, deleted.text);
    const gone = (deleted.json as { appInstanceDeletedRecs: { appInstanceId: string }[] | null }).appInstanceDeletedRecs;
    assert.ok(gone?.some((r) => r.appInstanceId === id), deleted.text);
  });
});
