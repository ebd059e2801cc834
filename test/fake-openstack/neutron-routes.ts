import { randomBytes, randomUUID } from 'node:crypto';
import { answer, jsonBody, neutronError, route, type Route } from './http-util.js';
import type { FakeNetwork, FakePort, FakeState, FakeSubnet } from './fake-state.js';

const matches = (o: Record<string, unknown>, url: URL): boolean => [...url.searchParams.entries()].every(([k, v]) => k === 'fields' || String(o[k]) === v);
const publicView = <T extends Record<string, unknown>>(o: T): Record<string, unknown> => {
  const { next: _next, ...rest } = o as Record<string, unknown>;
  return rest;
};

/** The next free address of a /24-style IPv4 subnet (enough for tests). */
export function allocate(sn: FakeSubnet): string {
  const [base] = sn.cidr.split('/');
  const parts = base!.split('.').map(Number);
  sn.next += 1;
  return `${parts[0]}.${parts[1]}.${parts[2]}.${sn.next}`;
}

const DIRECTIONS = new Set(['ingress', 'egress']);
const ETHERTYPES = new Set(['IPv4', 'IPv6']);
const RULE_KEYS = ['direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'remote_group_id'];

/** A security group rule as Neutron shows it. */
const sgRule = (groupId: string, projectId: string, r: Record<string, unknown>): Record<string, unknown> => ({
  id: randomUUID(),
  security_group_id: groupId,
  direction: r['direction'],
  ethertype: r['ethertype'] ?? 'IPv4',
  protocol: r['protocol'] ?? null,
  port_range_min: r['port_range_min'] ?? null,
  port_range_max: r['port_range_max'] ?? null,
  remote_ip_prefix: r['remote_ip_prefix'] ?? null,
  remote_group_id: r['remote_group_id'] ?? null,
  description: typeof r['description'] === 'string' ? r['description'] : '',
  tenant_id: projectId,
  project_id: projectId,
});

export function neutronRoutes(state: FakeState): Route[] {
  return [
    route('GET', '/network/v2.0/networks', ({ res, url }) => answer(res, 200, { networks: [...state.networks.values()].filter((n) => matches(n, url)) })),
    route('GET', '/network/v2.0/networks/:id', ({ res, params }) => {
      const n = state.networks.get(params[0]!);
      if (!n) return neutronError(res, 404, 'NetworkNotFound', `Network ${params[0]} could not be found.`);
      answer(res, 200, { network: n });
    }),
    route('POST', '/network/v2.0/networks', async ({ req, res, projectId }) => {
      const b = (await jsonBody<{ network?: Record<string, unknown> }>(req))?.network;
      if (!b) return neutronError(res, 400, 'HTTPBadRequest', 'Resource body required');
      const seg = b['provider:segmentation_id'];
      if (seg !== undefined && typeof seg !== 'number') return neutronError(res, 400, 'HTTPBadRequest', `Invalid input for provider:segmentation_id. Reason: ${JSON.stringify(seg)} is not an integer.`);
      const n: FakeNetwork = { ...b, id: randomUUID(), name: (typeof b['name'] === 'string' ? b['name'] : ''), status: 'ACTIVE', admin_state_up: b['admin_state_up'] !== false, shared: b['shared'] === true, 'router:external': b['router:external'] === true, subnets: [], tenant_id: projectId, project_id: projectId };
      state.networks.set(n.id, n);
      answer(res, 201, { network: n });
    }),
    route('DELETE', '/network/v2.0/networks/:id', ({ res, params }) => {
      const n = state.networks.get(params[0]!);
      if (!n) return neutronError(res, 404, 'NetworkNotFound', `Network ${params[0]} could not be found.`);
      const used = [...state.ports.values()].filter((p) => p.network_id === n.id);
      if (used.length) return neutronError(res, 409, 'NetworkInUse', `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`);
      for (const s of n.subnets) state.subnets.delete(s);
      state.networks.delete(n.id);
      answer(res, 204);
    }),
    route('GET', '/network/v2.0/subnets', ({ res, url }) => answer(res, 200, { subnets: [...state.subnets.values()].filter((s) => matches(s, url)).map(publicView) })),
    route('GET', '/network/v2.0/subnets/:id', ({ res, params }) => {
      const s = state.subnets.get(params[0]!);
      if (!s) return neutronError(res, 404, 'SubnetNotFound', `Subnet ${params[0]} could not be found.`);
      answer(res, 200, { subnet: publicView(s) });
    }),
    route('POST', '/network/v2.0/subnets', async ({ req, res }) => {
      const b = (await jsonBody<{ subnet?: Record<string, unknown> }>(req))?.subnet;
      const net = b ? state.networks.get(String(b['network_id'])) : undefined;
      if (!b || !net) return neutronError(res, 404, 'NetworkNotFound', `Network ${String(b?.['network_id'])} could not be found.`);
      if (typeof b['cidr'] !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(b['cidr'])) return neutronError(res, 400, 'HTTPBadRequest', `Invalid input for cidr. Reason: '${String(b['cidr'])}' is not a valid IP subnet.`);
      const s: FakeSubnet = { ...b, id: randomUUID(), name: (typeof b['name'] === 'string' ? b['name'] : ''), network_id: net.id, cidr: b['cidr'], ip_version: Number(b['ip_version'] ?? 4), gateway_ip: typeof b['gateway_ip'] === 'string' ? b['gateway_ip'] : null, enable_dhcp: b['enable_dhcp'] !== false, next: 9 };
      state.subnets.set(s.id, s);
      net.subnets.push(s.id);
      answer(res, 201, { subnet: publicView(s) });
    }),
    route('GET', '/network/v2.0/ports', ({ res, url }) => answer(res, 200, { ports: [...state.ports.values()].filter((p) => matches(p, url)) })),
    route('POST', '/network/v2.0/ports', async ({ req, res, projectId }) => {
      const b = (await jsonBody<{ port?: Record<string, unknown> }>(req))?.port;
      const net = b ? state.networks.get(String(b['network_id'])) : undefined;
      if (!b || !net) return neutronError(res, 404, 'NetworkNotFound', `Network ${String(b?.['network_id'])} could not be found.`);
      const subnets = net.subnets.map((id) => state.subnets.get(id)!).filter((s) => s.ip_version === 4);
      const asked = Array.isArray(b['fixed_ips']) ? (b['fixed_ips'] as { ip_address?: string }[]) : undefined;
      if (asked?.length && !subnets.length) return neutronError(res, 400, 'InvalidInput', `Invalid input for operation: IP address ${String(asked[0]?.ip_address)} is not a valid IP for the specified subnet.`);
      const fixed = subnets.length ? [{ subnet_id: subnets[0]!.id, ip_address: asked?.[0]?.ip_address ?? allocate(subnets[0]!) }] : [];
      const p: FakePort = {
        ...b,
        id: randomUUID(),
        name: (typeof b['name'] === 'string' ? b['name'] : ''),
        network_id: net.id,
        device_id: '',
        device_owner: '',
        mac_address: typeof b['mac_address'] === 'string' ? b['mac_address'] : `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`,
        fixed_ips: fixed,
        status: 'DOWN',
        tenant_id: projectId,
        project_id: projectId,
      };
      state.ports.set(p.id, p);
      answer(res, 201, { port: p });
    }),
    route('DELETE', '/network/v2.0/ports/:id', ({ res, params }) => {
      if (!state.ports.delete(params[0]!)) return neutronError(res, 404, 'PortNotFound', `Port ${params[0]} could not be found.`);
      answer(res, 204);
    }),
    route('GET', '/network/v2.0/security-groups', ({ res, url }) => answer(res, 200, { security_groups: [...state.securityGroups.values()].filter((g) => matches(g, url)) })),
    route('GET', '/network/v2.0/security-groups/:id', ({ res, params }) => {
      const g = state.securityGroups.get(params[0]!);
      if (!g) return neutronError(res, 404, 'SecurityGroupNotFound', `Security group ${params[0]} does not exist`);
      answer(res, 200, { security_group: g });
    }),
    route('POST', '/network/v2.0/security-groups', async ({ req, res, projectId }) => {
      const b = (await jsonBody<{ security_group?: { name?: string; description?: string } }>(req))?.security_group;
      if (!b?.name) return neutronError(res, 400, 'HTTPBadRequest', 'Resource body required');
      const id = randomUUID();
      // A new group lets everything out, as Neutron's does: one egress rule per ethertype.
      const g = { id, name: b.name, description: b.description ?? '', security_group_rules: ['IPv4', 'IPv6'].map((ethertype) => sgRule(id, projectId, { direction: 'egress', ethertype })), tenant_id: projectId, project_id: projectId };
      state.securityGroups.set(g.id, g);
      answer(res, 201, { security_group: g });
    }),
    route('DELETE', '/network/v2.0/security-groups/:id', ({ res, params }) => {
      if (!state.securityGroups.delete(params[0]!)) return neutronError(res, 404, 'SecurityGroupNotFound', `Security group ${params[0]} does not exist`);
      answer(res, 204);
    }),
    route('GET', '/network/v2.0/security-group-rules', ({ res, url }) => answer(res, 200, { security_group_rules: [...state.securityGroups.values()].flatMap((g) => g.security_group_rules).filter((r) => matches(r, url)) })),
    route('POST', '/network/v2.0/security-group-rules', async ({ req, res, projectId }) => {
      const b = (await jsonBody<{ security_group_rule?: Record<string, unknown> }>(req))?.security_group_rule;
      const g = b ? state.securityGroups.get(String(b['security_group_id'])) : undefined;
      if (!b || !g) return neutronError(res, 404, 'SecurityGroupNotFound', `Security group ${String(b?.['security_group_id'])} does not exist`);
      if (!DIRECTIONS.has(String(b['direction']))) return neutronError(res, 400, 'HTTPBadRequest', `Invalid input for direction. Reason: ${String(b['direction'])} is not in valid_values.`);
      const ethertype = b['ethertype'];
      if (ethertype !== undefined && (typeof ethertype !== 'string' || !ETHERTYPES.has(ethertype))) return neutronError(res, 400, 'SecurityGroupRuleInvalidEtherType', `Security group rule for ethertype '${JSON.stringify(ethertype)}' not supported. Allowed values are ['IPv4', 'IPv6'].`);
      const [min, max] = [b['port_range_min'], b['port_range_max']];
      if (typeof min === 'number' && typeof max === 'number' && min > max) return neutronError(res, 400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
      const rule = sgRule(g.id, projectId, b);
      const same = g.security_group_rules.find((r) => RULE_KEYS.every((k) => r[k] === rule[k]));
      if (same) return neutronError(res, 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${String(same['id'])}.`);
      g.security_group_rules.push(rule);
      answer(res, 201, { security_group_rule: rule });
    }),
    route('DELETE', '/network/v2.0/security-group-rules/:id', ({ res, params }) => {
      for (const g of state.securityGroups.values()) {
        const i = g.security_group_rules.findIndex((r) => r['id'] === params[0]);
        if (i >= 0) {
          g.security_group_rules.splice(i, 1);
          return answer(res, 204);
        }
      }
      neutronError(res, 404, 'SecurityGroupRuleNotFound', `Security group rule ${params[0]} does not exist`);
    }),
    route('GET', '/network/v2.0/quotas/:id/details.json', ({ res }) =>
      answer(res, 200, {
        quota: {
          network: { limit: 100, used: state.networks.size, reserved: 0 },
          subnet: { limit: 100, used: state.subnets.size, reserved: 0 },
          port: { limit: 500, used: state.ports.size, reserved: 0 },
          security_group: { limit: 10, used: state.securityGroups.size, reserved: 0 },
        },
      }),
    ),
  ];
}
