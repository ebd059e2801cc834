import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { HostsQuery, HostsQueryVariables, RegisterHostInput } from '../__generated__/graphql.js';
import { DeleteHost, Host, Hosts, RegisterHost, UpdateHost, Viewer } from '../operations/hosts.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let ipSeq = 1;
const nextIp = () => `10.20.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
const hostInput = (over: Partial<RegisterHostInput> = {}): RegisterHostInput => ({ ip: nextIp(), name: `edge-${ipSeq}`, city: 'Xian', ...over });
const rowCount = async (table = 'mec_host') => Number((await sql<{ n: string }>(t.db.url, `select count(*) as n from ${table}`))[0]!.n);

before(async () => {
  t = await startTestServer('hosts', { APPLCM_MAX_HOSTS_PER_TENANT: '5' });
});
after(() => t.close());

describe('viewer', () => {
  it('reports the role and tenant from the token', async () => {
    const r = await t.gql(Viewer, {}, t.tokens.tenantA);
    assert.deepEqual(r.data?.viewer, { userId: t.tenants.A, userName: 'tenant-user', tenantId: t.tenants.A, role: 'TENANT' });
    const g = await t.gql(Viewer, {}, t.tokens.guestA);
    assert.equal(g.data?.viewer.role, 'GUEST');
  });
});

describe('host CRUD across tenants', () => {
  it('registers, reads, updates and deletes a tenant host', async () => {
    const input = hostInput({ zipCode: '710000', address: 'No. 1 Road', affinity: 'GPU,x86', coordinates: '34.26,108.94', origin: 'meo', vim: 'K8S', hwCapabilities: [{ hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' }] });
    const created = await t.gql(RegisterHost, { input }, t.tokens.tenantA);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const host = created.data!.registerHost;
    assert.equal(host.tenantId, t.tenants.A);
    assert.equal(host.ip, input.ip);
    assert.equal(host.vim, 'k8s', 'vim is normalised to lower case');
    assert.equal(host.origin, 'MEO');
    assert.equal(host.configStatus, 'NOT_UPLOADED');
    assert.deepEqual(host.hwCapabilities, [{ hwType: 'GPU', hwVendor: 'NVIDIA', hwModel: 'T4' }]);
    assert.equal(host.rowVersion, 1);

    const read = await t.gql(Host, { id: host.id }, t.tokens.tenantA);
    assert.equal(read.data?.host.name, input.name);

    const updated = await t.gql(UpdateHost, { id: host.id, input: { city: 'Shenzhen', name: 'edge-renamed' }, expectedVersion: 1 }, t.tokens.tenantA);
    assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
    assert.equal(updated.data!.updateHost.city, 'Shenzhen');
    assert.equal(updated.data!.updateHost.rowVersion, 2);
    assert.equal(updated.data!.updateHost.ip, input.ip, 'fields not given keep their value');

    const stale = await t.gql(UpdateHost, { id: host.id, input: { city: 'Beijing' }, expectedVersion: 1 }, t.tokens.tenantA);
    assert.equal(stale.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal((await t.gql(Host, { id: host.id }, t.tokens.tenantA)).data?.host.city, 'Shenzhen', 'a stale update changes nothing');

    const deleted = await t.gql(DeleteHost, { id: host.id }, t.tokens.tenantA);
    assert.equal(deleted.data?.deleteHost.id, host.id);
    const gone = await t.gql(Host, { id: host.id }, t.tokens.tenantA);
    assert.equal(gone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const events = await sql<{ topic: string }>(t.db.url, `select topic from event where subject_id = $1 order by seq`, [host.id]);
    assert.deepEqual(events.map((e) => e.topic), ['host.created', 'host.updated', 'host.deleted']);
  });

  it('isolates tenants: B neither sees nor changes A’s host, and learns nothing of its existence', async () => {
    const a = (await t.gql(RegisterHost, { input: hostInput() }, t.tokens.tenantA)).data!.registerHost;
    const listB = await t.gql(Hosts, { first: 100 }, t.tokens.tenantB);
    assert.ok(!listB.data!.hosts.edges.some((e) => e.node.id === a.id));
    for (const r of [
      await t.gql(Host, { id: a.id }, t.tokens.tenantB),
      await t.gql(UpdateHost, { id: a.id, input: { city: 'Evil' } }, t.tokens.tenantB),
      await t.gql(DeleteHost, { id: a.id }, t.tokens.tenantB),
    ]) {
      assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
    const stillThere = await t.gql(Host, { id: a.id }, t.tokens.tenantA);
    assert.equal(stillThere.data?.host.city, 'Xian');
    // A tenant cannot register a host on behalf of another tenant.
    const forB = await t.gql(RegisterHost, { input: hostInput({ tenantId: t.tenants.B }) }, t.tokens.tenantA);
    assert.equal(forB.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('the same ip may be registered by two tenants, but only once per tenant', async () => {
    const ip = nextIp();
    const a = await t.gql(RegisterHost, { input: hostInput({ ip }) }, t.tokens.tenantA);
    const b = await t.gql(RegisterHost, { input: hostInput({ ip }) }, t.tokens.tenantB);
    assert.equal(a.errors, undefined);
    assert.equal(b.errors, undefined);
    const before = await rowCount();
    const again = await t.gql(RegisterHost, { input: hostInput({ ip }) }, t.tokens.tenantA);
    assert.equal(again.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(again.errors?.[0]?.extensions?.field, 'ip');
    assert.equal(await rowCount(), before);
  });

  it('admins see every host, register shared hosts that tenants can read but not change', async () => {
    const shared = (await t.gql(RegisterHost, { input: hostInput({ name: 'shared-edge' }) }, t.tokens.admin)).data!.registerHost;
    assert.equal(shared.tenantId, null);
    const forB = (await t.gql(RegisterHost, { input: hostInput({ tenantId: t.tenants.B }) }, t.tokens.admin)).data!.registerHost;
    assert.equal(forB.tenantId, t.tenants.B);

    const seenByA = await t.gql(Host, { id: shared.id }, t.tokens.tenantA);
    assert.equal(seenByA.data?.host.name, 'shared-edge');
    const changeByA = await t.gql(UpdateHost, { id: shared.id, input: { city: 'Nope' } }, t.tokens.tenantA);
    assert.equal(changeByA.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const deleteByA = await t.gql(DeleteHost, { id: shared.id }, t.tokens.tenantA);
    assert.equal(deleteByA.errors?.[0]?.extensions?.code, 'FORBIDDEN');

    // 100 full hosts stay well under the default cost limit (a page costs its size times its fields).
    const all = await t.gql(Hosts, { first: 100 }, t.tokens.admin);
    assert.equal(all.errors, undefined, JSON.stringify(all.errors));
    const ids = all.data!.hosts.edges.map((e) => e.node.id);
    assert.ok(ids.includes(shared.id) && ids.includes(forB.id));
    const onlyB = await t.gql(Hosts, { first: 100, filter: { tenantId: t.tenants.B } }, t.tokens.admin);
    assert.ok(onlyB.data!.hosts.totalCount >= 1);
    assert.ok(onlyB.data!.hosts.edges.every((e) => e.node.tenantId === t.tenants.B));
  });

  it('guests read their tenant’s hosts and cannot write', async () => {
    const a = (await t.gql(RegisterHost, { input: hostInput() }, t.tokens.tenantA)).data!.registerHost;
    assert.equal((await t.gql(Host, { id: a.id }, t.tokens.guestA)).data?.host.id, a.id);
    const before = await rowCount();
    for (const r of [
      await t.gql(RegisterHost, { input: hostInput() }, t.tokens.guestA),
      await t.gql(UpdateHost, { id: a.id, input: { city: 'X' } }, t.tokens.guestA),
      await t.gql(DeleteHost, { id: a.id }, t.tokens.guestA),
    ]) {
      assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    }
    assert.equal(await rowCount(), before);
    assert.equal((await t.gql(Host, { id: a.id }, t.tokens.tenantA)).data?.host.city, 'Xian');
  });

  it('refuses to delete a host that still has app instances (CONFLICT), and deletes it once they are gone', async () => {
    const h = (await t.gql(RegisterHost, { input: hostInput() }, t.tokens.tenantA)).data!.registerHost;
    const pkg = `pkg${randomUUID().replaceAll('-', '')}`;
    await sql(t.db.url, `insert into app_package (id, app_id, tenant_id) values ($1, 'app1', $2)`, [pkg, t.tenants.A]);
    const inst = randomUUID();
    await sql(t.db.url, `insert into app_instance (id, tenant_id, package_id, host_id, name) values ($1, $2, $3, $4, 'app')`, [inst, t.tenants.A, pkg, h.id]);
    const refused = await t.gql(DeleteHost, { id: h.id }, t.tokens.tenantA);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.match(refused.errors[0].message, /app instance/);
    assert.equal((await t.gql(Host, { id: h.id }, t.tokens.tenantA)).data?.host.id, h.id);
    await sql(t.db.url, `delete from app_instance where id = $1`, [inst]);
    assert.equal((await t.gql(DeleteHost, { id: h.id }, t.tokens.tenantA)).data?.deleteHost.id, h.id);
  });
});

describe('host validation (the original rules)', () => {
  const bad: [string, Partial<RegisterHostInput>, string][] = [
    ['ip out of range', { ip: '256.1.1.1' }, 'ip'],
    ['ip with three parts', { ip: '1.2.3' }, 'ip'],
    ['ip with a leading zero', { ip: '01.2.3.4' }, 'ip'],
    ['ip in hex', { ip: '0x7f.0.0.1' }, 'ip'],
    ['ip short form', { ip: '127.1' }, 'ip'],
    ['ip with trailing space', { ip: '1.2.3.4 ' }, 'ip'],
    ['ip with a newline', { ip: '1.2.3.4\n' }, 'ip'],
    ['ipv6 loopback', { ip: '::1' }, 'ip'],
    ['hostname', { ip: 'localhost' }, 'ip'],
    ['link-local metadata address', { ip: '169.254.169.254' }, 'ip'],
    ['empty ip', { ip: '' }, 'ip'],
    ['4 KB ip', { ip: '1'.repeat(4096) }, 'ip'],
    ['empty name', { name: '' }, 'name'],
    ['name starting with -', { name: '-edge' }, 'name'],
    ['name ending with _', { name: 'edge_' }, 'name'],
    ['name with a space', { name: 'edge one' }, 'name'],
    ['name with a slash', { name: 'a/b' }, 'name'],
    ['name with SQL', { name: "x'; DROP TABLE mec_host;--" }, 'name'],
    ['name with a right-to-left override', { name: 'edge\u202Eevil' }, 'name'],
    ['name of 129 bytes', { name: 'a'.repeat(129) }, 'name'],
    ['name of 43 three-byte characters (129 bytes)', { name: '边'.repeat(43) }, 'name'],
    ['zipCode with punctuation', { zipCode: '710-000!' }, 'zipCode'],
    ['city with a newline', { city: 'Xi\nan' }, 'city'],
    ['city ending with /', { city: 'Xian/' }, 'city'],
    ['address over 256 bytes', { address: 'a'.repeat(257) }, 'address'],
    ['address with a CR LF', { address: 'x\r\nX-Injected: 1' }, 'address'],
    ['affinity with a space', { affinity: 'GPU x86' }, 'affinity'],
    ['coordinates over 128 bytes', { coordinates: '1'.repeat(129) }, 'coordinates'],
    ['vim with a dot', { vim: 'k8s.io' }, 'vim'],
    ['empty vim', { vim: '' }, 'vim'],
    ['origin with a space', { origin: 'ME O' }, 'origin'],
    ['capability without a type', { hwCapabilities: [{ hwType: '', hwVendor: 'x', hwModel: 'y' }] }, 'hwCapabilities[0].hwType'],
    ['capability listed twice', { hwCapabilities: [{ hwType: 'GPU', hwVendor: 'a', hwModel: 'b' }, { hwType: 'GPU', hwVendor: 'c', hwModel: 'd' }] }, 'hwCapabilities[1].hwType'],
    ['33 capabilities', { hwCapabilities: Array.from({ length: 33 }, (_, i) => ({ hwType: `T${i}`, hwVendor: 'v', hwModel: 'm' })) }, 'hwCapabilities'],
  ];
  for (const [label, over, field] of bad) {
    it(`rejects ${label} with BAD_USER_INPUT naming ${field}, writing nothing`, async () => {
      const before = await rowCount();
      const eventsBefore = await rowCount('event');
      const r = await t.gql(RegisterHost, { input: hostInput(over) }, t.tokens.tenantA);
      assert.equal(r.data, null);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r.errors));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
      assert.equal(await rowCount(), before);
      assert.equal(await rowCount('event'), eventsBefore);
    });
  }

  it('accepts the original’s Unicode names, cities and affinities', async () => {
    const r = await t.gql(RegisterHost, { input: hostInput({ name: '边缘节点-1', city: '西安/高新 区', affinity: 'GPU,x86_64', zipCode: '' }) }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data?.registerHost.city, '西安/高新 区');
  });

  it('validates updates the same way and leaves the row unchanged', async () => {
    const h = (await t.gql(RegisterHost, { input: hostInput() }, t.tokens.tenantA)).data!.registerHost;
    const r = await t.gql(UpdateHost, { id: h.id, input: { ip: '999.1.1.1' } }, t.tokens.tenantA);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'ip');
    const after = (await t.gql(Host, { id: h.id }, t.tokens.tenantA)).data!.host;
    assert.equal(after.ip, h.ip);
    assert.equal(after.rowVersion, 1);
  });

  it('answers NOT_FOUND (not an error about ids) for a malformed id', async () => {
    const r = await t.gql(Host, { id: "1' OR '1'='1" }, t.tokens.admin);
    assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});

describe('quota, idempotency and paging', () => {
  it('enforces the per-tenant host quota with QUOTA_EXCEEDED, even under concurrency', async () => {
    const tenant = randomUUID();
    const { tokenFor } = await import('../helpers/test-keys.js');
    const token = await tokenFor(t.keys, 'tenant', tenant);
    const results = await Promise.all(Array.from({ length: 9 }, () => t.gql(RegisterHost, { input: hostInput() }, token)));
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'QUOTA_EXCEEDED');
    assert.equal(ok.length, 5);
    assert.equal(refused.length, 4);
    const rows = await sql<{ n: string }>(t.db.url, 'select count(*) as n from mec_host where tenant_id = $1', [tenant]);
    assert.equal(Number(rows[0]!.n), 5);
  });

  it('replays a registration sent twice with one idempotency key, and refuses the key for another request', async () => {
    const input = hostInput();
    const key = `reg-${randomUUID()}`;
    const [a, b] = await Promise.all([t.gql(RegisterHost, { input, key }, t.tokens.tenantB), t.gql(RegisterHost, { input, key }, t.tokens.tenantB)]);
    assert.equal(a.errors, undefined, JSON.stringify(a.errors));
    assert.equal(b.errors, undefined, JSON.stringify(b.errors));
    assert.equal(a.data!.registerHost.id, b.data!.registerHost.id);
    const c = await t.gql(RegisterHost, { input, key }, t.tokens.tenantB);
    assert.equal(c.data!.registerHost.id, a.data!.registerHost.id);
    const rows = await sql(t.db.url, 'select id from mec_host where ip = $1 and tenant_id = $2', [input.ip, t.tenants.B]);
    assert.equal(rows.length, 1);
    const other = await t.gql(RegisterHost, { input: hostInput(), key }, t.tokens.tenantB);
    assert.equal(other.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(other.errors?.[0]?.extensions?.field, 'idempotencyKey');
    const badKey = await t.gql(RegisterHost, { input: hostInput(), key: 'spaces are not allowed' }, t.tokens.tenantB);
    assert.equal(badKey.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('pages through hosts with cursors and filters', async () => {
    const tenant = randomUUID();
    const { tokenFor } = await import('../helpers/test-keys.js');
    const token = await tokenFor(t.keys, 'tenant', tenant);
    const names = ['p-alpha', 'p-beta', 'p-gamma', 'p-delta', 'p-epsilon'];
    for (const name of names) await t.gql(RegisterHost, { input: hostInput({ name, city: name === 'p-beta' ? 'Paris' : 'Xian', vim: name === 'p-delta' ? 'openstack' : undefined }) }, token);
    const seen: string[] = [];
    let after: string | null | undefined = undefined;
    for (let page = 0; page < 5; page++) {
      const r: Awaited<ReturnType<typeof t.gql<HostsQuery, HostsQueryVariables>>> = await t.gql(Hosts, { first: 2, after, filter: { nameContains: 'p-' } }, token);
      assert.equal(r.data!.hosts.totalCount, 5);
      seen.push(...r.data!.hosts.edges.map((e) => e.node.name));
      if (!r.data!.hosts.pageInfo.hasNextPage) break;
      after = r.data!.hosts.pageInfo.endCursor;
    }
    assert.deepEqual(seen, names);
    assert.deepEqual((await t.gql(Hosts, { filter: { city: 'Paris' } }, token)).data!.hosts.edges.map((e) => e.node.name), ['p-beta']);
    assert.deepEqual((await t.gql(Hosts, { filter: { vim: 'OpenStack' } }, token)).data!.hosts.edges.map((e) => e.node.name), ['p-delta']);
    assert.equal((await t.gql(Hosts, { filter: { nameContains: '%' } }, token)).data!.hosts.totalCount, 0, 'LIKE wildcards are literal');
    // A cheap selection, so the page-size rule (not the cost limit) is what answers.
    const tooMany = await t.gql('{ hosts(first: 501) { totalCount } }', undefined, token);
    assert.equal(tooMany.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const badCursor = await t.gql(Hosts, { after: 'not-a-cursor' }, token);
    assert.equal(badCursor.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(badCursor.errors?.[0]?.extensions?.field, 'after');
  });
});
