// The shim's app instance routes (applcm-original.md §1.3): instantiate, terminate, batch terminate, query, workload
// events and the instance list; their validation, roles and tenants; and re-sent requests (appo re-sends POSTs on
// 503; a client that dropped its connection or saw the wait bound pass sends again) joining one operation.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { eventually, fixture } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim } from './shim-client.js';
import { ok, shimReady } from './shim-app-client.js';

let t: TestServer;
let sim: SimPlugin;
let T: string;
let token: string;
const IP = '10.78.0.1';
let pkg: string;
const WAIT_S = 3;

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('rest-instances', {
    ...pluginEnv(sim.address),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_RETRY_BASE_MS: '100',
    APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '5000',
    APPLCM_SHIM_WAIT_S: String(WAIT_S),
  });
  T = t.tenants.A;
  token = t.tokens.tenantA;
  pkg = await shimReady(t, T, token, IP, fixture('positioning-service.csar'));
});
after(async () => {
  await t.close();
  await sim.stop();
});

const instantiate = (id: string, body: Record<string, unknown> = {}, tok: string | null = token, tenant = T) =>
  shim(t, `/v2/tenants/${tenant}/app_instances/${id}/instantiate`, { method: 'POST', token: tok, body: { hostIp: IP, packageId: pkg, appName: 'app1', ...body } });
const terminate = (id: string, tok: string | null = token, tenant = T) => shim(t, `/v2/tenants/${tenant}/app_instances/${id}/terminate`, { method: 'POST', token: tok });
const operations = (id: string) => sql<{ type: string; state: string }>(t.db.url, 'select type, state from lcm_operation where instance_id = $1 order by created_at', [id]);
const INSTANTIATED = ok('Application instantiated successfully');
const TERMINATED = ok('Termination is successful');

describe('instantiate validation, in the original’s order and words', () => {
  const cases: [string, Record<string, unknown>, number, ReturnType<typeof e2>][] = [
    ['a host that is no IPv4 address', { hostIp: '1.1.1.x' }, 400, e2(31003, 'MecHost address is invalid')],
    ['an empty package id', { packageId: '' }, 400, e2(31008, 'package id is invalid')],
    ['a package id over 64 characters', { packageId: 'p'.repeat(65) }, 400, e2(31008, 'package id is invalid')],
    ['an app name with a space', { appName: 'bad name' }, 400, e2(31010, 'AppName is invalid')],
    ['an empty app name', { appName: '' }, 400, e2(31010, 'AppName is invalid')],
    ['an origin that is no name', { origin: 'MEO!' }, 400, e2(31010, 'Origin is invalid')],
    ['a host no tenant of ours registered', { hostIp: '10.78.9.9' }, 404, e2(31301, 'Mec host info record does not exist in database')],
    ['a package not distributed to the host', { packageId: 'nosuchpackage' }, 404, e2(31301, 'App package host record not exists')],
  ];
  for (const [what, body, code, answer] of cases) {
    it(`${what}: ${code} ${answer.retCode}`, async () => {
      const id = randomUUID();
      const r = await instantiate(id, body);
      assert.equal(r.status, code, r.text);
      assert.deepEqual(r.json, answer);
      assert.equal((await operations(id)).length, 0, 'nothing was started');
    });
  }

  it('an upper-case or malformed instance id: 400 31035', async () => {
    for (const id of [randomUUID().toUpperCase(), 'not-a-uuid']) {
      const r = await instantiate(id);
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, e2(31035, 'App instance is invalid'));
    }
  });

  it('wrongly typed fields and a malformed body are the original’s unmarshal error 31027; over 4096 bytes 31005', async () => {
    const r = await instantiate(randomUUID(), { hostIp: 7 });
    assert.equal(r.status, 400);
    assert.equal((r.json as { retCode: number }).retCode, 31027);
    assert.match((r.json as { message: string }).message, /cannot unmarshal number .*hostIp/);
    const arr = await instantiate(randomUUID(), { parameters: [1] });
    assert.equal((arr.json as { retCode: number }).retCode, 31027);
    const bad = await shim(t, `/v2/tenants/${T}/app_instances/${randomUUID()}/instantiate`, { method: 'POST', token, raw: '{"hostIp":' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, e2(31027, 'failed to unmarshal request'));
    const big = await instantiate(randomUUID(), { parameters: { blob: 'x'.repeat(5000) } });
    assert.equal(big.status, 400);
    assert.deepEqual(big.json, e2(31005, 'request body too large'));
  });

  it('the same id with other parameters is 400 31013; the same request again answers success', async () => {
    const id = randomUUID();
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    const again = await instantiate(id);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, INSTANTIATED);
    const other = await instantiate(id, { appName: 'other' });
    assert.equal(other.status, 400);
    assert.deepEqual(other.json, e2(31013, 'App instance info record already exists'));
    assert.deepEqual((await operations(id)).map((o) => o.type), ['INSTANTIATE'], 'one operation for both requests');
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });
});

