import { isNotFound } from './openstack-error.js';
import type { OpenStackSession } from './openstack-session.js';

export interface NovaAddress {
  addr: string;
  version?: number;
  'OS-EXT-IPS:type'?: string;
  'OS-EXT-IPS-MAC:mac_addr'?: string;
}

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  addresses?: Record<string, NovaAddress[]>;
  flavor?: { id?: string; original_name?: string };
  image?: { id?: string } | string;
  security_groups?: { name: string }[];
  metadata?: Record<string, string>;
  fault?: { code?: number; message?: string; created?: string };
  created?: string;
  updated?: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-AZ:availability_zone'?: string;
}

export interface NovaFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  swap?: number | string;
  'OS-FLV-EXT-DATA:ephemeral'?: number;
  'os-flavor-access:is_public'?: boolean;
  rxtx_factor?: number;
  description?: string | null;
  extra_specs?: Record<string, string>;
}

export interface NovaAction {
  action: string;
  request_id: string;
  start_time: string;
  message: string | null;
}

export interface ServerCreate {
  name: string;
  imageRef: string;
  flavorRef: string;
  networks: ({ port: string } | { uuid: string; fixed_ip?: string })[];
  user_data?: string;
  config_drive?: boolean;
  availability_zone?: string;
  metadata?: Record<string, string>;
  security_groups?: { name: string }[];
}

/** Nova (compute v2.1), the calls the plugin makes. */
export class Nova {
  constructor(private readonly s: OpenStackSession) {}

  async createServer(server: ServerCreate, signal?: AbortSignal): Promise<string> {
    const r = await this.s.json<{ server: { id: string } }>('compute', 'POST', '/servers', { json: { server }, signal });
    return r.server.id;
  }

  async server(id: string, signal?: AbortSignal): Promise<NovaServer | undefined> {
    try {
      return (await this.s.json<{ server: NovaServer }>('compute', 'GET', `/servers/${encodeURIComponent(id)}`, { signal })).server;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async servers(signal?: AbortSignal): Promise<NovaServer[]> {
    return (await this.s.json<{ servers: NovaServer[] }>('compute', 'GET', '/servers/detail', { signal })).servers;
  }

  /** Deletes a server; one already gone is fine. */
  async deleteServer(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.s.request('compute', 'DELETE', `/servers/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** A server action (`{"os-stop": null}`, `{"reboot": {"type": "SOFT"}}`…); answers the body, if any. */
  async action<T = unknown>(id: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<{ body: T | undefined; location: string | null }> {
    const res = await this.s.request('compute', 'POST', `/servers/${encodeURIComponent(id)}/action`, { json: body, signal });
    const text = await res.text();
    return { body: text ? (JSON.parse(text) as T) : undefined, location: res.headers.get('location') };
  }

  async actions(id: string, signal?: AbortSignal): Promise<NovaAction[]> {
    return (await this.s.json<{ instanceActions: NovaAction[] }>('compute', 'GET', `/servers/${encodeURIComponent(id)}/os-instance-actions`, { signal })).instanceActions;
  }

  async flavors(signal?: AbortSignal): Promise<NovaFlavor[]> {
    return (await this.s.json<{ flavors: NovaFlavor[] }>('compute', 'GET', '/flavors/detail', { signal, query: { is_public: 'None' } })).flavors;
  }

  async flavor(id: string, signal?: AbortSignal): Promise<NovaFlavor | undefined> {
    try {
      return (await this.s.json<{ flavor: NovaFlavor }>('compute', 'GET', `/flavors/${encodeURIComponent(id)}`, { signal })).flavor;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async createFlavor(f: { name: string; vcpus: number; ram: number; disk: number; swap?: number; isPublic?: boolean }, signal?: AbortSignal): Promise<NovaFlavor> {
    const flavor = { name: f.name, vcpus: f.vcpus, ram: f.ram, disk: f.disk, ...(f.swap ? { swap: f.swap } : {}), 'os-flavor-access:is_public': f.isPublic ?? true };
    return (await this.s.json<{ flavor: NovaFlavor }>('compute', 'POST', '/flavors', { json: { flavor }, signal })).flavor;
  }

  async setExtraSpecs(id: string, specs: Record<string, string>, signal?: AbortSignal): Promise<void> {
    if (Object.keys(specs).length) await this.s.request('compute', 'POST', `/flavors/${encodeURIComponent(id)}/os-extra_specs`, { json: { extra_specs: specs }, signal });
  }

  async extraSpecs(id: string, signal?: AbortSignal): Promise<Record<string, string>> {
    return (await this.s.json<{ extra_specs: Record<string, string> }>('compute', 'GET', `/flavors/${encodeURIComponent(id)}/os-extra_specs`, { signal })).extra_specs;
  }

  async deleteFlavor(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.s.request('compute', 'DELETE', `/flavors/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async limits(signal?: AbortSignal): Promise<Record<string, number>> {
    return (await this.s.json<{ limits: { absolute: Record<string, number> } }>('compute', 'GET', '/limits', { signal })).limits.absolute;
  }

  async hypervisors(signal?: AbortSignal): Promise<{ local_gb?: number; local_gb_used?: number }[]> {
    return (await this.s.json<{ hypervisors: { local_gb?: number; local_gb_used?: number }[] }>('compute', 'GET', '/os-hypervisors/detail', { signal })).hypervisors;
  }
}
