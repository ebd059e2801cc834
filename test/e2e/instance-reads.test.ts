import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { status as grpcStatus } from '@grpc/grpc-js';
import { PluginClient } from '../../src/plugins/plugin-client.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { countQueries, insertInstances, insertOperations, onboardPackage, registerHost } from '../helpers/instance-rows.js';
import { sql } from '../helpers/test-db.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { UploadHostConfig } from '../operations/plugins.js';
import { AppInstance, AppInstanceLive, AppInstanceNested, AppInstancePage, AppInstances, AppInstancesLive, AppInstanceStatus, HostKpi } from '../operations/instances.js';

let t: TestServer;
let sim: SimPlugin;
let client: PluginClient;
/** Instance timestamps: one second apart from a fixed start, in insertion order. */
let clock = Date.parse('2026-01-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000));

const hosts: Record<string, { id: string; ip: string; name: string }> = {};
let pkgA: string;
let pkgA2: string;
let pkgB: string;

const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n';

/** A loopback port nothing listens on: a plugin that is down. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** An instance row in the controller and, when `deploy`, the same instance on the simulator. */
async function instance(name: string, host: { id: string; ip: string }, o: { tenant?: 'A' | 'B'; packageId?: string; deploy?: boolean; operationalState?: 'STARTED' | 'STOPPED' } = {}): Promise<string> {
  const tenant = o.tenant ?? 'A';
  const [id] = await insertInstances(t.db.url, [{ tenantId: t.tenants[tenant], packageId: o.packageId ?? pkgA, hostId: host.id, name, operationalState: o.operationalState, createdAt: tick() }]);
  if (o.deploy) {
    const target = { accessToken: t.tokens.tenantA, tenantId: t.tenants[tenant], hostIp: host.ip };
    await client.uploadPackage(target, o.packageId ?? pkgA, [Buffer.from('package bytes')]);
    await client.instantiate(target, { appInstanceId: id!, appPackageId: o.packageId ?? pkgA, parameters: {}, akSkLcmGen: false });
  }
  return id!;
}

before(async () => {
  sim = await SimPlugin.start({ vimTypes: ['k8s'] });
  client = new PluginClient({ vim: 'k8s', address: sim.address });
  t = await startTestServer('instance-reads', {
    ...pluginEnv(sim.address),
    OPENSTACK_PLUGIN: '127.0.0.1',
    OPENSTACK_PLUGIN_PORT: String(await deadPort()),
    APPLCM_PLUGIN_DEADLINE_HEALTH_MS: '1000',
    APPLCM_PLUGIN_DEADLINE_QUERY_MS: '1500',
    // Rows are written by the test, not by the engine.
    APPLCM_WORKER_ENABLED: 'false',
  });
  [pkgA, pkgA2, pkgB] = await Promise.all([onboardPackage(t, 'reads-pkg-a', 'A'), onboardPackage(t, 'reads-pkg-a2', 'A', 'etherpad-k8splugin.csar'), onboardPackage(t, 'reads-pkg-b', 'B')]);
  for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) hosts[n] = await registerHost(t, t.tokens.tenantA, `edge-${n}`);
  hosts.b1 = await registerHost(t, t.tokens.tenantB, 'edge-b1');
  hosts.down = await registerHost(t, t.tokens.tenantA, 'edge-down', 'openstack');
  for (const n of ['a1', 'b1']) {
    const token = n === 'b1' ? t.tokens.tenantB : t.tokens.tenantA;
    const r = await t.gql(UploadHostConfig, { hostId: hosts[n]!.id, content: kubeconfig }, token);
    assert.equal(r.data?.uploadHostConfig.configStatus, 'UPLOADED', JSON.stringify(r.errors));
  }
});
after(async () => {
  client?.close();
  await t?.close();
  await sim?.stop();
});