describe('roles and tenants, as the original maps them', () => {
  it('no token or a bad one: 401 31001; a guest instantiating or terminating: 403 31000; another tenant’s path: 401', async () => {
    const id = randomUUID();
    assert.deepEqual((await instantiate(id, {}, null)).json, e2(31001, 'Authorization failed'));
    assert.equal((await instantiate(id, {}, 'not.a.token')).status, 401);
    const guest = await instantiate(id, {}, t.tokens.guestA);
    assert.equal(guest.status, 403);
    assert.deepEqual(guest.json, e2(31000, 'forbidden'));
    assert.equal((await terminate(id, t.tokens.guestA)).status, 403);
    const foreign = await instantiate(id, {}, t.tokens.tenantB);
    assert.equal(foreign.status, 401);
    assert.deepEqual(foreign.json, e2(31001, 'Authorization failed'));
    const tenantBPath = await instantiate(id, {}, t.tokens.tenantB, t.tenants.B);
    assert.equal(tenantBPath.status, 404, 'tenant B does not see tenant A’s host');
    assert.equal((await operations(id)).length, 0);
  });

  it('a guest reads (query, events, list); another tenant reads nothing; an admin acts on a tenant’s path', async () => {
    const id = randomUUID();
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    assert.equal((await shim(t, `/v2/tenants/${T}/app_instances/${id}`, { token: t.tokens.guestA })).status, 200);
    assert.equal((await shim(t, `/v2/tenants/${T}/app_instances/${id}/workload/events`, { token: t.tokens.guestA })).status, 200);
    assert.equal((await shim(t, `/v1/tenants/${T}/app_instances`, { token: t.tokens.guestA })).status, 200);
    const guestWrongTenant = await shim(t, `/v1/tenants/${T}/app_instances`, { token: t.tokens.tenantB });
    assert.equal(guestWrongTenant.status, 401);
    const b = await shim(t, `/v2/tenants/${t.tenants.B}/app_instances/${id}`, { token: t.tokens.tenantB });
    assert.equal(b.status, 404, 'tenant B’s path never shows tenant A’s instance');
    assert.deepEqual(b.json, e2(31301, 'App info record does not exist in database'));
    assert.equal((await shim(t, `/v1/tenants/${t.tenants.B}/app_instances`, { token: t.tokens.tenantB })).text, 'null');
    const admin = await terminate(id, t.tokens.admin);
    assert.equal(admin.status, 200, admin.text);
  });
});

describe('query and workload events', () => {
  it('bad and unknown ids: 400 31035 and 404 31301; the plugin’s “not found” is 404 31015', async () => {
    assert.deepEqual((await shim(t, `/v2/tenants/${T}/app_instances/xyz`, { token })).json, e2(31035, 'App instance is invalid'));
    assert.deepEqual((await shim(t, `/v2/tenants/${T}/app_instances/${randomUUID()}/workload/events`, { token })).json, e2(31301, 'App info record does not exist in database'));
    const id = randomUUID();
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    sim.injectFault({ rpc: 'query', kind: 'fail', code: status.NOT_FOUND, message: 'instance not found', times: 1 });
    const nf = await shim(t, `/v2/tenants/${T}/app_instances/${id}`, { token });
    assert.equal(nf.status, 404);
    assert.equal((nf.json as { retCode: number }).retCode, 31015);
    sim.injectFault({ rpc: 'query', kind: 'fail', code: status.INTERNAL, message: 'boom', times: 1 });
    const other = await shim(t, `/v2/tenants/${T}/app_instances/${id}`, { token });
    assert.equal(other.status, 500);
    assert.equal((other.json as { retCode: number }).retCode, 31016);
    sim.injectFault({ rpc: 'workloadEvents', kind: 'fail', code: status.INTERNAL, message: 'boom', times: 1 });
    const ev = await shim(t, `/v2/tenants/${T}/app_instances/${id}/workload/events`, { token });
    assert.equal(ev.status, 500);
    assert.equal((ev.json as { retCode: number }).retCode, 31203);
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });
});

