import { status } from '@grpc/grpc-js';
import type {
  CreateFlavorRequest,
  CreateNetworkRequest,
  CreateSecurityGroupRequest,
  CreateSecurityGroupRuleRequest,
  CreateVmRequest,
  DeleteFlavorRequest,
  DeleteNetworkRequest,
  DeleteSecurityGroupRequest,
  DeleteSecurityGroupRuleRequest,
  DeleteVmRequest,
  FlavorManagerServer,
  NetworkManagerServer,
  OperateVmRequest,
  QueryFlavorRequest,
  QueryNetworkRequest,
  QuerySecurityGroupRequest,
  QuerySecurityGroupRuleRequest,
  QueryVmRequest,
  SecurityGroupManagerServer,
  VmManagerServer,
} from '../../generated/proto/resourcemanager.js';
import type { PluginRpc } from '../plugin-kit/kit-types.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import type { NeutronNetwork, NeutronSecurityGroup, NeutronSubnet } from './openstack/neutron.js';
import type { NovaFlavor, NovaServer } from './openstack/nova.js';
import type { OpenStackCloud } from './openstack/openstack-cloud.js';
import { OpenStackError } from './openstack/openstack-error.js';
import { admit } from '../plugin-kit/shell-context.js';
import { cloudFor, failure, type VmContext } from './vm-context.js';

// The original osplugin's resource-manager services (called by rescontroller's /rescontroller routes), on Nova and
// Neutron. Answers are the original's JSON text: {"data": …, "retCode": …, "message": …}; an OpenStack refusal is
// answered the same way with its HTTP status as retCode (as the original did), other failures are gRPC errors.

type Base = { accessToken: string; tenantId: string; hostIp: string };
const envelope = (data: unknown, message: string, retCode = 200): string => JSON.stringify({ data, retCode, message });

/** One unary RPC: identity checked, the host's cloud, OpenStack refusals as the original's envelope. */
function rpc<Req extends Base, Res>(ctx: VmContext, name: PluginRpc, field: keyof Res, id: (r: Req) => string | undefined, body: (cloud: OpenStackCloud, r: Req) => Promise<string>) {
  return ctx.runner.unary<Req, Res>(
    name,
    (r) => ({ tenantId: r.tenantId, hostIp: r.hostIp, ...(id(r) ? { id: id(r)! } : {}) }),
    async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      const cloud = await cloudFor(ctx, r.tenantId, r.hostIp);
      try {
        return { [field]: await body(cloud, r) } as Res;
      } catch (e) {
        if (e instanceof OpenStackError && e.status >= 400 && e.status < 500 && e.status !== 401) return { [field]: envelope(null, e.detail || e.message, e.status) } as Res;
        throw failure(name, e);
      }
    },
  );
}

const required = (v: string, what: string): string => {
  if (!v) throw new RpcError(status.INVALID_ARGUMENT, `${what} is required`);
  return v;
};

const flavorJson = (f: NovaFlavor) => ({
  id: f.id,
  description: f.description ?? null,
  name: f.name,
  vcpus: f.vcpus,
  ram: f.ram,
  disk: f.disk,
  rxtx: f.rxtx_factor ?? 1,
  ephemeralDisk: f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
  isPublic: f['os-flavor-access:is_public'] ?? true,
});

export function flavorService(ctx: VmContext): FlavorManagerServer {
  return {
    createFlavor: rpc<CreateFlavorRequest, { status: string }>(ctx, 'createFlavor', 'status', () => undefined, async (cloud, r) => {
      const f = r.flavor;
      if (!f) throw new RpcError(status.INVALID_ARGUMENT, 'flavor is required');
      const created = await cloud.nova.createFlavor({ name: required(f.name, 'flavor.name'), vcpus: f.vcpus, ram: f.ram, disk: f.disk, swap: f.swap });
      await cloud.nova.setExtraSpecs(created.id, f.extraSpecs);
      return envelope({ flavorId: created.id }, 'Success', 0);
    }),
    queryFlavor: rpc<QueryFlavorRequest, { response: string }>(ctx, 'queryFlavor', 'response', (r) => r.flavorId, async (cloud, r) => {
      if (!r.flavorId) return envelope((await cloud.nova.flavors()).map(flavorJson), 'Query Flavors Success');
      const f = await cloud.nova.flavor(r.flavorId);
      if (!f) return envelope(null, `flavor ${r.flavorId} not found`, 404);
      return envelope({ ...flavorJson(f), extraSpecs: await cloud.nova.extraSpecs(f.id) }, 'Query Flavor Success');
    }),
    deleteFlavor: rpc<DeleteFlavorRequest, { status: string }>(ctx, 'deleteFlavor', 'status', (r) => r.flavorId, async (cloud, r) => {
      await cloud.nova.deleteFlavor(required(r.flavorId, 'flavorId'));
      return envelope(null, 'Delete Flavor Success');
    }),
  };
}

