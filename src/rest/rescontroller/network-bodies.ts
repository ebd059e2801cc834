import { badInput } from '../../errors.js';
import {
  CreateNetworkRequest_Network,
  CreateNetworkRequest_Network_Segment,
  CreateNetworkRequest_Network_Subnet,
  CreateNetworkRequest_Network_Subnet_AllocationPool,
  CreateSecurityGroupRequest_SecurityGroup,
  CreateSecurityGroupRuleRequest_SecurityGroupRule,
} from '../../generated/proto/resourcemanager.js';
import type { ResourceRequests } from '../../plugins/plugin-client.js';
import { count, flag, list, object, objectBody, required, text, textList, type Json } from './body-fields.js';

const entry = (v: unknown, field: string): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badInput(field, `${field} must be an object`);
  return v as Json;
};

function subnetOf(s: Json, field: string): CreateNetworkRequest_Network_Subnet {
  return CreateNetworkRequest_Network_Subnet.fromPartial({
    name: text(s, 'name', `${field}.name`),
    enableDhcp: flag(s, 'enableDhcp', `${field}.enableDhcp`),
    dnsNameservers: textList(s, 'dnsNameservers', `${field}.dnsNameservers`),
    allocationPools: list(s, 'allocationPools', `${field}.allocationPools`).map((p, i) => {
      const pool = entry(p, `${field}.allocationPools[${i}]`);
      return CreateNetworkRequest_Network_Subnet_AllocationPool.fromPartial({ start: text(pool, 'start', `${field}.allocationPools.start`, 64), end: text(pool, 'end', `${field}.allocationPools.end`, 64) });
    }),
    ipVersion: count(s, 'ipVersion', `${field}.ipVersion`),
    gatewayIp: text(s, 'gatewayIp', `${field}.gatewayIp`, 64),
    cidr: required(text(s, 'cidr', `${field}.cidr`, 64), `${field}.cidr`),
    ipv6AddressMode: text(s, 'ipv6AddressMode', `${field}.ipv6AddressMode`, 32),
    ipv6RaMode: text(s, 'ipv6RaMode', `${field}.ipv6RaMode`, 32),
  });
}

/** POST …/networks: the original's body with one `subnet` (appo sends `{"name","shared","subnet":{…}}`). */
export function networkBody(body: unknown): ResourceRequests['createNetwork'] {
  const o = objectBody(body);
  const subnet = object(o, 'subnet');
  return {
    network: CreateNetworkRequest_Network.fromPartial({
      name: required(text(o, 'name', 'name'), 'name'),
      adminStateUp: flag(o, 'adminStateUp'),
      mtu: count(o, 'mtu', 'mtu'),
      providerNetworkType: text(o, 'providerNetworkType', 'providerNetworkType', 64),
      providerPhysicalNetwork: text(o, 'providerPhysicalNetwork', 'providerPhysicalNetwork'),
      providerSegmentationId: count(o, 'providerSegmentationId', 'providerSegmentationId'),
      qosPolicyId: text(o, 'qosPolicyId', 'qosPolicyId', 64),
      routerExternal: flag(o, 'routerExternal'),
      segments: list(o, 'segments').map((v, i) => {
        const s = entry(v, `segments[${i}]`);
        return CreateNetworkRequest_Network_Segment.fromPartial({
          providerSegmentationId: count(s, 'providerSegmentationId', `segments[${i}].providerSegmentationId`),
          providerPhysicalNetwork: text(s, 'providerPhysicalNetwork', `segments[${i}].providerPhysicalNetwork`),
          providerNetworkType: text(s, 'providerNetworkType', `segments[${i}].providerNetworkType`, 64),
        });
      }),
      shared: flag(o, 'shared'),
      isDefault: flag(o, 'isDefault'),
      subnets: subnet ? [subnetOf(subnet, 'subnet')] : [],
    }),
  };
}

/** POST …/securityGroups: `{"name"}`. */
export function securityGroupBody(body: unknown): ResourceRequests['createSecurityGroup'] {
  const o = objectBody(body);
  return { securityGroup: CreateSecurityGroupRequest_SecurityGroup.fromPartial({ name: required(text(o, 'name', 'name'), 'name') }) };
}

/**
 * POST …/securityGroups/{id}/securityGroupRules. The original's `port_range_min`/`port_range_max` (numbers) and
 * `remote_group_id`, and appo's `portRangeMin`/`portRangeMax` (text) and `remoteGroupId` (which the original dropped,
 * §9 row 16). The group is the path's; a body naming another one is refused.
 */
export function ruleBody(body: unknown, securityGroupId: string): ResourceRequests['createSecurityGroupRule'] {
  const o = objectBody(body);
  const named = text(o, 'securityGroupId', 'securityGroupId', 64);
  if (named !== '' && named !== securityGroupId) throw badInput('securityGroupId', 'securityGroupId is not the security group of the path');
  const direction = text(o, 'direction', 'direction', 16);
  if (direction !== '' && direction !== 'ingress' && direction !== 'egress') throw badInput('direction', 'direction must be ingress or egress');
  const ethertype = text(o, 'ethertype', 'ethertype', 16);
  if (ethertype !== '' && ethertype !== 'IPv4' && ethertype !== 'IPv6') throw badInput('ethertype', 'ethertype must be IPv4 or IPv6');
  const portRangeMin = count(o, ['port_range_min', 'portRangeMin'], 'portRangeMin');
  const portRangeMax = count(o, ['port_range_max', 'portRangeMax'], 'portRangeMax');
  if (portRangeMin > 65535 || portRangeMax > 65535) throw badInput('portRangeMin', 'ports run from 0 to 65535');
  if (portRangeMax !== 0 && portRangeMin > portRangeMax) throw badInput('portRangeMin', 'portRangeMin is above portRangeMax');
  return {
    securityGroupRule: CreateSecurityGroupRuleRequest_SecurityGroupRule.fromPartial({
      securityGroupId,
      direction,
      protocol: text(o, 'protocol', 'protocol', 32),
      ethertype,
      portRangeMin,
      portRangeMax,
      remoteIpPrefix: text(o, 'remoteIpPrefix', 'remoteIpPrefix', 64),
      remoteGroupId: text(o, ['remote_group_id', 'remoteGroupId'], 'remoteGroupId', 64),
    }),
  };
}