describe('re-sent requests join one operation', () => {
  it('a client that drops the connection and sends again gets the one operation’s answer', async () => {
    const id = randomUUID();
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const ac = new AbortController();
    const first = fetch(`${t.url}/lcmcontroller/v2/tenants/${T}/app_instances/${id}/instantiate`, {
      method: 'POST',
      headers: { access_token: token, origin: 'MEO', 'content-type': 'application/json' },
      body: JSON.stringify({ hostIp: IP, packageId: pkg, appName: 'dropped' }),
      signal: ac.signal,
    });
    await eventually(async () => ((await operations(id)).length > 0 ? true : undefined), 10_000, 'the operation to start');
    ac.abort();
    await assert.rejects(first);
    // The same request twice more at once: both wait for the first one's operation.
    const [a, b] = await Promise.all([instantiate(id, { appName: 'dropped' }), instantiate(id, { appName: 'dropped' })]);
    const answers = [a, b].map((r) => r.status);
    // The stalled call takes the lifecycle deadline (5 s), more than the 3 s bound: either answer is the slow plugin's
    // 500 31202, never a 503; a later request finds the operation completed.
    for (const r of [a, b]) if (r.status !== 200) assert.equal((r.json as { retCode: number }).retCode, 31202, r.text);
    assert.ok(answers.every((s) => s === 200 || s === 500), JSON.stringify(answers));
    const last = await eventually(async () => {
      const r = await instantiate(id, { appName: 'dropped' });
      return r.status === 200 ? r : undefined;
    }, 30_000, 'the re-sent instantiate to answer success');
    assert.deepEqual(last.json, INSTANTIATED);
    assert.deepEqual((await operations(id)).map((o) => o.type), ['INSTANTIATE'], 'one operation for every request');
    assert.equal(sim.instance(T, IP, id)?.state, 'RUNNING');
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });

  it('a plugin slower than the wait bound: 500 31202 naming the operation, and the re-send picks it up', async () => {
    const id = randomUUID();
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const started = Date.now();
    const slow = await instantiate(id);
    assert.equal(slow.status, 500, slow.text);
    assert.equal((slow.json as { retCode: number }).retCode, 31202);
    assert.match((slow.json as { message: string }).message, /still .* send the same request again/);
    assert.ok(Date.now() - started >= WAIT_S * 1000 - 100);
    const again = await eventually(async () => {
      const r = await instantiate(id);
      return r.status === 200 ? r : undefined;
    }, 30_000, 'the operation to complete');
    assert.deepEqual(again.json, INSTANTIATED);
    assert.equal((await operations(id)).length, 1);
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });

  it('a plugin refusing the instantiate: 500 31202 with its text, the instance rolled back as the original; the id is free again', async () => {
    const id = randomUUID();
    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'helm install failed', times: 1 });
    const r = await instantiate(id);
    assert.equal(r.status, 500, r.text);
    assert.equal((r.json as { retCode: number }).retCode, 31202);
    assert.match((r.json as { message: string }).message, /helm install failed/);
    await eventually(async () => ((await operations(id))[0]?.state === 'ROLLED_BACK' ? true : undefined), 15_000, 'the rollback');
    assert.equal((await shim(t, `/v2/tenants/${T}/app_instances/${id}`, { token })).status, 404, 'the record is gone, as the original deleted it');
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED, 'a new attempt with the same id works');
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });

  it('terminate: concurrent twins make one operation; a failed one is retried by the next request; after it completed a re-send answers success', async () => {
    const id = randomUUID();
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    sim.injectFault({ rpc: 'terminate', kind: 'fail', code: status.INTERNAL, message: 'uninstall failed', times: 1 });
    const failed = await terminate(id);
    assert.equal(failed.status, 500, failed.text);
    assert.equal((failed.json as { retCode: number }).retCode, 31503);
    assert.match((failed.json as { message: string }).message, /uninstall failed/);
    const [a, b] = await Promise.all([terminate(id), terminate(id)]);
    assert.deepEqual([a.json, b.json], [TERMINATED, TERMINATED]);
    assert.deepEqual((await operations(id)).map((o) => `${o.type} ${o.state}`), ['INSTANTIATE COMPLETED', 'TERMINATE COMPLETED'], 'the failed terminate was retried, not repeated');
    const late = await terminate(id);
    assert.equal(late.status, 200, 'a re-send after completion reports the finished operation');
    assert.equal(sim.instance(T, IP, id), undefined);
  });

  it('a plugin refusing the token: 401 31001 as HandleLoggingForFailure maps it', async () => {
    const id = randomUUID();
    assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    sim.injectFault({ rpc: 'terminate', kind: 'fail', code: status.INVALID_ARGUMENT, message: 'accessToken is invalid', times: 1 });
    const r = await terminate(id);
    assert.equal(r.status, 401, r.text);
    assert.deepEqual(r.json, e2(31001, 'Authorization failed'));
    assert.deepEqual((await terminate(id)).json, TERMINATED);
  });
});