describe('appInstances: paging, filters, tenant isolation', () => {
  const listed: string[] = [];
  before(async () => {
    // Tenant A: 45 instances over hosts a2..a4 and two packages, some stopped, some not instantiated.
    const rows = Array.from({ length: 45 }, (_, i) => ({
      tenantId: t.tenants.A,
      packageId: i % 3 === 0 ? pkgA2 : pkgA,
      hostId: hosts[['a2', 'a3', 'a4'][i % 3]!]!.id,
      name: i === 7 ? 'odd_name%7' : `app-${String(i).padStart(2, '0')}`,
      instantiationState: i % 5 === 4 ? ('NOT_INSTANTIATED' as const) : ('INSTANTIATED' as const),
      operationalState: i % 5 === 4 ? null : i % 2 === 0 ? ('STARTED' as const) : ('STOPPED' as const),
      parameters: { replicas: String(i) },
      createdAt: tick(),
    }));
    listed.push(...(await insertInstances(t.db.url, rows)));
    await insertInstances(t.db.url, [{ tenantId: t.tenants.B, packageId: pkgB, hostId: hosts.b1!.id, name: 'app-b', createdAt: tick() }]);
  });

  it('pages through a tenant’s instances oldest first with stable cursors, each exactly once', async () => {
    const listPage = (after: string | null) => t.gql(AppInstances, { first: 20, after, filter: { hostId: null, nameContains: 'app-' } }, t.tokens.tenantA);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const r: Awaited<ReturnType<typeof listPage>> = await listPage(after);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const c = r.data!.appInstances;
      assert.equal(c.totalCount, 44, 'one of the 45 is named odd_name%7');
      seen.push(...c.edges.map((e) => e.node.id));
      assert.equal(c.pageInfo.endCursor, c.edges.at(-1)?.cursor ?? null);
      if (!c.pageInfo.hasNextPage) {
        assert.equal(pages, 3);
        break;
      }
      after = c.pageInfo.endCursor;
    }
    assert.deepEqual(seen, listed.filter((_, i) => i !== 7));
    const first = await t.gql(AppInstances, { first: 1 }, t.tokens.tenantA);
    const node = first.data!.appInstances.edges[0]!.node;
    assert.deepEqual(
      { id: node.id, tenantId: node.tenantId, name: node.name, instantiationState: node.instantiationState, operationalState: node.operationalState, parameters: node.parameters, origin: node.origin, rowVersion: node.rowVersion },
      { id: listed[0], tenantId: t.tenants.A, name: 'app-00', instantiationState: 'INSTANTIATED', operationalState: 'STARTED', parameters: { replicas: '0' }, origin: 'MEO', rowVersion: 1 },
    );
  });

  it('filters by host, package, states and name (with LIKE characters taken literally)', async () => {
    const ids = async (filter: Record<string, unknown>, token = t.tokens.tenantA) => {
      const r = await t.gql(AppInstances, { first: 100, filter }, token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.appInstances.edges.map((e) => e.node.id);
    };
    assert.deepEqual(await ids({ hostId: hosts.a3!.id }), listed.filter((_, i) => i % 3 === 1));
    assert.deepEqual(await ids({ packageId: pkgA2 }), listed.filter((_, i) => i % 3 === 0));
    assert.deepEqual(await ids({ instantiationState: 'NOT_INSTANTIATED' }), listed.filter((_, i) => i % 5 === 4));
    assert.deepEqual(await ids({ operationalState: 'STOPPED' }), listed.filter((_, i) => i % 5 !== 4 && i % 2 === 1));
    assert.deepEqual(await ids({ hostId: hosts.a2!.id, operationalState: 'STARTED', packageId: pkgA2 }), listed.filter((_, i) => i % 3 === 0 && i % 5 !== 4 && i % 2 === 0));
    assert.deepEqual(await ids({ nameContains: 'NAME%' }), [listed[7]]);
    assert.deepEqual(await ids({ nameContains: '_' }), [listed[7]], 'an underscore is not a wildcard');
    assert.deepEqual(await ids({ hostId: hosts.a5!.id }), []);
    const bad = await t.gql(AppInstances, { filter: { hostId: 'not-a-uuid' } }, t.tokens.tenantA);
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors[0].extensions.field, 'filter.hostId');
    const tooMany = await t.gql('{ appInstances(first: 501) { pageInfo { hasNextPage } } }', {}, t.tokens.tenantA);
    assert.equal(tooMany.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const badCursor = await t.gql(AppInstances, { after: 'nonsense' }, t.tokens.tenantA);
    assert.equal(badCursor.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('B sees none of A’s instances: lists leave them out, appInstance answers NOT_FOUND (never FORBIDDEN)', async () => {
    const r = await t.gql(AppInstances, { first: 100 }, t.tokens.tenantB);
    assert.deepEqual(r.data!.appInstances.edges.map((e) => e.node.name), ['app-b']);
    assert.equal(r.data!.appInstances.totalCount, 1);
    const narrowed = await t.gql(AppInstances, { first: 100, filter: { tenantId: t.tenants.A } }, t.tokens.tenantB);
    assert.deepEqual(narrowed.data!.appInstances.edges, [], 'a tenant filter cannot widen a tenant’s view');
    const one = await t.gql(AppInstance, { id: listed[0]! }, t.tokens.tenantB);
    assert.equal(one.data, null);
    assert.equal(one.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const absent = await t.gql(AppInstance, { id: randomUUID() }, t.tokens.tenantB);
    assert.equal(absent.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(one.errors[0].message.replace(listed[0]!, 'X'), absent.errors[0].message.replace(/"[^"]+"/, '"X"'), 'the same answer as for an id that does not exist');
    const malformed = await t.gql(AppInstance, { id: 'x' }, t.tokens.tenantA);
    assert.equal(malformed.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('a guest reads its tenant’s instances; an admin reads all and narrows by tenant', async () => {
    const guest = await t.gql(AppInstance, { id: listed[3]! }, t.tokens.guestA);
    assert.equal(guest.errors, undefined, JSON.stringify(guest.errors));
    assert.equal(guest.data!.appInstance.name, 'app-03');
    assert.equal(guest.data!.appInstance.package.id, pkgA2);
    assert.equal(guest.data!.appInstance.host.id, hosts.a2!.id);
    const all = await t.gql(AppInstances, { first: 100 }, t.tokens.admin);
    const names = all.data!.appInstances.edges.map((e) => e.node.name);
    assert.ok(names.includes('app-b') && names.includes('app-00'));
    const onlyB = await t.gql(AppInstances, { first: 100, filter: { tenantId: t.tenants.B } }, t.tokens.admin);
    assert.deepEqual(onlyB.data!.appInstances.edges.map((e) => e.node.name), ['app-b']);
  });

  it('package and host resolve with the instance, names and all', async () => {
    const r = await t.gql(AppInstancePage, { first: 3 }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const nodes = r.data!.appInstances.edges.map((e) => e.node);
    assert.deepEqual(nodes.map((n) => [n.package.id, n.host.name, n.host.ip]), [
      [pkgA2, 'edge-a2', hosts.a2!.ip],
      [pkgA, 'edge-a3', hosts.a3!.ip],
      [pkgA, 'edge-a4', hosts.a4!.ip],
    ]);
    const names = new Map((await sql<{ id: string; name: string; package_version: string }>(t.db.url, 'select id, name, package_version from app_package')).map((p) => [p.id, p]));
    for (const n of nodes) {
      assert.ok(n.package.name.length > 0);
      assert.deepEqual([n.package.name, n.package.packageVersion], [names.get(n.package.id)!.name, names.get(n.package.id)!.package_version]);
    }
  });
});

describe('nested reads are batched', () => {
  let instances: string[];
  before(async () => {
    // A tenant with exactly 50 instances spread over 5 hosts and 2 packages (tenant B's second set lives apart).
    const rows = Array.from({ length: 50 }, (_, i) => ({ tenantId: t.tenants.B, packageId: pkgB, hostId: hosts.b1!.id, name: `batch-${i}`, createdAt: tick() }));
    instances = await insertInstances(t.db.url, rows);
    // Every instance has a history of three operations; every fifth one is held by a running operation.
    const ops = instances.flatMap((id, i) => [
      { tenantId: t.tenants.B, type: 'INSTANTIATE', state: 'COMPLETED', instanceId: id, createdAt: tick() },
      { tenantId: t.tenants.B, type: 'OPERATE', state: 'FAILED', instanceId: id, createdAt: tick() },
      { tenantId: t.tenants.B, type: i % 5 === 0 ? 'TERMINATE' : 'OPERATE', state: i % 5 === 0 ? 'PROCESSING' : 'COMPLETED', instanceId: id, createdAt: tick() },
    ]);
    await insertOperations(t.db.url, ops);
  });

  it('a page of 50 instances with package, host, active operation and history takes as many queries as a page of 5', async () => {
    // Statements of this request only: the server's background work (the event feed) shares the connection.
    const run = async (first: number) => {
      const r = await countQueries(t, () => t.gql(AppInstanceNested, { first, history: 2 }, t.tokens.tenantB));
      return { ...r, queries: r.queries.filter((q) => /\b(app_instance|app_package|mec_host|lcm_operation)\b/.test(q)) };
    };
    const small = await run(5);
    const large = await run(50);
    assert.equal(large.result.errors, undefined, JSON.stringify(large.result.errors));
    const edges = large.result.data!.appInstances.edges;
    assert.equal(edges.length, 50);
    assert.equal(large.queries.length, small.queries.length, `page of 50: ${large.queries.join('\n')}`);
    // The page with its packages and hosts joined, the active operations, the histories: one query each.
    assert.equal(large.queries.length, 3, large.queries.join('\n'));

    assert.ok(edges.every((e) => e.node.package.id === pkgB && e.node.package.name.length > 0 && e.node.host.id === hosts.b1!.id && e.node.host.name === 'edge-b1'));
    // The page holds B's first instance (no operations) and 49 of the batch.
    assert.deepEqual([edges[0]!.node.operations, edges[0]!.node.activeOperation], [[], null]);
    for (const { node: n } of edges.slice(1)) {
      const i = instances.indexOf(n.id);
      assert.ok(i >= 0);
      assert.equal(n.operations.length, 2, 'history is limited by first');
      assert.deepEqual(n.operations.map((o) => o.type), [i % 5 === 0 ? 'TERMINATE' : 'OPERATE', 'OPERATE'], 'newest first');
      assert.ok(n.operations[0]!.createdAt > n.operations[1]!.createdAt);
      if (i % 5 === 0) assert.deepEqual([n.activeOperation?.type, n.activeOperation?.state], ['TERMINATE', 'PROCESSING']);
      else assert.equal(n.activeOperation, null);
    }
  });

  it('packages and hosts selected through fragments are read with the page: one statement for 50 instances', async () => {
    const doc = 'query { appInstances(first: 50) { edges { node { ...N } } } } fragment N on AppInstance { id package { id name } ... on AppInstance { host { id ip } } }';
    const r = await countQueries(t, () => t.gql<{ appInstances: { edges: { node: { id: string; package: { id: string; name: string }; host: { id: string; ip: string } } }[] } }, Record<string, never>>(doc, {}, t.tokens.tenantB));
    assert.equal(r.result.errors, undefined, JSON.stringify(r.result.errors));
    const nodes = r.result.data!.appInstances.edges.map((e) => e.node);
    assert.equal(nodes.length, 50);
    assert.ok(nodes.every((n) => n.package.id === pkgB && n.package.name.length > 0 && n.host.ip === hosts.b1!.ip));
    const reads = r.queries.filter((q) => /\b(app_instance|app_package|mec_host|lcm_operation)\b/.test(q));
    assert.equal(reads.length, 1, reads.join('\n'));
    assert.match(reads[0]!, /from app_instance i/);
    assert.match(reads[0]!, /from app_package where id in \(select package_id from page\)/);
    assert.match(reads[0]!, /from mec_host where id in \(select host_id from page\)/);
  });

  it('packages and hosts of a page answer as the same rows read one by one, plain columns or ORM entities', async () => {
    // Only eager columns (and what derives from them): the page reads plain rows. With `distributions` (a relation)
    // or `appd` (a lazy document) it reads ORM entities. Both answer what appInstance(id) answers.
    const pkgPlain = 'id appId name sizeBytes receivedBytes createdAt updatedAt rowVersion onboardingState integrity { verified mismatched absent }';
    const hostPlain = 'id ip name tenantId vim configStatus createdAt rowVersion pluginStatus hwCapabilities { hwType hwVendor hwModel }';
    const plain = `package { ${pkgPlain} } host { ${hostPlain} }`;
    const rich = `package { ${pkgPlain} distributions { host { id } state } appd { name version } } host { ${hostPlain} }`;
    for (const fields of [plain, rich]) {
      const page = await t.gql<{ appInstances: { edges: { node: { id: string } & Record<string, unknown> }[] } }, Record<string, never>>(`query { appInstances(first: 3) { edges { node { id ${fields} } } } }`, {}, t.tokens.tenantB);
      assert.equal(page.errors, undefined, JSON.stringify(page.errors));
      const nodes = page.data!.appInstances.edges.map((e) => e.node);
      assert.equal(nodes.length, 3);
      for (const node of nodes) {
        const one = await t.gql<{ appInstance: Record<string, unknown> }, { id: string }>(`query($id: ID!) { appInstance(id: $id) { id ${fields} } }`, { id: node.id }, t.tokens.tenantB);
        assert.equal(one.errors, undefined, JSON.stringify(one.errors));
        assert.deepEqual(node, one.data!.appInstance);
      }
    }
  });

  it('a page without totalCount does not count; one with it counts once', async () => {
    const without = await countQueries(t, () => t.gql(AppInstancePage, { first: 10 }, t.tokens.tenantB));
    const withCount = await countQueries(t, () => t.gql(AppInstances, { first: 10 }, t.tokens.tenantB));
    const counts = (qs: string[]) => qs.filter((q) => /count\(/i.test(q) && /\bapp_instance\b/.test(q)).length;
    assert.equal(counts(without.queries), 0);
    assert.equal(counts(withCount.queries), 1);
    assert.equal(withCount.result.data!.appInstances.totalCount, 51);
  });

  it('an instance’s history defaults to its 10 newest operations and reads only the caller’s rows', async () => {
    const r = await t.gql(AppInstance, { id: instances[0]! }, t.tokens.tenantB);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data!.appInstance.operations.map((o) => o.state), ['PROCESSING', 'FAILED', 'COMPLETED']);
    assert.equal(r.data!.appInstance.activeOperation?.state, 'PROCESSING');
    const tooMany = await t.gql(AppInstanceNested, { first: 1, history: 501 }, t.tokens.tenantB);
    assert.equal(tooMany.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('live status from the plugin', () => {
  it('reads the structured status of a running instance: state, workloads, containers, services', async () => {
    const id = await instance('live-1', hosts.a1!, { deploy: true });
    const r = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const s = r.data!.appInstance.status!;
    assert.equal(s.source, 'EXTENSIONS');
    assert.equal(s.appInstanceId, id);
    assert.equal(s.state, 'RUNNING');
    assert.equal(s.workloads.length, 1);
    const [pod] = s.workloads;
    assert.deepEqual([pod!.kind, pod!.name, pod!.phase, pod!.ready], ['Pod', `${id.slice(0, 8)}-0`, 'Running', true]);
    assert.match(pod!.addresses[0]!, /^10\.244\.\d+\.\d+$/);
    assert.deepEqual(pod!.containers, [{ name: 'app', state: 'running', ready: true, restarts: 0, image: `sim.local/${pkgA}:latest`, cpuUsage: '10m', memoryUsage: '32Mi' }]);
    assert.deepEqual(s.services, [{ name: `${id.slice(0, 8)}-svc`, type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 0 }] }]);
    assert.ok(Math.abs(Date.parse(s.observedAt) - Date.now()) < 60_000);
    // The original texts, unchanged.
    const query = JSON.parse(r.data!.appInstance.statusJson!) as { pods: { podstatus: string; podname: string }[]; services: { serviceName: string }[] };
    assert.deepEqual(query.pods.map((p) => [p.podname, p.podstatus]), [[`${id.slice(0, 8)}-0`, 'Running']]);
    assert.equal(query.services[0]!.serviceName, `${id.slice(0, 8)}-svc`);
    const events = JSON.parse(r.data!.appInstance.workloadEventsJson!) as { pods: { podName: string; podEventsInfo: string[] }[] };
    assert.deepEqual(events.pods.map((p) => p.podName), [`${id.slice(0, 8)}-0`]);
    assert.ok(events.pods[0]!.podEventsInfo.includes('Started container app'), JSON.stringify(events));
    // Asked with the caller's token, for the host's owner tenant.
    const asked = sim.calls.filter((c) => c.rpc === 'instanceStatus' && c.id === id);
    assert.equal(asked.length, 1);
    assert.deepEqual([asked[0]!.tenantId, asked[0]!.hostIp], [t.tenants.A, hosts.a1!.ip]);
  });

  it('follows the instance through degraded, failed and stopped states, and shows workload events', async () => {
    const id = await instance('live-2', hosts.a1!, { deploy: true });
    const state = async () => {
      const r = await t.gql(AppInstanceStatus, { id }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.appInstance.status!;
    };
    sim.setInstanceState(t.tenants.A, hosts.a1!.ip, id, 'DEGRADED', 'back-off restarting');
    const degraded = await state();
    assert.deepEqual([degraded.state, degraded.reason, degraded.workloads[0]!.ready, degraded.workloads[0]!.containers[0]!.state], ['DEGRADED', 'back-off restarting', false, 'waiting: CrashLoopBackOff']);
    sim.setInstanceState(t.tenants.A, hosts.a1!.ip, id, 'FAILED', 'image pull failed');
    const failed = await state();
    assert.deepEqual([failed.state, failed.reason, failed.workloads[0]!.phase], ['FAILED', 'image pull failed', 'Failed']);
    sim.setInstanceState(t.tenants.A, hosts.a1!.ip, id, 'STOPPED');
    const stopped = await state();
    assert.deepEqual([stopped.state, stopped.workloads], ['STOPPED', []]);
    assert.equal(stopped.services.length, 1, 'the service stays while the pods are scaled to zero');
    sim.emitWorkloadEvent(t.tenants.A, hosts.a1!.ip, id, { type: 'Warning', reason: 'BackOff', message: 'Back-off pulling image' });
    const ev = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
    const events = JSON.parse(ev.data!.appInstance.workloadEventsJson!) as { pods: { podName: string; podEventsInfo: string[] }[] };
    assert.equal(events.pods[0]!.podEventsInfo.at(-1), 'Back-off pulling image');
  });

  it('reads the original query JSON into the same shape when the plugin lacks instanceStatus (UNIMPLEMENTED)', async () => {
    const id = await instance('live-3', hosts.a1!, { deploy: true });
    const structured = (await t.gql(AppInstanceStatus, { id }, t.tokens.tenantA)).data!.appInstance.status!;
    sim.injectFault({ rpc: 'instanceStatus', kind: 'fail', code: grpcStatus.UNIMPLEMENTED });
    try {
      const queries = sim.callCount('query');
      const r = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const s = r.data!.appInstance.status!;
      assert.equal(s.source, 'QUERY');
      assert.equal(sim.callCount('query'), queries + 1, 'status and statusJson share one query call');
      assert.equal(s.state, 'RUNNING');
      assert.deepEqual(s.services, structured.services, 'services read from the JSON equal the structured ones');
      assert.deepEqual(s.workloads.map((w) => [w.kind, w.name, w.phase, w.ready]), structured.workloads.map((w) => [w.kind, w.name, w.phase, w.ready]));
      assert.deepEqual(s.workloads[0]!.containers.map((c) => [c.name, c.cpuUsage, c.memoryUsage, c.ready]), [['app', '10m', '32Mi', true]]);

      sim.setInstanceState(t.tenants.A, hosts.a1!.ip, id, 'DEPLOYING');
      const deploying = (await t.gql(AppInstanceStatus, { id }, t.tokens.tenantA)).data!.appInstance.status!;
      assert.deepEqual([deploying.source, deploying.state, deploying.workloads[0]!.phase, deploying.workloads[0]!.ready], ['QUERY', 'DEPLOYING', 'Pending', false]);
      sim.setInstanceState(t.tenants.A, hosts.a1!.ip, id, 'FAILED');
      assert.equal((await t.gql(AppInstanceStatus, { id }, t.tokens.tenantA)).data!.appInstance.status!.state, 'FAILED');
    } finally {
      sim.clearFaults();
    }
    // A stopped instance has no pods in the JSON: the controller's STOPPED says why.
    const stoppedId = await instance('live-4', hosts.a1!, { deploy: true, operationalState: 'STOPPED' });
    sim.setInstanceState(t.tenants.A, hosts.a1!.ip, stoppedId, 'STOPPED');
    sim.injectFault({ rpc: 'instanceStatus', kind: 'fail', code: grpcStatus.UNIMPLEMENTED, times: 1 });
    const stopped = (await t.gql(AppInstanceStatus, { id: stoppedId }, t.tokens.tenantA)).data!.appInstance.status!;
    assert.deepEqual([stopped.source, stopped.state, stopped.workloads], ['QUERY', 'STOPPED', []]);
  });

  it('a plugin that is down fails the live fields with PLUGIN_UNAVAILABLE while the rest of the instance resolves', async () => {
    const id = await instance('on-dead-plugin', hosts.down!);
    const r = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
    assert.equal(r.data!.appInstance.name, 'on-dead-plugin');
    assert.equal(r.data!.appInstance.host.name, 'edge-down');
    assert.equal(r.data!.appInstance.status, null);
    assert.equal(r.data!.appInstance.statusJson, null);
    assert.equal(r.data!.appInstance.workloadEventsJson, null);
    const byField = Object.fromEntries(r.errors!.map((e) => [e.path!.at(-1), e.extensions!.code]));
    assert.deepEqual(byField, { status: 'PLUGIN_UNAVAILABLE', statusJson: 'PLUGIN_UNAVAILABLE', workloadEventsJson: 'PLUGIN_UNAVAILABLE' });
    assert.deepEqual(r.errors![0]!.path!.slice(0, 1), ['appInstance']);
    const kpi = await t.gql(HostKpi, { id: hosts.down!.id }, t.tokens.tenantA);
    assert.deepEqual([kpi.data!.host.name, kpi.data!.host.kpi, kpi.errors?.[0]?.extensions?.code], ['edge-down', null, 'PLUGIN_UNAVAILABLE']);
  });

  it('plugin refusals surface with their codes on the one field: unknown instance, deadline, plugin failure', async () => {
    const id = await instance('never-deployed', hosts.a1!);
    const r = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
    assert.equal(r.data!.appInstance.name, 'never-deployed');
    assert.deepEqual(r.errors!.map((e) => [e.path!.at(-1), e.extensions!.code]).sort(), [['status', 'NOT_FOUND'], ['statusJson', 'NOT_FOUND'], ['workloadEventsJson', 'NOT_FOUND']]);
    const deployed = await instance('faulty', hosts.a1!, { deploy: true });
    sim.injectFault({ rpc: 'workloadEvents', kind: 'fail', code: grpcStatus.INTERNAL, message: 'kube-apiserver unreachable', times: 1 });
    const partial = await t.gql(AppInstanceLive, { id: deployed }, t.tokens.tenantA);
    assert.equal(partial.data!.appInstance.status?.state, 'RUNNING');
    assert.ok(partial.data!.appInstance.statusJson);
    assert.equal(partial.data!.appInstance.workloadEventsJson, null);
    assert.equal(partial.errors?.length, 1);
    assert.equal(partial.errors[0]!.extensions!.code, 'PLUGIN_ERROR');
    assert.match(partial.errors[0]!.message, /kube-apiserver unreachable/);
    // A plugin that does not answer within the query deadline: the outcome is unknown, said so on that field.
    sim.injectFault({ rpc: 'instanceStatus', kind: 'stall', times: 1 });
    const started = Date.now();
    const stalled = await t.gql(AppInstanceStatus, { id: deployed }, t.tokens.tenantA);
    assert.deepEqual([stalled.data!.appInstance.id, stalled.data!.appInstance.status], [deployed, null]);
    assert.equal(stalled.errors?.[0]?.extensions?.code, 'DEADLINE_EXCEEDED');
    assert.ok(Date.now() - started < 10_000);
  });

  it('host kpi is the plugin’s queryKPI text; another tenant cannot reach the host', async () => {
    await instance('kpi-load', hosts.a1!, { deploy: true });
    const r = await t.gql(HostKpi, { id: hosts.a1!.id }, t.tokens.guestA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const kpi = JSON.parse(r.data!.host.kpi!) as { data: { cpuusage: { total: number; used: number } }; retCode: number };
    assert.equal(kpi.retCode, 0);
    assert.equal(kpi.data.cpuusage.total, 16);
    assert.ok(kpi.data.cpuusage.used > 0);
    const b = await t.gql(HostKpi, { id: hosts.a1!.id }, t.tokens.tenantB);
    assert.equal(b.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('the cost limit refuses live status on a large page before calling any plugin, and allows it on a small one', async () => {
    const calls = sim.callCount('instanceStatus');
    const big = await t.gql(AppInstancesLive, { first: 100 }, t.tokens.tenantA);
    assert.equal(big.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.equal(sim.callCount('instanceStatus'), calls);
    const plain = await t.gql(AppInstancePage, { first: 100 }, t.tokens.tenantA);
    assert.equal(plain.errors, undefined, 'the same page without live fields is fine');
    const small = await t.gql(AppInstancesLive, { first: 5, filter: { hostId: hosts.a1!.id } }, t.tokens.tenantA);
    assert.equal(small.data?.appInstances.edges.length, 5);
    const states = small.data.appInstances.edges.map((e) => e.node.status?.state ?? null);
    assert.equal(states.filter((s) => s !== null).length, 4, JSON.stringify(small.errors));
    assert.deepEqual(small.errors?.map((e) => e.extensions!.code), ['NOT_FOUND'], 'the one instance never deployed');
  });
});