export function networkService(ctx: VmContext): NetworkManagerServer {
  return {
    createNetwork: rpc<CreateNetworkRequest, { status: string }>(ctx, 'createNetwork', 'status', () => undefined, async (cloud, r) => {
      const n = r.network;
      if (!n) throw new RpcError(status.INVALID_ARGUMENT, 'network is required');
      const body: Record<string, unknown> = { name: required(n.name, 'network.name'), admin_state_up: true, shared: n.shared };
      if (n.mtu) body['mtu'] = n.mtu;
      if (n.dnsDomain) body['dns_domain'] = n.dnsDomain;
      if (n.providerNetworkType) body['provider:network_type'] = n.providerNetworkType;
      if (n.providerPhysicalNetwork) body['provider:physical_network'] = n.providerPhysicalNetwork;
      if (n.providerSegmentationId) body['provider:segmentation_id'] = n.providerSegmentationId;
      if (n.qosPolicyId) body['qos_policy_id'] = n.qosPolicyId;
      if (n.routerExternal) body['router:external'] = true;
      if (n.vlanTransparent) body['vlan_transparent'] = true;
      if (n.isDefault) body['is_default'] = true;
      if (n.segments.length) body['segments'] = n.segments.map((s) => ({ 'provider:segmentation_id': s.providerSegmentationId, 'provider:physical_network': s.providerPhysicalNetwork, 'provider:network_type': s.providerNetworkType }));
      const net = await cloud.neutron.create<NeutronNetwork>('networks', body);
      try {
        for (const s of n.subnets) {
          await cloud.neutron.create('subnets', {
            network_id: net.id,
            name: s.name,
            // The original's `x or True`: DHCP is always on.
            enable_dhcp: true,
            ip_version: s.ipVersion || 4,
            cidr: required(s.cidr, 'subnet.cidr'),
            ...(s.gatewayIp ? { gateway_ip: s.gatewayIp } : {}),
            ...(s.dnsNameservers.length ? { dns_nameservers: s.dnsNameservers } : {}),
            ...(s.allocationPools.length ? { allocation_pools: s.allocationPools } : {}),
            ...(s.ipv6AddressMode ? { ipv6_address_mode: s.ipv6AddressMode } : {}),
            ...(s.ipv6RaMode ? { ipv6_ra_mode: s.ipv6RaMode } : {}),
          });
        }
      } catch (e) {
        // A network without the subnets asked for is not what was asked: it goes.
        await cloud.neutron.delete('networks', net.id).catch(() => undefined);
        throw e;
      }
      return envelope({ networkId: net.id }, 'Create Network Success');
    }),
    queryNetwork: rpc<QueryNetworkRequest, { response: string }>(ctx, 'queryNetwork', 'response', (r) => r.networkId, async (cloud, r) => {
      const subnetsOf = async (n: NeutronNetwork) => Promise.all(n.subnets.map((id) => cloud.neutron.get<NeutronSubnet>('subnets', id)));
      if (!r.networkId) {
        const nets = await cloud.neutron.list<NeutronNetwork>('networks');
        const out = [];
        for (const n of nets) {
          const subs = (await subnetsOf(n)).filter((s): s is NeutronSubnet => s !== undefined);
          out.push({ id: n.id, name: n.name, shared: n.shared ?? false, external: n['router:external'] ?? false, status: n.status, adminState: n.admin_state_up, availabilityZones: n.availability_zones ?? [], subnets: subs.map((s) => ({ cidr: s.cidr, name: s.name })) });
        }
        return envelope(out, 'Query Networks Success');
      }
      const n = await cloud.neutron.get<NeutronNetwork>('networks', r.networkId);
      if (!n) return envelope(null, `network ${r.networkId} not found`, 404);
      return envelope({ ...n, subnets: (await subnetsOf(n)).filter((s) => s !== undefined) }, 'Query Network Success');
    }),
    deleteNetwork: rpc<DeleteNetworkRequest, { status: string }>(ctx, 'deleteNetwork', 'status', (r) => r.networkId, async (cloud, r) => {
      const id = required(r.networkId, 'networkId');
      if (!(await cloud.neutron.get('networks', id))) return envelope(null, `network ${id} not found`, 404);
      await cloud.neutron.delete('networks', id);
      return envelope(null, 'Delete Network Success');
    }),
  };
}

