import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { DeleteHost, RegisterHost, UpdateHost } from '../operations/hosts.js';
import { LcmDistribute, LcmInstantiate, LcmRemoveFromHost, LcmTerminate } from '../operations/lcm.js';
import { DeletePackage } from '../operations/packages.js';
import { newHost, settled } from '../helpers/lcm-fixture.js';
import { eventually, fixture, uploadPackage } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startReplica } from '../helpers/replica-server.js';
import { sql } from '../helpers/test-db.js';
import { tokenFor, unsignedToken } from '../helpers/test-keys.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { e2, shim, type ShimResponse } from './shim-client.js';

// The sync routes (applcm-original.md §1.1 rows 12, 13, 27, 28, 34, 35; §1.3–1.5; §9 rows 8–9) on the change feed:
// what the edge (origin MEPM) changed, once per change, sent again until the caller has received it.

let t: TestServer;
let sim: SimPlugin;
let ipSeq = 1;
const nextIp = () => `10.88.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

/** A fresh admin: a caller of its own, with its own positions (the path tenant is its userId, as MECM calls). */
async function newAdmin(): Promise<{ token: string; id: string }> {
  const id = randomUUID();
  return { id, token: await tokenFor(t.keys, 'admin', id) };
}

/** Waits until every committed change is in the feed (events get their position just after commit). */
const settle = () => t.server.events.bus.sync();

type HostRecs = { mecHostUpdatedRecs: Record<string, unknown>[] | null };
const hostIps = (r: ShimResponse) => ((r.json as HostRecs).mecHostUpdatedRecs ?? []).map((h) => h.mechostIp);

async function registerGql(token: string, origin: string): Promise<{ id: string; ip: string }> {
  const r = await t.gql(RegisterHost, { input: { ip: nextIp(), name: `sync${ipSeq}`, origin } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.registerHost;
}

/** A request whose caller hangs up before any answer: the answer is lost on the way. */
async function lostCall(url: string, path: string, token: string): Promise<void> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  await new Promise<void>((resolve) => socket.write(`GET /lcmcontroller${path} HTTP/1.1\r\nHost: ${u.host}\r\naccess_token: ${token}\r\n\r\n`, () => resolve()));
  socket.destroy();
}

/**
 * Loses an answer: waits until the caller's previous answer is recorded as delivered, calls and hangs up at once, and
 * waits until the server has recorded the new answer as sent. Resolves with that record.
 */
async function loseAnswer(url: string, caller: { id: string; token: string }, feed: string, path: string): Promise<{ sent: string | null; sent_complete: boolean }> {
  const before = await eventually(async () => {
    const s = await stateOf(t.db.url, caller.id, feed);
    return s.sent_complete || s.sent === null ? s : undefined;
  });
  await lostCall(url, path, caller.token);
  return eventually(async () => {
    const s = await stateOf(t.db.url, caller.id, feed);
    return s.sent !== before.sent ? s : undefined;
  });
}

/** The stored position of a caller's feed. */
async function stateOf(dbUrl: string, caller: string, feed: string): Promise<{ sent: string | null; sent_complete: boolean }> {
  const rows = await sql<{ sent: string | null; sent_complete: boolean }>(dbUrl, 'select sent::text as sent, sent_complete from shim_sync_state where caller = $1 and feed = $2', [caller, feed]);
  return rows[0]!;
}

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('rest-sync', { ...pluginEnv(sim.address), APPLCM_WORKER_POLL_MS: '200', APPLCM_OPERATION_RETRY_BASE_MS: '100' });
});
after(async () => {
  await t.close();
  await sim.stop();
});

describe('sync routes: who may call, and what they refuse', () => {
  const v2 = ['app_instances/sync_updated', 'app_instances/sync_deleted', 'packages/sync_updated', 'packages/sync_deleted'];

  it('v2 routes are for admins only; a tenant, a guest, an unsigned or missing token is 401 31001 (no 403, as the original)', async () => {
    for (const route of v2) {
      for (const token of [t.tokens.tenantA, t.tokens.guestA, unsignedToken({ userId: t.tenants.admin, user_name: 'x', authorities: ['ROLE_MECM_ADMIN'] }), null]) {
        const r = await shim(t, `/v2/tenants/${t.tenants.A}/${route}`, { token });
        assert.equal(r.status, 401, route);
        assert.deepEqual(r.json, e2(31001, 'Authorization failed'));
      }
      const ok = await shim(t, `/v2/tenants/${t.tenants.admin}/${route}`, { token: t.tokens.admin });
      assert.equal(ok.status, 200, `${route}: ${ok.text}`);
    }
  });

  it('a tenant id that is no lower-case UUID is 400 before the token is looked at (packages/sync_deleted in its own words)', async () => {
    for (const route of v2) {
      for (const tenant of ['not-a-uuid', t.tenants.admin.toUpperCase()]) {
        const r = await shim(t, `/v2/tenants/${tenant}/${route}`, { token: null });
        assert.equal(r.status, 400, route);
        assert.deepEqual(r.json, e2(31009, route === 'packages/sync_deleted' ? 'package id is invalid' : 'Tenant id is invalid'));
      }
    }
  });

  it('a cursor that is not one of ours, repeated, or ahead of the feed is 400; the v1 host routes take every role', async () => {
    const base = `/v2/tenants/${t.tenants.admin}/app_instances/sync_updated`;
    const bad = await shim(t, `${base}?cursor=abc`, { token: t.tokens.admin });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, e2(31400, 'cursor must be a sequence returned by this API (a decimal number)'));
    const twice = await shim(t, `${base}?cursor=1&cursor=2`, { token: t.tokens.admin });
    assert.equal(twice.status, 400);
    const ahead = await shim(t, `${base}?cursor=999999999`, { token: t.tokens.admin });
    assert.equal(ahead.status, 400);
    assert.match((ahead.json as { message: string }).message, /ahead of the change feed/);
    for (const token of [t.tokens.tenantA, t.tokens.guestA, t.tokens.admin]) {
      assert.equal((await shim(t, '/v1/hosts/sync_updated', { token })).status, 200);
      assert.equal((await shim(t, '/v1/hosts/sync_deleted', { token })).status, 200);
    }
  });
});

describe('host sync (v1): edge hosts changed through GraphQL and the shim', () => {
  it('show up once, again after an update, and in sync_deleted once deleted; other origins never; each tenant sees its own', async () => {
    const admin = await newAdmin();
    const first = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await shim(t, '/v1/hosts/sync_updated', { token: admin.token }).then((r) => r.json), { mecHostUpdatedRecs: null }, 'nothing new');

    const a = await registerGql(t.tokens.tenantA, 'MEPM');
    const meo = await registerGql(t.tokens.tenantA, 'MEO');
    const bIp = nextIp();
    const b = await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, {
      method: 'POST',
      token: t.tokens.tenantB,
      body: { mechostIp: bIp, mechostName: 'edgeb', city: 'Xian', vim: 'k8s', origin: 'MEPM', hwcapabilities: [{ hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' }] },
    });
    assert.equal(b.status, 200, b.text);
    await settle();

    const changed = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    assert.deepEqual(hostIps(changed), [a.ip, bIp], 'the MEPM hosts in the order they changed, the MEO one never');
    const recB = (changed.json as HostRecs).mecHostUpdatedRecs![1]!;
    assert.deepEqual(recB, {
      mechostIp: bIp,
      mechostName: 'edgeb',
      zipCode: '',
      city: 'Xian',
      address: '',
      affinity: '',
      userName: '',
      tenantId: t.tenants.B,
      configUploadStatus: '',
      coordinates: '',
      vim: 'k8s',
      origin: 'MEPM',
      hwcapabilities: [{ hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' }],
    });
    assert.deepEqual((await shim(t, '/v1/hosts/sync_updated', { token: admin.token })).json, { mecHostUpdatedRecs: null }, 'each change once');

    // A tenant's first call answers its current edge hosts (its own, not tenant B's), then only changes.
    const tenantA = await shim(t, '/v1/hosts/sync_updated', { token: t.tokens.tenantA });
    assert.ok(hostIps(tenantA).includes(a.ip));
    assert.equal(hostIps(tenantA).includes(bIp), false);

    const put = await shim(t, `/v1/tenants/${t.tenants.B}/hosts`, { method: 'PUT', token: t.tokens.tenantB, body: { mechostIp: bIp, mechostName: 'edgeb', city: 'Shenzhen', origin: 'MEPM' } });
    assert.equal(put.status, 200, put.text);
    await settle();
    const updated = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    assert.deepEqual(hostIps(updated), [bIp]);
    assert.equal((updated.json as HostRecs).mecHostUpdatedRecs![0]!.city, 'Shenzhen');

    const del = await shim(t, `/v1/tenants/${t.tenants.B}/hosts/${bIp}`, { method: 'DELETE', token: t.tokens.tenantB });
    assert.equal(del.status, 200, del.text);
    assert.equal((await t.gql(DeleteHost, { id: meo.id }, t.tokens.tenantA)).errors, undefined);
    await settle();
    const deleted = await shim(t, '/v1/hosts/sync_deleted', { token: admin.token });
    assert.deepEqual(deleted.json, { mecHostStaleRecs: [{ mechostIp: bIp }] }, 'the MEPM host only');
    assert.deepEqual((await shim(t, '/v1/hosts/sync_deleted', { token: admin.token })).json, { mecHostStaleRecs: null });
    assert.deepEqual((await shim(t, '/v1/hosts/sync_updated', { token: admin.token })).json, { mecHostUpdatedRecs: null }, 'a deleted host is not an updated one');
  });
});

describe('app instance and package sync (v2): the lifecycle through GraphQL', () => {
  it('an edge package and instance show up once (instances also at the top level, for appo), and their deletions in sync_deleted', async () => {
    const admin = await newAdmin();
    const v2 = (route: string) => shim(t, `/v2/tenants/${admin.id}/${route}`, { token: admin.token });
    for (const route of ['app_instances/sync_updated', 'packages/sync_updated', 'app_instances/sync_deleted', 'packages/sync_deleted']) assert.equal((await v2(route)).status, 200);

    const host = await newHost(t);
    const packageId = `syncpkg${randomUUID().slice(0, 8)}`;
    const up = await uploadPackage(t, fixture('positioning-service.csar'), { fields: { packageId, origin: 'MEPM' } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const dist = await t.gql(LcmDistribute, { packageId, hostIds: [host.id] }, t.tokens.tenantA);
    assert.equal((await settled(t, dist.data!.distributePackage.id)).state, 'COMPLETED');
    const instantiate = async (origin: string) => {
      const id = randomUUID();
      const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId, hostId: host.id, name: `app${origin}`, origin } }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      assert.equal((await settled(t, r.data!.instantiateApp.id)).state, 'COMPLETED');
      return id;
    };
    const edgeApp = await instantiate('MEPM');
    const meoApp = await instantiate('MEO');
    await settle();

    const pkgs = await v2('packages/sync_updated');
    assert.equal(pkgs.status, 200);
    const pkgBody = pkgs.json as { appPackageRecord: Record<string, unknown>[] | null } & Record<string, unknown>;
    assert.deepEqual(Object.keys(pkgBody), ['appPackageRecord', 'data', 'retCode', 'message', 'params']);
    assert.deepEqual({ data: pkgBody.data, retCode: pkgBody.retCode, message: pkgBody.message }, { data: null, retCode: 0, message: 'Application packages synchronization is successful' });
    assert.equal(pkgBody.appPackageRecord!.length, 1);
    const rec = pkgBody.appPackageRecord![0]!;
    assert.equal(rec.appPkgId, packageId);
    assert.equal(rec.packageId, packageId);
    assert.equal(rec.tenantId, t.tenants.A);
    assert.equal(rec.origin, 'MEPM');
    assert.equal(rec.syncStatus, false);
    assert.deepEqual(rec.mecHostInfo, [{ pkgHostKey: packageId + host.ip, hostIp: host.ip, appPkgId: packageId, status: 'Distributed', tenantId: t.tenants.A, error: '', origin: 'MEPM', syncStatus: false }]);
    assert.equal(((await v2('packages/sync_updated')).json as { appPackageRecord: unknown }).appPackageRecord, null, 'once');

    const apps = await v2('app_instances/sync_updated');
    const appBody = apps.json as { data: { appInstanceUpdatedRecs: Record<string, unknown>[] }; appInstanceUpdatedRecs: Record<string, unknown>[] } & Record<string, unknown>;
    assert.equal(appBody.message, 'AppInstance synchronization is successful');
    assert.equal(appBody.retCode, 0);
    assert.deepEqual(appBody.appInstanceUpdatedRecs, appBody.data.appInstanceUpdatedRecs, 'the list also at the top level, where appo reads it');
    assert.deepEqual(appBody.appInstanceUpdatedRecs.map((r) => r.appInstanceId), [edgeApp], 'the MEPM instance only, once');
    const app = appBody.appInstanceUpdatedRecs[0]!;
    assert.deepEqual({ ...app, createTime: undefined }, { appInstanceId: edgeApp, createTime: undefined, mecHost: host.ip, deployType: '', tenantId: t.tenants.A, appPackageId: packageId, appName: 'appMEPM', origin: 'MEPM', syncStatus: false });
    assert.ok(!Number.isNaN(Date.parse(String(app.createTime))));
    const again = (await v2('app_instances/sync_updated')).json as { data: unknown; appInstanceUpdatedRecs: unknown };
    assert.deepEqual([again.data, again.appInstanceUpdatedRecs], [{ appInstanceUpdatedRecs: null }, null]);

    for (const id of [edgeApp, meoApp]) {
      const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
      assert.equal((await settled(t, term.data!.terminateApp.id)).state, 'COMPLETED');
    }
    await settle();
    const gone = (await v2('app_instances/sync_deleted')).json as Record<string, unknown>;
    assert.deepEqual(gone, {
      data: { appInstanceDeletedRecs: [{ appInstanceId: edgeApp, tenantId: t.tenants.A }] },
      retCode: 0,
      message: 'Stale appInstance records synchronization is successful',
      params: null,
      appInstanceDeletedRecs: [{ appInstanceId: edgeApp, tenantId: t.tenants.A }],
    });
    assert.equal(((await v2('app_instances/sync_deleted')).json as { appInstanceDeletedRecs: unknown }).appInstanceDeletedRecs, null);

    const removed = await t.gql(LcmRemoveFromHost, { packageId, hostId: host.id }, t.tokens.tenantA);
    assert.equal((await settled(t, removed.data!.removePackageFromHost.id)).state, 'COMPLETED');
    assert.equal((await t.gql(DeletePackage, { id: packageId }, t.tokens.tenantA)).errors, undefined);
    await settle();
    assert.deepEqual((await v2('packages/sync_deleted')).json, {
      appPackageStaleRec: [{ appPackageId: packageId, tenantId: t.tenants.A }],
      appPackageHostStaleRec: [{ packageId, tenantId: t.tenants.A, hostIp: host.ip }],
      data: null,
      retCode: 0,
      message: 'Stale app package records synchronization is successful',
      params: null,
    });
    const none = (await v2('packages/sync_deleted')).json as Record<string, unknown>;
    assert.deepEqual([none.appPackageStaleRec, none.appPackageHostStaleRec], [null, null]);
  });
});

describe('sync delivery: lost answers and restarts', () => {
  it('a backlog longer than one answer (500 events) is reported over several calls, each a step in the feed', async () => {
    const admin = await newAdmin();
    await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    const hosts: { id: string; ip: string }[] = [];
    for (let i = 0; i < 10; i++) hosts.push(await registerGql(t.tokens.admin, 'MEPM'));
    // 10 registrations and 520 updates, ten hosts at a time.
    await Promise.all(
      hosts.map(async (h) => {
        for (let i = 0; i < 52; i++) {
          const r = await t.gql(UpdateHost, { id: h.id, input: { city: `city${i}` } }, t.tokens.admin);
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        }
      }),
    );
    await settle();
    const first = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    assert.deepEqual(hostIps(first), hosts.map((h) => h.ip), 'every host changed within the first 500 events');
    assert.ok((first.json as HostRecs).mecHostUpdatedRecs!.every((h) => h.city === 'city51'), 'records as they are now, not as of the window');
    const second = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    assert.ok(BigInt(second.headers.get('x-sync-cursor')!) > BigInt(first.headers.get('x-sync-cursor')!));
    const rest = hostIps(second);
    assert.ok(rest.length > 0 && rest.every((ip) => hosts.some((h) => h.ip === ip)), 'the hosts of the last 30 events');
    assert.deepEqual((await shim(t, '/v1/hosts/sync_updated', { token: admin.token })).json, { mecHostUpdatedRecs: null });
  });

  it('an answer the caller never received is sent again; one it received is not', async () => {
    const admin = await newAdmin();
    await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    const h = await registerGql(t.tokens.tenantA, 'MEPM');
    await settle();

    const lost = await loseAnswer(t.url, admin, 'hosts.updated', '/v1/hosts/sync_updated');
    assert.equal(lost.sent_complete, false, 'the answer never left this server whole');

    assert.deepEqual(hostIps(await shim(t, '/v1/hosts/sync_updated', { token: admin.token })), [h.ip], 'sent again');
    assert.deepEqual((await shim(t, '/v1/hosts/sync_updated', { token: admin.token })).json, { mecHostUpdatedRecs: null }, 'then confirmed by the next call');
  });

  it('a caller with a cursor confirms exactly what it holds: the same cursor answers the same changes again', async () => {
    const admin = await newAdmin();
    const start = await shim(t, '/v1/hosts/sync_updated', { token: admin.token });
    const c0 = start.headers.get('x-sync-cursor')!;
    assert.match(c0, /^\d+$/);
    const h = await registerGql(t.tokens.tenantA, 'MEPM');
    await settle();
    const first = await shim(t, `/v1/hosts/sync_updated?cursor=${c0}`, { token: admin.token });
    assert.deepEqual(hostIps(first), [h.ip]);
    const c1 = first.headers.get('x-sync-cursor')!;
    assert.ok(BigInt(c1) > BigInt(c0));
    assert.deepEqual(hostIps(await shim(t, `/v1/hosts/sync_updated?cursor=${c0}`, { token: admin.token })), [h.ip], 'asked again from c0: sent again');
    assert.deepEqual((await shim(t, `/v1/hosts/sync_updated?cursor=${c1}`, { token: admin.token })).json, { mecHostUpdatedRecs: null });
    assert.deepEqual((await shim(t, '/v1/hosts/sync_updated', { token: admin.token })).json, { mecHostUpdatedRecs: null }, 'without a cursor it goes on from the last one');
  });

  it('nothing is lost or repeated across a controller restart: positions are in the database', async () => {
    const admin = await newAdmin();
    const env = { ...pluginEnv(sim.address), APPLCM_WORKER_ENABLED: 'false' };
    const before = await startReplica(t, env);
    let after: Awaited<ReturnType<typeof startReplica>> | undefined;
    try {
      const call = (url: string) => fetch(`${url}/lcmcontroller/v1/hosts/sync_updated`, { headers: { access_token: admin.token } }).then(async (r) => ({ status: r.status, json: (await r.json()) as HostRecs }));
      await call(before.url);
      const received = await registerGql(t.tokens.tenantA, 'MEPM');
      await settle();
      assert.deepEqual((await call(before.url)).json.mecHostUpdatedRecs?.map((x) => x.mechostIp), [received.ip]);
      const inFlight = await registerGql(t.tokens.tenantA, 'MEPM');
      await settle();
      assert.equal((await loseAnswer(before.url, admin, 'hosts.updated', '/v1/hosts/sync_updated')).sent_complete, false);
      await before.close();

      const whileDown = await registerGql(t.tokens.tenantA, 'MEPM');
      await settle();
      after = await startReplica(t, env);
      const resumed = await call(after.url);
      assert.equal(resumed.status, 200);
      assert.deepEqual(resumed.json.mecHostUpdatedRecs?.map((x) => x.mechostIp), [inFlight.ip, whileDown.ip], 'the lost answer again, then what changed while down; not what was received');
      assert.equal((await call(after.url)).json.mecHostUpdatedRecs, null);
    } finally {
      await before.close();
      await after?.close();
    }
  });
});
