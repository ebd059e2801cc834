import { isNotFound } from './openstack-error.js';
import type { OpenStackSession } from './openstack-session.js';

export interface NeutronNetwork {
  id: string;
  name: string;
  status?: string;
  shared?: boolean;
  admin_state_up?: boolean;
  'router:external'?: boolean;
  availability_zones?: string[];
  subnets: string[];
  [key: string]: unknown;
}

export interface NeutronSubnet {
  id: string;
  name: string;
  cidr: string;
  network_id: string;
  [key: string]: unknown;
}

export interface NeutronPort {
  id: string;
  name: string;
  network_id: string;
  device_id: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  [key: string]: unknown;
}

export interface NeutronSecurityGroup {
  id: string;
  name: string;
  description?: string;
  security_group_rules: Record<string, unknown>[];
}

type Kind = 'networks' | 'subnets' | 'ports' | 'security-groups' | 'security-group-rules';
const SINGULAR: Record<Kind, string> = { networks: 'network', subnets: 'subnet', ports: 'port', 'security-groups': 'security_group', 'security-group-rules': 'security_group_rule' };
const PLURAL: Record<Kind, string> = { networks: 'networks', subnets: 'subnets', ports: 'ports', 'security-groups': 'security_groups', 'security-group-rules': 'security_group_rules' };

/** Neutron (network v2.0), the calls the plugin makes, one generic shape for every resource. */
export class Neutron {
  constructor(private readonly s: OpenStackSession) {}

  async list<T>(kind: Kind, filter: Record<string, string> = {}, signal?: AbortSignal): Promise<T[]> {
    const r = await this.s.json<Record<string, T[]>>('network', 'GET', `/v2.0/${kind}`, { query: filter, signal });
    return r[PLURAL[kind]] ?? [];
  }

  async get<T>(kind: Kind, id: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return (await this.s.json<Record<string, T>>('network', 'GET', `/v2.0/${kind}/${encodeURIComponent(id)}`, { signal }))[SINGULAR[kind]];
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async create<T>(kind: Kind, body: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return (await this.s.json<Record<string, T>>('network', 'POST', `/v2.0/${kind}`, { json: { [SINGULAR[kind]]: body }, signal }))[SINGULAR[kind]]!;
  }

  /** Deletes; one already gone is fine (a resource still in use is a 409 for the caller). */
  async delete(kind: Kind, id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.s.request('network', 'DELETE', `/v2.0/${kind}/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async quotaDetails(projectId: string, signal?: AbortSignal): Promise<Record<string, { limit: number; used: number; reserved?: number }>> {
    return (await this.s.json<{ quota: Record<string, { limit: number; used: number; reserved?: number }> }>('network', 'GET', `/v2.0/quotas/${encodeURIComponent(projectId)}/details.json`, { signal })).quota;
  }
}