const ruleJson = (x: Record<string, unknown>) => ({
  id: x['id'],
  protocol: x['protocol'],
  portRangeMax: x['port_range_max'],
  portRangeMin: x['port_range_min'],
  remoteGroupId: x['remote_group_id'],
  remoteIpPrefix: x['remote_ip_prefix'],
  ethertype: x['ethertype'],
  direction: x['direction'],
});

export function securityGroupService(ctx: VmContext): SecurityGroupManagerServer {
  const one = (g: NeutronSecurityGroup) => ({ id: g.id, name: g.name, securityGroupRules: g.security_group_rules.map(ruleJson) });
  return {
    createSecurityGroup: rpc<CreateSecurityGroupRequest, { status: string }>(ctx, 'createSecurityGroup', 'status', () => undefined, async (cloud, r) => {
      const g = await cloud.neutron.create<NeutronSecurityGroup>('security-groups', { name: required(r.securityGroup?.name ?? '', 'securityGroup.name') });
      return envelope({ securityGroupId: g.id }, 'Create Security Group Success');
    }),
    querySecurityGroup: rpc<QuerySecurityGroupRequest, { response: string }>(ctx, 'querySecurityGroup', 'response', (r) => r.securityGroupId, async (cloud, r) => {
      if (!r.securityGroupId) return envelope((await cloud.neutron.list<NeutronSecurityGroup>('security-groups')).map(one), 'Query Security Groups Success');
      const g = await cloud.neutron.get<NeutronSecurityGroup>('security-groups', r.securityGroupId);
      return g ? envelope(one(g), 'Query Security Group Success') : envelope(null, `security group ${r.securityGroupId} not found`, 404);
    }),
    deleteSecurityGroup: rpc<DeleteSecurityGroupRequest, { status: string }>(ctx, 'deleteSecurityGroup', 'status', (r) => r.securityGroupId, async (cloud, r) => {
      await cloud.neutron.delete('security-groups', required(r.securityGroupId, 'securityGroupId'));
      return envelope(null, 'Delete Security Group Success');
    }),
    createSecurityGroupRule: rpc<CreateSecurityGroupRuleRequest, { status: string }>(ctx, 'createSecurityGroupRule', 'status', (r) => r.securityGroupRule?.securityGroupId, async (cloud, r) => {
      const x = r.securityGroupRule;
      if (!x) throw new RpcError(status.INVALID_ARGUMENT, 'securityGroupRule is required');
      // The original's defaults: ingress, any protocol, IPv4.
      const rule = await cloud.neutron.create<Record<string, unknown>>('security-group-rules', {
        security_group_id: required(x.securityGroupId, 'securityGroupRule.securityGroupId'),
        direction: x.direction || 'ingress',
        ethertype: x.ethertype || 'IPv4',
        ...(x.protocol && x.protocol !== 'any' ? { protocol: x.protocol } : {}),
        ...(x.portRangeMin ? { port_range_min: x.portRangeMin } : {}),
        ...(x.portRangeMax ? { port_range_max: x.portRangeMax } : {}),
        ...(x.remoteIpPrefix ? { remote_ip_prefix: x.remoteIpPrefix } : {}),
        ...(x.remoteGroupId ? { remote_group_id: x.remoteGroupId } : {}),
      });
      return envelope({ securityGroupRuleId: rule['id'] }, 'Create Security Group Rule Success');
    }),
    querySecurityGroupRule: rpc<QuerySecurityGroupRuleRequest, { response: string }>(ctx, 'querySecurityGroupRule', 'response', (r) => r.securityGroupId, async (cloud, r) => {
      const rules = await cloud.neutron.list<Record<string, unknown>>('security-group-rules', { security_group_id: required(r.securityGroupId, 'securityGroupId') });
      return envelope(rules.map(ruleJson), 'Query Security Group Rules Success');
    }),
    deleteSecurityGroupRule: rpc<DeleteSecurityGroupRuleRequest, { status: string }>(ctx, 'deleteSecurityGroupRule', 'status', (r) => r.securityGroupRuleId, async (cloud, r) => {
      await cloud.neutron.delete('security-group-rules', required(r.securityGroupRuleId, 'securityGroupRuleId'));
      return envelope(null, 'Delete Security Group Rule Success');
    }),
  };
}

