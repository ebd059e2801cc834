import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, status, type Client } from '@grpc/grpc-js';
import type { UploadCfgRequest } from '../../src/generated/proto/lcmservice.js';
import { AppLCMClient } from '../../src/generated/proto/lcmservice.js';
import {
  FlavorManagerClient,
  NetworkManagerClient,
  SecurityGroupManagerClient,
  VmImageMangerClient,
  VmManagerClient,
  type CreateNetworkRequest_Network,
  type UploadVmImageRequest,
} from '../../src/generated/proto/resourcemanager.js';
import { expectCode, unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import { VmPlugin } from '../../src/plugins/vm/vm-plugin.js';
import { FakeOpenStack } from '../fake-openstack/fake-openstack.js';

// The resource-manager services of the VM plugin (resourcemanager.proto: FlavorManager, NetworkManager,
// SecurityGroupManager, VmManager) called over gRPC, as rescontroller calls them: each call's effect in OpenStack and
// its answer in the original osplugin's JSON ({"data","retCode","message"}), OpenStack's refusals in that envelope with
// their HTTP status, the plugin's own refusals as gRPC codes, and one tenant's host out of another tenant's reach.
// Against the fake OpenStack; against a real cloud too when APPLCM_TEST_OPENSTACK_RC names an rc file (its user must
// be allowed to create flavors; assertions on the cloud's inside are made on the fake only).

const REAL_RC = process.env['APPLCM_TEST_OPENSTACK_RC'];
const DEADLINE_MS = 30_000;

interface Envelope<T = unknown> {
  data: T;
  retCode: number;
  message: string | null;
}
const env = <T = unknown>(text: string): Envelope<T> => JSON.parse(text) as Envelope<T>;

type Target = { accessToken: string; tenantId: string; hostIp: string };

/** The VM plugin's gRPC clients, each call a promise with a deadline. */
class Clients {
  readonly flavors: FlavorManagerClient;
  readonly networks: NetworkManagerClient;
  readonly groups: SecurityGroupManagerClient;
  readonly vms: VmManagerClient;
  readonly images: VmImageMangerClient;
  readonly lcm: AppLCMClient;

  constructor(address: string) {
    const c = credentials.createInsecure();
    this.flavors = new FlavorManagerClient(address, c);
    this.networks = new NetworkManagerClient(address, c);
    this.groups = new SecurityGroupManagerClient(address, c);
    this.vms = new VmManagerClient(address, c);
    this.images = new VmImageMangerClient(address, c);
    this.lcm = new AppLCMClient(address, c);
  }

  close(): void {
    for (const c of [this.flavors, this.networks, this.groups, this.vms, this.images, this.lcm] as Client[]) c.close();
  }
}

const call = <Res>(start: Parameters<typeof unary<Res>>[1]): Promise<Res> => unary<Res>(DEADLINE_MS, start);

for (const backend of REAL_RC ? (['fake', 'real'] as const) : (['fake'] as const)) {
  describe(`VM plugin resource services over gRPC (${backend} OpenStack)`, () => {
    let cloud: FakeOpenStack | undefined;
    let plugin: VmPlugin;
    let c: Clients;
    const A: Target = { accessToken: 'vm-test-token', tenantId: randomUUID(), hostIp: '192.0.2.20' };
    const suffix = randomUUID().slice(0, 8);

    /** Uploads an rc file as the host configuration of `who`. */
    const configure = async (who: Target, rc: string) => {
      const r = await upload<UploadCfgRequest, { status: string }>(DEADLINE_MS, (md, o, cb) => c.lcm.uploadConfig(md, o, cb), [
        { data: { $case: 'accessToken', value: who.accessToken } },
        { data: { $case: 'tenantId', value: who.tenantId } },
        { data: { $case: 'hostIp', value: who.hostIp } },
        { data: { $case: 'configFile', value: Buffer.from(rc) } },
      ]);
      assert.equal(r.status, 'Success');
    };

    // One helper per RPC, as `who` (tenant A by default).
    const createFlavor = async (flavor: { name: string; vcpus: number; ram: number; disk: number; swap?: number; extraSpecs?: Record<string, string> }, who = A) =>
      env<{ flavorId: string }>((await call<{ status: string }>((md, o, cb) => c.flavors.createFlavor({ ...who, flavor: { swap: 0, extraSpecs: {}, ...flavor } }, md, o, cb))).status);
    const queryFlavor = async (flavorId: string, who = A) => env((await call<{ response: string }>((md, o, cb) => c.flavors.queryFlavor({ ...who, flavorId }, md, o, cb))).response);
    const deleteFlavor = async (flavorId: string, who = A) => env((await call<{ status: string }>((md, o, cb) => c.flavors.deleteFlavor({ ...who, flavorId }, md, o, cb))).status);
    const createNetwork = async (network: Partial<CreateNetworkRequest_Network> & { name: string }, who = A) => {
      const full: CreateNetworkRequest_Network = { adminStateUp: true, dnsDomain: '', mtu: 0, portSecurityEnabled: false, providerNetworkType: '', providerPhysicalNetwork: '', providerSegmentationId: 0, qosPolicyId: '', routerExternal: false, segments: [], shared: false, vlanTransparent: false, isDefault: false, subnets: [], ...network };
      return env<{ networkId: string }>((await call<{ status: string }>((md, o, cb) => c.networks.createNetwork({ ...who, network: full }, md, o, cb))).status);
    };
    const subnet = (s: { name: string; cidr: string; gatewayIp?: string; enableDhcp?: boolean; dnsNameservers?: string[]; allocationPools?: { start: string; end: string }[] }) => ({
      enableDhcp: false,
      dnsNameservers: [],
      allocationPools: [],
      ipVersion: 4,
      gatewayIp: '',
      ipv6AddressMode: '',
      ipv6RaMode: '',
      ...s,
    });
    const queryNetwork = async (networkId: string, who = A) => env((await call<{ response: string }>((md, o, cb) => c.networks.queryNetwork({ ...who, networkId }, md, o, cb))).response);
    const deleteNetwork = async (networkId: string, who = A) => env((await call<{ status: string }>((md, o, cb) => c.networks.deleteNetwork({ ...who, networkId }, md, o, cb))).status);
    const createGroup = async (name: string, who = A) => env<{ securityGroupId: string }>((await call<{ status: string }>((md, o, cb) => c.groups.createSecurityGroup({ ...who, securityGroup: { name } }, md, o, cb))).status);
    const queryGroup = async (securityGroupId: string, who = A) => env((await call<{ response: string }>((md, o, cb) => c.groups.querySecurityGroup({ ...who, securityGroupId }, md, o, cb))).response);
    const deleteGroup = async (securityGroupId: string, who = A) => env((await call<{ status: string }>((md, o, cb) => c.groups.deleteSecurityGroup({ ...who, securityGroupId }, md, o, cb))).status);
    const createRule = async (rule: { securityGroupId: string; direction?: string; protocol?: string; ethertype?: string; portRangeMin?: number; portRangeMax?: number; remoteIpPrefix?: string; remoteGroupId?: string }, who = A) =>
      env<{ securityGroupRuleId: string }>(
        (await call<{ status: string }>((md, o, cb) => c.groups.createSecurityGroupRule({ ...who, securityGroupRule: { direction: '', protocol: '', ethertype: '', portRangeMin: 0, portRangeMax: 0, remoteIpPrefix: '', remoteGroupId: '', ...rule } }, md, o, cb))).status,
      );
    const queryRules = async (securityGroupId: string, who = A) => env((await call<{ response: string }>((md, o, cb) => c.groups.querySecurityGroupRule({ ...who, securityGroupId }, md, o, cb))).response);
    const deleteRule = async (securityGroupRuleId: string, who = A) => env((await call<{ status: string }>((md, o, cb) => c.groups.deleteSecurityGroupRule({ ...who, securityGroupRuleId }, md, o, cb))).status);
    const createVm = async (server: { name: string; flavor: string; image: string; networks: { network: string; fixedIp: string }[]; userData?: string; configDrive?: boolean; availabilityZone?: string; securityGroups?: string[] }, who = A) =>
      env<{ vmId: string }>((await call<{ status: string }>((md, o, cb) => c.vms.createVm({ ...who, server: { userData: '', configDrive: false, availabilityZone: '', securityGroups: [], ...server } }, md, o, cb))).status);
    const queryVm = async (vmId: string, who = A) => env((await call<{ response: string }>((md, o, cb) => c.vms.queryVm({ ...who, vmId }, md, o, cb))).response);
    const operateVm = async (vmId: string, action: string, extra: { reboot?: { type: string }; createImage?: { name: string; metadata: Record<string, string> } } = {}, who = A) =>
      env((await call<{ response: string }>((md, o, cb) => c.vms.operateVm({ ...who, vmId, action, reboot: extra.reboot, createImage: extra.createImage }, md, o, cb))).response);
    const deleteVm = async (vmId: string, who = A) => env((await call<{ status: string }>((md, o, cb) => c.vms.deleteVm({ ...who, vmId }, md, o, cb))).status);

    /** Polls queryVm until the server is in `want` (or gone, for want = undefined). */
    const vmIn = async (vmId: string, want: string | undefined): Promise<Envelope<{ status: string }>> => {
      const until = Date.now() + 120_000;
      for (;;) {
        const r = (await queryVm(vmId)) as Envelope<{ status: string }>;
        if (want === undefined ? r.retCode === 404 : r.data?.status === want) return r;
        assert.ok(r.retCode === 200 || want === undefined, JSON.stringify(r));
        assert.notEqual(r.data?.status, 'ERROR', JSON.stringify(r));
        if (Date.now() > until) throw new Error(`server ${vmId} is ${JSON.stringify(r)}, not ${want ?? 'gone'}`);
        await sleep(backend === 'fake' ? 30 : 1000);
      }
    };

    before(async () => {
      cloud = backend === 'fake' ? await new FakeOpenStack({ transitionMs: 40 }).start() : undefined;
      plugin = await VmPlugin.start({ pollMs: 40, watchPollMs: 100, deleteTimeoutMs: 10_000, bootTimeoutMs: 20_000 });
      c = new Clients(plugin.address);
      await configure(A, cloud ? cloud.rcFile() : fs.readFileSync(REAL_RC!, 'utf8'));
    });
    after(async () => {
      c?.close();
      await plugin?.stop();
      await cloud?.stop();
    });

    it('FlavorManager: create with extra specs, list and one in the original shape, a duplicate refused 409, delete (twice)', async () => {
      const name = `rm-flavor-${suffix}`;
      const created = await createFlavor({ name, vcpus: 2, ram: 2048, disk: 20, extraSpecs: { 'hw:cpu_policy': 'dedicated', 'hw:mem_page_size': 'large' } });
      assert.equal(created.retCode, 0);
      assert.equal(created.message, 'Success');
      const flavorId = created.data.flavorId;
      if (cloud) {
        const f = cloud.state.flavors.get(flavorId)!;
        assert.deepEqual([f.name, f.vcpus, f.ram, f.disk, f.isPublic, f.extraSpecs], [name, 2, 2048, 20, true, { 'hw:cpu_policy': 'dedicated', 'hw:mem_page_size': 'large' }]);
      }
      const shape = { id: flavorId, description: null, name, vcpus: 2, ram: 2048, disk: 20, rxtx: 1, ephemeralDisk: 0, isPublic: true };
      const list = (await queryFlavor('')) as Envelope<(typeof shape)[]>;
      assert.deepEqual([list.retCode, list.message], [200, 'Query Flavors Success']);
      assert.deepEqual(
        list.data.find((f) => f.id === flavorId),
        shape,
      );
      const one = await queryFlavor(flavorId);
      assert.deepEqual(one, { data: { ...shape, extraSpecs: { 'hw:cpu_policy': 'dedicated', 'hw:mem_page_size': 'large' } }, retCode: 200, message: 'Query Flavor Success' });

      // Nova's refusal comes back in the envelope with its status, as the original answered.
      const dup = await createFlavor({ name, vcpus: 1, ram: 512, disk: 1 });
      assert.equal(dup.retCode, 409);
      assert.equal(dup.data, null);
      assert.match(dup.message ?? '', /already exists/);

      assert.deepEqual(await deleteFlavor(flavorId), { data: null, retCode: 200, message: 'Delete Flavor Success' });
      if (cloud) assert.equal(cloud.state.flavors.has(flavorId), false);
      assert.equal((await deleteFlavor(flavorId)).retCode, 200, 'a flavor already gone is deleted (404 ignored, as the original)');
      assert.deepEqual(await queryFlavor(flavorId), { data: null, retCode: 404, message: `flavor ${flavorId} not found` });
    });

    it('NetworkManager: a network with two subnets (DHCP always on, as the original), list and one, a bad subnet leaves nothing, delete', async () => {
      const name = `rm-net-${suffix}`;
      const created = await createNetwork({
        name,
        adminStateUp: false,
        mtu: 1450,
        ...(cloud ? { providerNetworkType: 'vlan', providerPhysicalNetwork: 'physnet1', providerSegmentationId: 120 } : {}),
        subnets: [
          subnet({ name: `${name}-a`, cidr: '192.168.60.0/24', gatewayIp: '192.168.60.1', dnsNameservers: ['192.0.2.53'], allocationPools: [{ start: '192.168.60.10', end: '192.168.60.50' }] }),
          subnet({ name: `${name}-b`, cidr: '192.168.61.0/24' }),
        ],
      });
      assert.equal(created.retCode, 200, JSON.stringify(created));
      assert.equal(created.message, 'Create Network Success');
      const networkId = created.data.networkId;
      if (cloud) {
        const n = cloud.state.networks.get(networkId)!;
        assert.deepEqual([n.name, n.admin_state_up, n['mtu'], n['provider:network_type'], n['provider:physical_network'], n['provider:segmentation_id']], [name, true, 1450, 'vlan', 'physnet1', 120]);
        const subs = n.subnets.map((id) => cloud!.state.subnets.get(id)!);
        assert.deepEqual(
          subs.map((s) => [s.name, s.cidr, s.gateway_ip, s.enable_dhcp, s.ip_version]),
          [
            [`${name}-a`, '192.168.60.0/24', '192.168.60.1', true, 4],
            [`${name}-b`, '192.168.61.0/24', null, true, 4],
          ],
        );
        assert.deepEqual(subs[0]!['dns_nameservers'], ['192.0.2.53']);
        assert.deepEqual(subs[0]!['allocation_pools'], [{ start: '192.168.60.10', end: '192.168.60.50' }]);
      }

      const list = (await queryNetwork('')) as Envelope<Record<string, unknown>[]>;
      assert.deepEqual([list.retCode, list.message], [200, 'Query Networks Success']);
      const listed = list.data.find((n) => n['id'] === networkId)!;
      assert.deepEqual(Object.keys(listed).sort(), ['adminState', 'availabilityZones', 'external', 'id', 'name', 'shared', 'status', 'subnets']);
      assert.deepEqual([listed['name'], listed['shared'], listed['external'], listed['status'], listed['adminState']], [name, false, false, 'ACTIVE', true]);
      assert.deepEqual(listed['subnets'], [
        { cidr: '192.168.60.0/24', name: `${name}-a` },
        { cidr: '192.168.61.0/24', name: `${name}-b` },
      ]);
      // One network: Neutron's own object, its subnets expanded.
      const one = (await queryNetwork(networkId)) as Envelope<{ id: string; name: string; subnets: { cidr: string; network_id: string }[] }>;
      assert.deepEqual([one.retCode, one.message, one.data.id, one.data.name], [200, 'Query Network Success', networkId, name]);
      assert.deepEqual(
        one.data.subnets.map((s) => [s.cidr, s.network_id]),
        [
          ['192.168.60.0/24', networkId],
          ['192.168.61.0/24', networkId],
        ],
      );

      // A subnet Neutron refuses: its 400 in the envelope, and the network made for it is removed again.
      const bad = await createNetwork({ name: `${name}-bad`, subnets: [subnet({ name: 'x', cidr: '192.168.62.0/24' }), subnet({ name: 'y', cidr: 'not-a-cidr' })] });
      assert.equal(bad.retCode, 400, JSON.stringify(bad));
      assert.match(bad.message ?? '', /not-a-cidr/);
      const named = async (n: string) => ((await queryNetwork('')) as Envelope<{ name: string }[]>).data.filter((x) => x.name === n);
      assert.deepEqual(await named(`${name}-bad`), [], 'no network left of the refused create');
      // A subnet without a CIDR is the plugin's refusal: INVALID_ARGUMENT, and nothing left either.
      await expectCode(createNetwork({ name: `${name}-nocidr`, subnets: [subnet({ name: 'z', cidr: '' })] }), status.INVALID_ARGUMENT, 'a subnet without cidr');
      assert.deepEqual(await named(`${name}-nocidr`), []);
      if (cloud) assert.equal([...cloud.state.subnets.values()].filter((s) => ['x', 'y', 'z'].includes(s.name)).length, 0, 'no orphan subnet');

      assert.deepEqual(await deleteNetwork(networkId), { data: null, retCode: 200, message: 'Delete Network Success' });
      if (cloud) assert.equal([...cloud.state.subnets.values()].filter((s) => s.network_id === networkId).length, 0, 'its subnets went with it');
      assert.deepEqual(await deleteNetwork(networkId), { data: null, retCode: 404, message: `network ${networkId} not found` }, 'the original answered 404 for a network already gone');
      assert.equal((await queryNetwork(networkId)).retCode, 404);
    });

    it('SecurityGroupManager: a group with the default rule and a TCP rule, queries in the original shape, refusals in the envelope, delete', async () => {
      const name = `rm-sg-${suffix}`;
      const created = await createGroup(name);
      assert.deepEqual([created.retCode, created.message], [200, 'Create Security Group Success']);
      const groupId = created.data.securityGroupId;

      // Only the group: the original's defaults, ingress from anywhere over IPv4, any protocol.
      const anyIn = await createRule({ securityGroupId: groupId });
      assert.deepEqual([anyIn.retCode, anyIn.message], [200, 'Create Security Group Rule Success']);
      const ssh = await createRule({ securityGroupId: groupId, direction: 'ingress', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '10.0.0.0/8' });
      assert.equal(ssh.retCode, 200, JSON.stringify(ssh));
      if (cloud) {
        const rules = cloud.state.securityGroups.get(groupId)!.security_group_rules;
        const byId = (id: string) => rules.find((r) => r['id'] === id)!;
        assert.deepEqual([byId(anyIn.data.securityGroupRuleId)['direction'], byId(anyIn.data.securityGroupRuleId)['ethertype'], byId(anyIn.data.securityGroupRuleId)['protocol']], ['ingress', 'IPv4', null]);
        assert.deepEqual([byId(ssh.data.securityGroupRuleId)['protocol'], byId(ssh.data.securityGroupRuleId)['port_range_min'], byId(ssh.data.securityGroupRuleId)['remote_ip_prefix']], ['tcp', 22, '10.0.0.0/8']);
      }

      const one = (await queryGroup(groupId)) as Envelope<{ id: string; name: string; securityGroupRules: Record<string, unknown>[] }>;
      assert.deepEqual([one.retCode, one.message, one.data.id, one.data.name], [200, 'Query Security Group Success', groupId, name]);
      const sshJson = { id: ssh.data.securityGroupRuleId, protocol: 'tcp', portRangeMax: 22, portRangeMin: 22, remoteGroupId: null, remoteIpPrefix: '10.0.0.0/8', ethertype: 'IPv4', direction: 'ingress' };
      assert.deepEqual(
        one.data.securityGroupRules.find((r) => r['id'] === sshJson.id),
        sshJson,
      );
      // Neutron's own egress rules of a new group are there too.
      assert.deepEqual(one.data.securityGroupRules.filter((r) => r['direction'] === 'egress').map((r) => r['ethertype']).sort(), ['IPv4', 'IPv6']);
      const rules = (await queryRules(groupId)) as Envelope<{ id: string }[]>;
      assert.deepEqual([rules.retCode, rules.message], [200, 'Query Security Group Rules Success']);
      assert.ok([anyIn.data.securityGroupRuleId, ssh.data.securityGroupRuleId].every((id) => rules.data.some((r) => r.id === id)));
      const all = (await queryGroup('')) as Envelope<{ id: string }[]>;
      assert.deepEqual([all.retCode, all.message], [200, 'Query Security Groups Success']);
      assert.ok(all.data.some((g) => g.id === groupId));

      // Neutron's refusals, each in the envelope with its status.
      const dup = await createRule({ securityGroupId: groupId, direction: 'ingress', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '10.0.0.0/8' });
      assert.equal(dup.retCode, 409, JSON.stringify(dup));
      const reversed = await createRule({ securityGroupId: groupId, protocol: 'tcp', portRangeMin: 90, portRangeMax: 80 });
      assert.equal(reversed.retCode, 400, JSON.stringify(reversed));
      assert.match(reversed.message ?? '', /port_range_min must be <= port_range_max/);
      const sideways = await createRule({ securityGroupId: groupId, direction: 'sideways' });
      assert.equal(sideways.retCode, 400, JSON.stringify(sideways));
      const ghost = randomUUID();
      assert.equal((await createRule({ securityGroupId: ghost })).retCode, 404);
      assert.deepEqual(await queryGroup(ghost), { data: null, retCode: 404, message: `security group ${ghost} not found` });

      assert.deepEqual(await deleteRule(ssh.data.securityGroupRuleId), { data: null, retCode: 200, message: 'Delete Security Group Rule Success' });
      assert.ok(!((await queryRules(groupId)) as Envelope<{ id: string }[]>).data.some((r) => r.id === ssh.data.securityGroupRuleId));
      assert.equal((await deleteRule(ssh.data.securityGroupRuleId)).retCode, 200, 'a rule already gone is deleted');
      assert.deepEqual(await deleteGroup(groupId), { data: null, retCode: 200, message: 'Delete Security Group Success' });
      if (cloud) assert.equal(cloud.state.securityGroups.has(groupId), false);
      assert.equal((await queryGroup(groupId)).retCode, 404);
    });

    it('VmManager: create on a network with a fixed address, query, every action with its effect, refusals in state, delete', async () => {
      // What a server needs, made through the plugin's own services: a flavor, a network, a group and an image.
      const flavorId = (await createFlavor({ name: `rm-tiny-${suffix}`, vcpus: 1, ram: 512, disk: 1 })).data.flavorId;
      const netName = `rm-vmnet-${suffix}`;
      const networkId = (await createNetwork({ name: netName, subnets: [subnet({ name: `${netName}-a`, cidr: '192.168.70.0/24', gatewayIp: '192.168.70.1' })] })).data.networkId;
      const groupName = `rm-vmsg-${suffix}`;
      const groupId = (await createGroup(groupName)).data.securityGroupId;
      const imageId = await uploadedImage(`rm-img-${suffix}`);

      const created = await createVm({
        name: `rm-vm-${suffix}`,
        flavor: flavorId,
        image: imageId,
        networks: [{ network: networkId, fixedIp: '192.168.70.20' }],
        userData: '#!/bin/sh\necho "resource services" > /tmp/rm\n',
        configDrive: true,
        availabilityZone: 'nova',
        securityGroups: [groupName],
      });
      assert.deepEqual([created.retCode, created.message], [0, 'Create Success'], JSON.stringify(created));
      const vmId = created.data.vmId;
      if (cloud) {
        const s = cloud.state.servers.get(vmId)!;
        assert.deepEqual([s.name, s.flavorRef, s.imageRef, s.configDrive, s.availabilityZone, s.securityGroups], [`rm-vm-${suffix}`, flavorId, imageId, true, 'nova', [groupName]]);
        assert.equal(s.userData, '#!/bin/sh\necho "resource services" > /tmp/rm\n', 'user data sent base64, as Nova takes it');
        assert.deepEqual(
          s.ports.map((p) => [cloud!.state.ports.get(p)!.network_id, cloud!.state.ports.get(p)!.fixed_ips[0]!.ip_address]),
          [[networkId, '192.168.70.20']],
        );
      }

      const active = (await vmIn(vmId, 'ACTIVE')) as Envelope<Record<string, unknown>>;
      assert.equal(active.message, 'Query Server Success');
      assert.deepEqual(Object.keys(active.data).sort(), ['addresses', 'flavor', 'id', 'image', 'name', 'securityGroups', 'status']);
      assert.deepEqual((active.data['addresses'] as Record<string, { addr: string }[]>)[netName]!.map((a) => a.addr), ['192.168.70.20']);
      assert.deepEqual(active.data['securityGroups'], [{ name: groupName }]);
      assert.equal((active.data['flavor'] as { id: string }).id, flavorId);
      const list = (await queryVm('')) as Envelope<{ id: string }[]>;
      assert.deepEqual([list.retCode, list.message], [200, 'Query Servers Success']);
      assert.ok(list.data.some((s) => s.id === vmId));

      // The network is in use while the server is on it: Neutron's 409.
      const inUse = await deleteNetwork(networkId);
      assert.equal(inUse.retCode, 409, JSON.stringify(inUse));

      // Each action, then the state Nova reports.
      assert.deepEqual(await operateVm(vmId, 'reboot', { reboot: { type: 'HARD' } }), { data: null, retCode: 200, message: 'reboot Success' });
      if (cloud) assert.equal(cloud.state.servers.get(vmId)!.lastReboot, 'HARD');
      await vmIn(vmId, 'ACTIVE');
      assert.equal((await operateVm(vmId, 'reboot')).retCode, 200);
      if (cloud) assert.equal(cloud.state.servers.get(vmId)!.lastReboot, 'SOFT', 'SOFT without a type, as the original');
      await vmIn(vmId, 'ACTIVE');
      for (const [action, state] of [
        ['pause', 'PAUSED'],
        ['unpause', 'ACTIVE'],
        ['suspend', 'SUSPENDED'],
        ['resume', 'ACTIVE'],
        ['stop', 'SHUTOFF'],
        ['start', 'ACTIVE'],
      ] as const) {
        assert.deepEqual(await operateVm(vmId, action), { data: null, retCode: 200, message: `${action} Success` }, action);
        await vmIn(vmId, state);
      }
      // An action the server's state does not allow: Nova's 409 in the envelope.
      const wrong = await operateVm(vmId, 'unpause');
      assert.equal(wrong.retCode, 409, JSON.stringify(wrong));
      assert.match(wrong.message ?? '', /unpause/);

      const snap = (await operateVm(vmId, 'createImage', { createImage: { name: `rm-snap-${suffix}`, metadata: { purpose: 'test' } } })) as Envelope<{ imageId: string }>;
      assert.deepEqual([snap.retCode, snap.message], [200, 'Create Image Success']);
      const snapshot = await imageNamed(snap.data.imageId);
      assert.equal(snapshot['imageName'], `rm-snap-${suffix}`);
      if (cloud) assert.deepEqual([cloud.state.images.get(snap.data.imageId)!.properties['instance_uuid'], cloud.state.images.get(snap.data.imageId)!.properties['purpose']], [vmId, 'test']);
      const consoleAnswer = (await operateVm(vmId, 'createConsole')) as Envelope<{ type: string; url: string }>;
      assert.deepEqual([consoleAnswer.retCode, consoleAnswer.message, consoleAnswer.data.type], [200, 'Create Console Success', 'novnc']);
      assert.match(consoleAnswer.data.url, /^https?:\/\//);
      assert.deepEqual(await operateVm(vmId, 'explode'), { data: null, retCode: 400, message: 'unknown action "explode"' });
      await expectCode(operateVm(vmId, 'createImage'), status.INVALID_ARGUMENT, 'createImage without a name');

      assert.deepEqual(await deleteVm(vmId), { data: null, retCode: 200, message: 'Delete Server Success' });
      await vmIn(vmId, undefined);
      assert.equal((await deleteVm(vmId)).retCode, 200, 'a server already gone is deleted (404 ignored, as the original)');
      if (cloud) assert.equal([...cloud.state.ports.values()].filter((p) => p.network_id === networkId).length, 0, 'the port Nova made went with the server');
      // Everything made for it can go now.
      for (const [what, r] of [
        ['network', await deleteNetwork(networkId)],
        ['group', await deleteGroup(groupId)],
        ['flavor', await deleteFlavor(flavorId)],
      ] as const) {
        assert.equal(r.retCode, 200, `${what}: ${JSON.stringify(r)}`);
      }
      for (const id of [imageId, snap.data.imageId]) await call((md, o, cb) => c.images.deleteVmImage({ ...A, imageId: id }, md, o, cb));
    });

    it("the plugin's own refusals are gRPC codes, and reach no OpenStack API", async () => {
      const requests = cloud?.state.requests.length;
      await expectCode(queryFlavor('', { ...A, accessToken: '' }), status.UNAUTHENTICATED, 'no access token');
      await expectCode(queryNetwork('', { ...A, tenantId: 'tenant-a' }), status.INVALID_ARGUMENT, 'a tenant id that is no UUID');
      await expectCode(queryGroup('', { ...A, hostIp: '999.0.2.20' }), status.INVALID_ARGUMENT, 'a host ip that is no IPv4 address');
      await expectCode(queryVm('', { ...A, hostIp: '192.0.2.99' }), status.FAILED_PRECONDITION, 'a host without an rc file');
      await expectCode(call((md, o, cb) => c.flavors.createFlavor({ ...A, flavor: undefined }, md, o, cb)), status.INVALID_ARGUMENT, 'createFlavor without a flavor');
      await expectCode(createFlavor({ name: '', vcpus: 1, ram: 1, disk: 1 }), status.INVALID_ARGUMENT, 'a flavor without a name');
      await expectCode(deleteFlavor(''), status.INVALID_ARGUMENT, 'deleteFlavor without an id');
      await expectCode(createNetwork({ name: '' }), status.INVALID_ARGUMENT, 'a network without a name');
      await expectCode(deleteNetwork(''), status.INVALID_ARGUMENT, 'deleteNetwork without an id');
      await expectCode(createGroup(''), status.INVALID_ARGUMENT, 'a security group without a name');
      await expectCode(deleteGroup(''), status.INVALID_ARGUMENT, 'deleteSecurityGroup without an id');
      await expectCode(createRule({ securityGroupId: '' }), status.INVALID_ARGUMENT, 'a rule without its group');
      await expectCode(queryRules(''), status.INVALID_ARGUMENT, 'rules of no group');
      await expectCode(deleteRule(''), status.INVALID_ARGUMENT, 'deleteSecurityGroupRule without an id');
      await expectCode(createVm({ name: 'x', flavor: '', image: 'i', networks: [] }), status.INVALID_ARGUMENT, 'a server without a flavor');
      await expectCode(operateVm('', 'pause'), status.INVALID_ARGUMENT, 'an action without a server');
      await expectCode(deleteVm(''), status.INVALID_ARGUMENT, 'deleteVm without an id');
      if (cloud) assert.equal(cloud.state.requests.length, requests, 'none of them reached OpenStack');
    });

    it('ids are path segments, never paths: unknown and hostile ids answer 404 from the resource they name', async () => {
      const before = cloud?.state.requests.length ?? 0;
      for (const id of [randomUUID(), '../servers/detail', 'x/../../flavors', '%2e%2e', 'a?all_tenants=1']) {
        assert.equal((await queryFlavor(id)).retCode, 404, `flavor ${id}`);
        assert.equal((await queryNetwork(id)).retCode, 404, `network ${id}`);
        assert.equal((await queryGroup(id)).retCode, 404, `security group ${id}`);
        assert.equal((await queryVm(id)).retCode, 404, `server ${id}`);
        assert.equal((await operateVm(id, 'pause')).retCode, 404, `action on server ${id}`);
      }
      if (cloud) {
        const asked = cloud.state.requests.slice(before).filter((r) => !r.startsWith('POST /identity'));
        assert.ok(
          asked.every((r) => /^(GET|POST) \/(compute\/v2\.1\/(flavors|servers)|network\/v2\.0\/(networks|security-groups))\/[^/]+(\/action)?$/.test(r)),
          `every request stayed on the resource it named: ${asked.filter((r) => !/^(GET|POST) \/(compute\/v2\.1\/(flavors|servers)|network\/v2\.0\/(networks|security-groups))\/[^/]+(\/action)?$/.test(r)).join(', ')}`,
        );
      }
    });

    it("tenant isolation: a host configured for tenant A is not reachable as tenant B, whose own host reaches only its own cloud", async () => {
      const B: Target = { ...A, tenantId: randomUUID() };
      // B has no rc file for A's host address: every service refuses before OpenStack is asked.
      const requests = cloud?.state.requests.length;
      await expectCode(queryFlavor('', B), status.FAILED_PRECONDITION, "B's flavors on A's host");
      await expectCode(queryNetwork('', B), status.FAILED_PRECONDITION, "B's networks on A's host");
      await expectCode(queryGroup('', B), status.FAILED_PRECONDITION, "B's groups on A's host");
      await expectCode(queryVm('', B), status.FAILED_PRECONDITION, "B's servers on A's host");
      await expectCode(deleteNetwork(randomUUID(), B), status.FAILED_PRECONDITION, 'a delete as B');
      if (cloud) assert.equal(cloud.state.requests.length, requests, "nothing reached A's cloud");
      if (!cloud) return;

      // B configures the same address for its own cloud: its calls go there, A's resources stay out of its sight.
      const other = await new FakeOpenStack({ transitionMs: 40, username: 'tenant-b', password: 'b-secret', projectName: 'b-project' }).start();
      try {
        await configure(B, other.rcFile());
        const aNet = (await createNetwork({ name: `rm-a-${suffix}` })).data.networkId;
        const bNet = (await createNetwork({ name: `rm-b-${suffix}` }, B)).data.networkId;
        assert.ok(cloud.state.networks.has(aNet) && !other.state.networks.has(aNet));
        assert.ok(other.state.networks.has(bNet) && !cloud.state.networks.has(bNet));
        assert.equal((await queryNetwork(aNet, B)).retCode, 404, "A's network is unknown to B");
        assert.equal((await deleteNetwork(aNet, B)).retCode, 404);
        assert.ok(cloud.state.networks.has(aNet), "and B's delete did not touch it");
        assert.ok(!((await queryNetwork('', B)) as Envelope<{ id: string }[]>).data.some((n) => n.id === aNet));
        assert.ok(!((await queryNetwork('')) as Envelope<{ id: string }[]>).data.some((n) => n.id === bNet));
        assert.equal((await deleteNetwork(bNet, B)).retCode, 200);
        assert.equal((await deleteNetwork(aNet)).retCode, 200);
      } finally {
        await other.stop();
      }
    });

    /** An image made through VmImageManger (create, then a small raw disk uploaded), waited for until active. */
    async function uploadedImage(name: string): Promise<string> {
      const made = env<{ imageId: string }>((await call<{ response: string }>((md, o, cb) => c.images.createVmImage({ ...A, image: { name, containerFormat: 'bare', diskFormat: 'raw', minRam: 0, minDisk: 0, properties: {} } }, md, o, cb))).response);
      assert.equal(made.retCode, 200, JSON.stringify(made));
      const imageId = made.data.imageId;
      const bytes = randomBytes(1024 * 1024 + 7);
      const up = await upload<UploadVmImageRequest, { status: string }>(DEADLINE_MS, (md, o, cb) => c.images.uploadVmImage(md, o, cb), [
        { data: { $case: 'accessToken', value: A.accessToken } },
        { data: { $case: 'hostIp', value: A.hostIp } },
        { data: { $case: 'tenantId', value: A.tenantId } },
        { data: { $case: 'imageId', value: imageId } },
        { data: { $case: 'content', value: bytes } },
      ]);
      assert.equal(env(up.status).retCode, 0, up.status);
      const until = Date.now() + 120_000;
      while ((await imageNamed(imageId))['status'] !== 'active') {
        assert.ok(Date.now() < until, `image ${imageId} never became active`);
        await sleep(backend === 'fake' ? 30 : 1000);
      }
      return imageId;
    }

    async function imageNamed(imageId: string): Promise<Record<string, unknown>> {
      const r = env<Record<string, unknown>>((await call<{ response: string }>((md, o, cb) => c.images.queryVmImage({ ...A, imageId }, md, o, cb))).response);
      assert.equal(r.retCode, 200, JSON.stringify(r));
      return r.data;
    }
  });
}
