import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LcmOperationFieldsFragment } from '../__generated__/graphql.js';
import { bearer, fileUrl, imageOf } from '../helpers/image-fixture.js';
import { settled, SETTLED } from '../helpers/lcm-fixture.js';
import { fixture, uploadPackage } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RegisterHost } from '../operations/hosts.js';
import { CreateVmImage, DeleteVmImage } from '../operations/images.js';
import { AppInstanceLive, AppInstanceStatus, HostKpi } from '../operations/instances.js';
import { LcmDistribute, LcmInstanceById, LcmInstantiate, LcmOperate, LcmRemoveFromHost, LcmRollback, LcmTerminate } from '../operations/lcm.js';
import { DeletePackage } from '../operations/packages.js';
import { buildCli } from '../../src/cli.js';
import { VmPlugin } from '../../src/plugins/vm/vm-plugin.js';
import { FakeOpenStack } from '../fake-openstack/fake-openstack.js';
import { ImageProxy } from '../fake-openstack/image-proxy.js';
import { VM_IMAGE_URL } from '../vm/vm-harness.js';

// The VM lifecycle through the controller's GraphQL and REST with the real VM plugin (a gRPC server registered as the
// `openstack` plugin) against the fake Keystone/Nova/Glance/Neutron: what OpenStack holds is checked at each step.
// When APPLCM_TEST_OPENSTACK_RC names the rc file of a real cloud (its user allowed to create flavors and networks),
// the flow runs against that cloud too, checked through the controller and the plugin's own reads; the package's image
// URL is still answered by the test proxy. Faults (a Nova error, revoked tokens) are made on the fake only.

const REAL_RC = process.env['APPLCM_TEST_OPENSTACK_RC'];