const serverJson = (s: NovaServer) => ({
  id: s.id,
  name: s.name,
  status: s.status,
  addresses: s.addresses ?? {},
  flavor: s.flavor ?? null,
  image: s.image ?? null,
  securityGroups: s.security_groups ?? [],
});

/** Server actions by the original's names; the value is Nova's action body. */
const ACTIONS: Record<string, (r: OperateVmRequest) => Record<string, unknown>> = {
  reboot: (r) => ({ reboot: { type: r.reboot?.type === 'HARD' ? 'HARD' : 'SOFT' } }),
  pause: () => ({ pause: null }),
  unpause: () => ({ unpause: null }),
  suspend: () => ({ suspend: null }),
  resume: () => ({ resume: null }),
  stop: () => ({ 'os-stop': null }),
  start: () => ({ 'os-start': null }),
  createImage: (r) => ({ createImage: { name: required(r.createImage?.name ?? '', 'createImage.name'), metadata: r.createImage?.metadata ?? {} } }),
  createConsole: () => ({ 'os-getVNCConsole': { type: 'novnc' } }),
};

export function vmService(ctx: VmContext): VmManagerServer {
  return {
    createVm: rpc<CreateVmRequest, { status: string }>(ctx, 'createVm', 'status', () => undefined, async (cloud, r) => {
      const s = r.server;
      if (!s) throw new RpcError(status.INVALID_ARGUMENT, 'server is required');
      const id = await cloud.nova.createServer({
        name: required(s.name, 'server.name'),
        imageRef: required(s.image, 'server.image'),
        flavorRef: required(s.flavor, 'server.flavor'),
        networks: s.networks.map((n) => ({ uuid: n.network, ...(n.fixedIp ? { fixed_ip: n.fixedIp } : {}) })),
        ...(s.userData ? { user_data: Buffer.from(s.userData, 'utf8').toString('base64') } : {}),
        ...(s.configDrive ? { config_drive: true } : {}),
        ...(s.availabilityZone ? { availability_zone: s.availabilityZone } : {}),
        ...(s.securityGroups.length ? { security_groups: s.securityGroups.map((name) => ({ name })) } : {}),
      });
      return envelope({ vmId: id }, 'Create Success', 0);
    }),
    queryVm: rpc<QueryVmRequest, { response: string }>(ctx, 'queryVm', 'response', (r) => r.vmId, async (cloud, r) => {
      if (!r.vmId) return envelope((await cloud.nova.servers()).map(serverJson), 'Query Servers Success');
      const s = await cloud.nova.server(r.vmId);
      return s ? envelope(serverJson(s), 'Query Server Success') : envelope(null, `server ${r.vmId} not found`, 404);
    }),
    operateVm: rpc<OperateVmRequest, { response: string }>(ctx, 'operateVm', 'response', (r) => r.vmId, async (cloud, r) => {
      const make = ACTIONS[r.action];
      if (!make) return envelope(null, `unknown action ${JSON.stringify(r.action)}`, 400);
      const res = await cloud.nova.action<Record<string, unknown>>(required(r.vmId, 'vmId'), make(r));
      if (r.action === 'createImage') return envelope({ imageId: (res.body?.['image_id'] as string | undefined) ?? res.location?.split('/').pop() ?? null }, 'Create Image Success');
      if (r.action === 'createConsole') return envelope(res.body?.['console'] ?? null, 'Create Console Success');
      return envelope(null, `${r.action} Success`);
    }),
    deleteVm: rpc<DeleteVmRequest, { status: string }>(ctx, 'deleteVm', 'status', (r) => r.vmId, async (cloud, r) => {
      await cloud.nova.deleteServer(required(r.vmId, 'vmId'));
      return envelope(null, 'Delete Server Success');
    }),
  };
}