describe('batch terminate and GraphQL interplay', () => {
  it('terminates comma-separated instances and answers null; bad bodies and ids are refused before any work', async () => {
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) assert.deepEqual((await instantiate(id)).json, INSTANTIATED);
    const path = `/v1/tenants/${T}/app_instances/batchTerminate`;
    assert.deepEqual((await shim(t, path, { method: 'DELETE', token, body: { appInstances: 5 } })).json, e2(31024, 'failed to unmarshal request'));
    const bad = await shim(t, path, { method: 'DELETE', token, body: { appInstances: `${ids[0]},nope` } });
    assert.deepEqual(bad.json, e2(31035, 'App instance is invalid'));
    assert.equal(sim.instance(T, IP, ids[0]!)?.state, 'RUNNING', 'nothing was terminated');
    assert.equal((await shim(t, path, { method: 'DELETE', token: t.tokens.guestA, body: { appInstances: ids.join(',') } })).status, 403);
    const r = await shim(t, path, { method: 'DELETE', token, body: { appInstances: ids.join(',') } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'null');
    for (const id of ids) assert.equal(sim.instance(T, IP, id), undefined);
    const missing = await shim(t, path, { method: 'DELETE', token, body: { appInstances: randomUUID() } });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, e2(31301, 'App info record does not exist in database'));
  });

  it('an instance GraphQL created is listed, queried and terminated through the shim; GraphQL sees it gone', async () => {
    const hosts = await t.gql(`query($ip: String!) { hosts(first: 1, filter: { ip: $ip }) { edges { node { id } } } }`, { ip: IP }, token);
    const hostId = (hosts.data as { hosts: { edges: { node: { id: string } }[] } }).hosts.edges[0]!.node.id;
    const id = randomUUID();
    const created = await t.gql(`mutation($input: InstantiateAppInput!) { instantiateApp(input: $input) { id } }`, { input: { appInstanceId: id, packageId: pkg, hostId, name: 'fromgraphql' } }, token);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    await eventually(async () => ((await operations(id))[0]?.state === 'COMPLETED' ? true : undefined), 15_000, 'the instantiate');
    const list = await shim(t, `/v1/tenants/${T}/app_instances`, { token });
    assert.ok((list.json as { appInstanceId: string; appName: string }[]).some((i) => i.appInstanceId === id && i.appName === 'fromgraphql'));
    assert.equal((await shim(t, `/v2/tenants/${T}/app_instances/${id}`, { token })).status, 200);
    assert.deepEqual((await terminate(id)).json, TERMINATED);
    const read = await t.gql(`query($id: ID!) { appInstance(id: $id) { id } }`, { id }, token);
    assert.equal(read.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