for (const backend of REAL_RC ? (['fake', 'real'] as const) : (['fake'] as const)) {
describe(`the lifecycle through GraphQL with the VM plugin (${backend} OpenStack)`, () => {
  let cloud: FakeOpenStack | undefined;
  let proxy: ImageProxy;
  let plugin: VmPlugin;
  let rcFile: string;
  let t: TestServer;
  let ipSeq = 1;
  const settledOp = (id: string, states: string[] = SETTLED): Promise<LcmOperationFieldsFragment> => settled(t, id, states, backend === 'fake' ? 60_000 : 600_000);

  before(async () => {
    cloud = backend === 'fake' ? await new FakeOpenStack({ transitionMs: 60 }).start() : undefined;
    rcFile = cloud ? cloud.rcFile() : fs.readFileSync(REAL_RC!, 'utf8');
    proxy = await new ImageProxy().start();
    // On the fake, tokens are used until they expire (no early renewal), so a test can make them expire mid-operation.
    plugin = await VmPlugin.start({ imageProxy: proxy.url, ...(cloud ? { pollMs: 40, watchPollMs: 100, deleteTimeoutMs: 10_000, bootTimeoutMs: 20_000, tokenRenewBeforeMs: 0 } : {}) });
    t = await startTestServer('vmlcm', {
      ...pluginEnv(plugin.address, 'openstack'),
      APPLCM_WORKER_POLL_MS: '200',
      APPLCM_OPERATION_RETRY_BASE_MS: '100',
      APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: backend === 'fake' ? '60000' : '180000',
      APPLCM_OPERATION_LEASE_MS: '10000',
    });
  });
  after(async () => {
    await t?.close();
    // The plugin stops once nothing is left in flight: a download it left open (an image upload Glance refused half-way)
    // would hold it forever.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('stuck'), 60_000)));
    assert.equal(await Promise.race([plugin?.stop().then(() => 'stopped'), stuck]), 'stopped', 'the VM plugin stops: nothing it started is left open');
    clearTimeout(timer);
    await proxy?.stop();
    await cloud?.stop();
  });

  /** An OpenStack host of tenant A whose rc file went to the plugin through the REST config endpoint. */
  async function newHost(): Promise<{ id: string; ip: string }> {
    const n = ipSeq++;
    const r = await t.gql(RegisterHost, { input: { ip: `10.63.0.${n}`, name: `vm-edge-${n}`, vim: 'openstack' } }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const host = r.data!.registerHost;
    const form = new FormData();
    form.append('configFile', new Blob([rcFile]), 'openrc.sh');
    const up = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/hosts/${host.id}/config`, { method: 'POST', headers: bearer(t.tokens.tenantA), body: form });
    assert.equal(up.status, 200, await up.clone().text());
    assert.deepEqual(await up.json(), { hostId: host.id, ip: host.ip, vim: 'openstack', configStatus: 'UPLOADED' });
    return host;
  }

  async function distributedPackage(hostId: string): Promise<string> {
    const up = await uploadPackage(t, fixture('vm-openstack.zip'), { fields: { packageId: `pkg${randomUUID().slice(0, 8)}` } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const pkg = String(up.body.packageId);
    const d = await t.gql(LcmDistribute, { packageId: pkg, hostIds: [hostId] }, t.tokens.tenantA);
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
    const op = await settledOp(d.data!.distributePackage.id);
    assert.equal(op.state, 'COMPLETED', `${JSON.stringify(op.error)}; the plugin's record: ${pluginRecord('packages', pkg)}`);
    return pkg;
  }

  async function instantiate(pkg: string, hostId: string): Promise<{ id: string; op: LcmOperationFieldsFragment }> {
    const id = randomUUID();
    const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId, name: 'vmapp', parameters: { mep_ip: '10.0.0.5', mep_port: '8443' } } }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return { id, op: await settledOp(r.data!.instantiateApp.id) };
  }

  /** What the plugin recorded of a package or instance of tenant A (its reasons are not in the protocol's status words). */
  const pluginRecord = (kind: 'packages' | 'instances', id: string): string => {
    const dir = path.join(plugin.dataDir, kind, t.tenants.A);
    const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.includes(id) && f.endsWith('.json')) : [];
    return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n') || 'none';
  };

  const statusOf = async (id: string) => {
    const r = await t.gql(AppInstanceStatus, { id }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.appInstance.status!;
  };

  /** The flavors, networks and images the plugin records as its own on a host of tenant A, with their users. */
  const ownedBy = (hostIp: string): Record<string, unknown> => {
    const file = path.join(plugin.dataDir, 'hosts', t.tenants.A, hostIp, 'owned.json');
    if (!fs.existsSync(file)) return {};
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(doc).filter(([, v]) => Object.keys(v).length));
  };

  const serversOf = (id: string) => [...cloud!.state.servers.values()].filter((x) => x.metadata['applcm_instance_id'] === id);

  async function terminated(id: string): Promise<void> {
    const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
    assert.equal(term.errors, undefined, JSON.stringify(term.errors));
    const op = await settledOp(term.data!.terminateApp.id);
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
  }

  async function removedEverywhere(pkg: string, hostId: string): Promise<void> {
    const rm = await t.gql(LcmRemoveFromHost, { packageId: pkg, hostId }, t.tokens.tenantA);
    assert.equal(rm.errors, undefined, JSON.stringify(rm.errors));
    assert.equal((await settledOp(rm.data!.removePackageFromHost.id)).state, 'COMPLETED');
    const del = await t.gql(DeletePackage, { id: pkg }, t.tokens.tenantA);
    assert.equal(del.errors, undefined, JSON.stringify(del.errors));
  }

  it('vm-openstack.zip: distribute (images active) → instantiate → live status, events, KPI → snapshot, ranged download, delete → stop/start → terminate → remove', async () => {
    const s = cloud?.state;
    const host = await newHost();
    if (s) {
      // The MEP network exists already, with a subnet: used (the template's fixed address), never removed.
      const mep = { id: randomUUID(), name: 'mec_network_mep', status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [] as string[] };
      const subnet = { id: randomUUID(), name: 'mep-subnet', network_id: mep.id, cidr: '192.168.10.0/24', ip_version: 4, gateway_ip: '192.168.10.1', enable_dhcp: true, next: 9 };
      s.networks.set(mep.id, { ...mep, subnets: [subnet.id] });
      s.subnets.set(subnet.id, subnet);
    }
    const before = s?.counts();

    // Distribute completes only once the package's image is active in Glance.
    const pkg = await distributedPackage(host.id);
    assert.ok(proxy.requests.includes(VM_IMAGE_URL), 'the image was fetched from its swImage URL');
    const pkgImages = s ? [...s.images.values()] : [];
    if (s) {
      assert.deepEqual(
        pkgImages.map((i) => [i.name, i.status]),
        [['ubuntu-18.04', 'active']],
      );
    }

    const { id, op } = await instantiate(pkg, host.id);
    assert.equal(op.state, 'COMPLETED', `${JSON.stringify(op.error)}; the plugin's record: ${pluginRecord('instances', id)}`);
    if (s) {
      const servers = serversOf(id);
      assert.equal(servers.length, 1);
      const vm = servers[0]!;
      assert.equal(vm.status, 'ACTIVE');
      assert.equal(vm.name, `eulerforTR6_iso_arm_EMS_VDU1-${id.slice(0, 8)}`);
      assert.equal(vm.imageRef, pkgImages[0]!.id);
      assert.ok(vm.userData!.includes('echo "mep_ip=10.0.0.5" >> /home/init.txt'), 'the request parameters reached the user data');
      assert.match(vm.userData!, new RegExp(`'app_instance_id=${id}' 'ak=[^']+' 'sk=[^']+' >> /root/init.txt`), 'the AK/SK the controller generated');
    }

    // Live status, the original's query JSON, workload events and the host KPI, all read from the plugin.
    const live = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
    assert.equal(live.errors, undefined, JSON.stringify(live.errors));
    const inst = live.data!.appInstance;
    const st = inst.status!;
    assert.equal(st.state, 'RUNNING', st.reason);
    assert.equal(st.source, 'EXTENSIONS');
    assert.deepEqual(st.workloads.map((w) => [w.kind, w.phase, w.ready]), [['Server', 'ACTIVE', true]]);
    // The workload is named by the server id: what a snapshot names as vmId.
    const vmId = st.workloads[0]!.name;
    if (s) {
      assert.equal(vmId, serversOf(id)[0]!.id);
      assert.deepEqual(st.workloads[0]!.addresses, ['mec_network_mep=192.168.10.10']);
    }
    const original = JSON.parse(inst.statusJson!) as { code: number; status: string; data: { vmId: string; vmName: string; vduId: string; status: string; networks: unknown[] }[] };
    assert.deepEqual([original.code, original.status], [200, 'Instantiated']);
    assert.deepEqual(original.data.map((d) => [d.vmId, d.vmName, d.vduId, d.status]), [[vmId, `eulerforTR6_iso_arm_EMS_VDU1-${id.slice(0, 8)}`, 'EMS_VDU1', 'ACTIVE']]);
    if (s) assert.deepEqual(original.data[0]!.networks, [{ name: 'mec_network_mep', ip: '192.168.10.10' }]);
    const events = JSON.parse(inst.workloadEventsJson!) as { resources: { physicalResourceId: string; events: { resourceStatus: string }[] }[] };
    assert.deepEqual(events.resources.map((r) => r.physicalResourceId), [vmId]);
    assert.ok(events.resources[0]!.events.some((e) => e.resourceStatus === 'create'), JSON.stringify(events));
    const kpi = await t.gql(HostKpi, { id: host.id }, t.tokens.tenantA);
    assert.equal(kpi.errors, undefined, JSON.stringify(kpi.errors));
    const kpiJson = JSON.parse(kpi.data!.host.kpi ?? '{}') as { retCode: number; data: Record<string, number> };
    assert.equal(kpiJson.retCode, 200);
    assert.ok(kpiJson.data['totalInstancesUsed']! >= 1 && kpiJson.data['virtual_cpu_used']! >= 1, JSON.stringify(kpiJson.data));
    if (s) assert.deepEqual([kpiJson.data['totalInstancesUsed'], kpiJson.data['virtual_cpu_used'], kpiJson.data['portUsed']], [1, 1, s.ports.size]);

    // A snapshot of the server: Nova createImage → Glance active → the controller's image ACTIVE.
    const snap = await t.gql(CreateVmImage, { appInstanceId: id, vmId, name: 'golden-vm' }, t.tokens.tenantA);
    assert.equal(snap.errors, undefined, JSON.stringify(snap.errors));
    const imageId = String(snap.data!.createVmImage.params.imageId);
    const snapOp = await settledOp(snap.data!.createVmImage.id);
    assert.equal(snapOp.state, 'COMPLETED', JSON.stringify(snapOp.error));
    const image = await imageOf(t, imageId);
    assert.equal(image.status, 'ACTIVE');
    assert.equal(image.vmId, vmId);
    const size = image.sizeBytes!;
    const glance = s?.images.get(image.pluginImageId!);
    if (s) {
      assert.equal(glance!.status, 'active');
      assert.equal(glance!.properties['instance_uuid'], vmId);
      assert.deepEqual([size, image.checksum], [glance!.size, glance!.checksum]);
    }

    // Downloaded through the controller, broken off after 1 MiB and resumed with a Range.
    const cut = new AbortController();
    const first = await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA), signal: cut.signal });
    assert.equal(first.status, 200);
    const got: Uint8Array[] = [];
    let n = 0;
    for await (const chunk of first.body as unknown as AsyncIterable<Uint8Array>) {
      got.push(chunk);
      n += chunk.length;
      if (n >= 1024 * 1024) break;
    }
    cut.abort();
    const rest = await fetch(fileUrl(t, imageId), { headers: { ...bearer(t.tokens.tenantA), range: `bytes=${n}-`, 'if-range': `"${image.checksum}"` } });
    assert.equal(rest.status, 206);
    assert.equal(rest.headers.get('content-range'), `bytes ${n}-${size - 1}/${size}`);
    const bytes = Buffer.concat([...got, Buffer.from(await rest.arrayBuffer())]);
    assert.equal(bytes.length, size);
    assert.equal(createHash('md5').update(bytes).digest('hex'), image.checksum, "the resumed download matches Glance's checksum (md5), the ETag");
    if (glance) assert.ok(bytes.equals(glance.data!), 'the bytes Glance holds');

    const delImg = await t.gql(DeleteVmImage, { id: imageId }, t.tokens.tenantA);
    assert.equal(delImg.errors, undefined, JSON.stringify(delImg.errors));
    assert.equal((await settledOp(delImg.data!.deleteVmImage.id)).state, 'COMPLETED');
    if (s) assert.equal(s.images.has(glance!.id), false, 'the snapshot is gone from Glance');
    assert.equal((await fetch(fileUrl(t, imageId), { headers: bearer(t.tokens.tenantA) })).status, 404);

    // Stop and start reach Nova.
    const stop = await t.gql(LcmOperate, { id, action: 'STOP' }, t.tokens.tenantA);
    assert.equal((await settledOp(stop.data!.operateApp.id)).state, 'COMPLETED');
    assert.equal((await statusOf(id)).workloads[0]!.phase, 'SHUTOFF');
    const start = await t.gql(LcmOperate, { id, action: 'START' }, t.tokens.tenantA);
    assert.equal((await settledOp(start.data!.operateApp.id)).state, 'COMPLETED');
    assert.equal((await statusOf(id)).workloads[0]!.phase, 'ACTIVE');

    // Terminate leaves nothing the plugin made but the package's image; removal from the host takes that too.
    await terminated(id);
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    if (s) {
      assert.deepEqual({ ...s.counts(), images: 0 }, { ...before!, images: 0 }, 'servers, ports, created networks and the flavor are gone');
      assert.equal(s.images.size, 1);
    }
    await removedEverywhere(pkg, host.id);
    if (s) assert.deepEqual(s.counts(), before, 'nothing the plugin created is left in OpenStack');
    assert.equal(fs.existsSync(path.join(plugin.dataDir, 'packages', t.tenants.A, host.ip, pkg)), false, 'the plugin dropped the package');
    assert.deepEqual(ownedBy(host.ip), {}, 'the plugin owns no flavor, network or image on the host any more');
  });

  if (backend === 'real') return;

  it("a Nova error during instantiate: the operation ends with Nova's fault as the reason, and nothing it made is left", async () => {
    const s = cloud!.state;
    const host = await newHost();
    const pkg = await distributedPackage(host.id);
    const before = s.counts();
    s.failNextBoot = 'No valid host was found. There are not enough hosts available.';
    const { id, op } = await instantiate(pkg, host.id);
    assert.equal(op.state, 'FAILED_TEMP', JSON.stringify(op));
    assert.equal(op.error?.code, 'PLUGIN_ERROR');
    assert.match(op.error.message, /No valid host was found\. There are not enough hosts available\./);
    assert.deepEqual(s.counts(), before, 'no server, port, flavor or network left');
    // Rolling the failed operation back removes the instance from the controller; OpenStack holds nothing of it.
    await t.gql(LcmRollback, { id: op.id }, t.tokens.tenantA);
    assert.equal((await settledOp(op.id)).state, 'ROLLED_BACK');
    assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.deepEqual(s.counts(), before);
    await removedEverywhere(pkg, host.id);
  });

  it('Keystone tokens expiring in the middle of distribute, instantiate and terminate are renewed and each operation completes', async () => {
    const s = cloud!.state;
    const host = await newHost();
    /** Runs `step` with every token expiring once a request matching `after` is answered; checks a 401 was renewed. */
    const expiringDuring = async <T>(after: RegExp, step: () => Promise<T>): Promise<T> => {
      const rejected = s.rejectedTokens;
      const auths = s.authentications;
      s.expireTokensAfter = after;
      const out = await step();
      assert.equal(s.expireTokensAfter, undefined, `a request matched ${after}`);
      assert.ok(s.rejectedTokens > rejected, `the token expired after ${after} was refused (401)`);
      assert.ok(s.authentications > auths, 'and renewed');
      return out;
    };
    // Distribute: the image is created in Glance, then its upload meets the expired token.
    const pkg = await expiringDuring(/^POST \/image\/v2\/images$/, () => distributedPackage(host.id));
    // Instantiate: the server is created, then its boot is watched with the expired token.
    const { id, op } = await expiringDuring(/^POST \/compute\/v2\.1\/servers$/, () => instantiate(pkg, host.id));
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
    assert.equal(serversOf(id).length, 1);
    assert.equal(serversOf(id)[0]!.status, 'ACTIVE');
    // Terminate: the server delete is asked, then its disappearance is watched with the expired token.
    await expiringDuring(/^DELETE \/compute\/v2\.1\/servers\/[^/]+$/, () => terminated(id));
    assert.equal(serversOf(id).length, 0);
    await removedEverywhere(pkg, host.id);
    assert.equal(s.images.size, 0);
  });
});
}

describe('applcm vm-plugin', () => {
  it("listens on 8234 unless told otherwise, the original osplugin's port (OPENSTACK_PLUGIN_PORT of existing deployments)", () => {
    const command = buildCli().commands.find((c) => c.name() === 'vm-plugin');
    assert.equal(command?.options.find((o) => o.long === '--port')?.defaultValue, 8234);
  });
});
