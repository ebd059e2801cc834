import { randomBytes, randomUUID } from 'node:crypto';
import { addImage, storeData } from './glance-routes.js';
import { answer, jsonBody, novaError, route, type Route } from './http-util.js';
import type { FakePort, FakeServer, FakeState } from './fake-state.js';
import { allocate } from './neutron-routes.js';

const serverView = (state: FakeState, s: FakeServer): Record<string, unknown> => {
  const addresses: Record<string, unknown[]> = {};
  for (const pid of s.ports) {
    const p = state.ports.get(pid);
    if (!p) continue;
    const net = state.networks.get(p.network_id)?.name ?? p.network_id;
    for (const ip of p.fixed_ips) (addresses[net] ??= []).push({ addr: ip.ip_address, version: ip.ip_address.includes(':') ? 6 : 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': p.mac_address });
  }
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    addresses,
    flavor: { id: s.flavorRef },
    image: { id: s.imageRef },
    metadata: s.metadata,
    security_groups: s.securityGroups.map((name) => ({ name })),
    created: s.created,
    updated: new Date().toISOString(),
    'OS-EXT-AZ:availability_zone': s.availabilityZone ?? 'nova',
    'OS-EXT-STS:task_state': null,
    ...(s.fault ? { fault: s.fault } : {}),
  };
};

const flavorView = (f: { id: string; name: string; vcpus: number; ram: number; disk: number; swap: number | string; isPublic: boolean }) => ({
  id: f.id,
  name: f.name,
  vcpus: f.vcpus,
  ram: f.ram,
  disk: f.disk,
  swap: f.swap,
  'OS-FLV-EXT-DATA:ephemeral': 0,
  'os-flavor-access:is_public': f.isPublic,
  rxtx_factor: 1,
  description: null,
});

/** Which actions a server in which status takes, and where it goes. */
const ACTIONS: Record<string, { from: FakeServer['status'][]; to: FakeServer['status'] }> = {
  'os-stop': { from: ['ACTIVE', 'ERROR'], to: 'SHUTOFF' },
  'os-start': { from: ['SHUTOFF'], to: 'ACTIVE' },
  pause: { from: ['ACTIVE'], to: 'PAUSED' },
  unpause: { from: ['PAUSED'], to: 'ACTIVE' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED' },
  resume: { from: ['SUSPENDED'], to: 'ACTIVE' },
  reboot: { from: ['ACTIVE', 'SHUTOFF'], to: 'ACTIVE' },
};

export function novaRoutes(state: FakeState): Route[] {
  /** Ports Nova made for `networks: [{uuid}]`: they go with their server. */
  const novaPorts = new Set<string>();
  const act = (s: FakeServer, action: string, message: string | null = null) => s.actions.push({ action, request_id: `req-${randomUUID()}`, start_time: new Date().toISOString(), message });
  return [
    route('POST', '/compute/v2.1/servers', async ({ req, res }) => {
      const body = await jsonBody<{ server?: Record<string, unknown> }>(req);
      const s = body?.server;
      if (!s || typeof s['name'] !== 'string' || !s['name']) return novaError(res, 400, "Invalid input for field/attribute server. 'name' is a required property");
      const image = state.images.get(String(s['imageRef']));
      if (!image) return novaError(res, 400, `Image ${String(s['imageRef'])} could not be found.`);
      if (image.status !== 'active') return novaError(res, 400, `Image ${image.id} is not active.`);
      if (!state.flavors.get(String(s['flavorRef']))) return novaError(res, 400, `Flavor ${String(s['flavorRef'])} could not be found.`);
      // Security groups by name or id; every project has its `default` one.
      const groups = Array.isArray(s['security_groups']) ? (s['security_groups'] as { name?: string }[]).map((g) => String(g.name)) : ['default'];
      const unknownGroup = groups.find((g) => g !== 'default' && ![...state.securityGroups.values()].some((x) => x.name === g || x.id === g));
      if (unknownGroup !== undefined) return novaError(res, 400, `Unable to find security_group with name or id '${unknownGroup}'`);
      const nets = Array.isArray(s['networks']) ? (s['networks'] as { port?: string; uuid?: string; fixed_ip?: string }[]) : [];
      const ports: string[] = [];
      const refuse = (status: number, message: string) => {
        for (const pid of ports) if (novaPorts.delete(pid)) state.ports.delete(pid);
        novaError(res, status, message);
      };
      for (const n of nets) {
        // A network (and fixed ip) instead of a port: Nova makes the port itself, and deletes it with the server.
        if (!n.port && n.uuid) {
          const net = state.networks.get(n.uuid);
          if (!net) return refuse(400, `Network ${n.uuid} could not be found.`);
          const sn = net.subnets.map((id) => state.subnets.get(id)!).find((x) => x.ip_version === 4);
          const made: FakePort = { id: randomUUID(), name: '', network_id: net.id, device_id: '', device_owner: '', mac_address: `fa:16:3e:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`, fixed_ips: sn ? [{ subnet_id: sn.id, ip_address: n.fixed_ip ?? allocate(sn) }] : [], status: 'DOWN' };
          state.ports.set(made.id, made);
          novaPorts.add(made.id);
          ports.push(made.id);
          continue;
        }
        const p = n.port ? state.ports.get(n.port) : undefined;
        if (!p) return refuse(400, `Port ${String(n.port)} could not be found.`);
        if (p.device_id) return refuse(409, `Port ${p.id} is still in use.`);
        ports.push(p.id);
      }
      const ud = s['user_data'];
      if (ud !== undefined && (typeof ud !== 'string' || ud.length > 65535 || !/^[A-Za-z0-9+/]*={0,2}$/.test(ud))) return refuse(400, 'User data needs to be valid base 64.');
      const server: FakeServer = {
        id: randomUUID(),
        name: s['name'],
        status: 'BUILD',
        imageRef: image.id,
        flavorRef: String(s['flavorRef']),
        ports,
        securityGroups: groups,
        ...(typeof ud === 'string' ? { userData: Buffer.from(ud, 'base64').toString('utf8') } : {}),
        configDrive: s['config_drive'] === true,
        ...(typeof s['availability_zone'] === 'string' ? { availabilityZone: s['availability_zone'] } : {}),
        metadata: (s['metadata'] as Record<string, string> | undefined) ?? {},
        created: new Date().toISOString(),
        actions: [],
      };
      for (const pid of ports) {
        const p = state.ports.get(pid)!;
        p.device_id = server.id;
        p.device_owner = 'compute:nova';
      }
      act(server, 'create');
      state.servers.set(server.id, server);
      const fail = state.failNextBoot;
      state.failNextBoot = undefined;
      state.later(() => {
        if (server.status !== 'BUILD') return;
        if (fail) {
          server.status = 'ERROR';
          server.fault = { code: 500, message: fail, created: new Date().toISOString() };
        } else server.status = 'ACTIVE';
      });
      answer(res, 202, { server: { id: server.id, links: [], adminPass: randomBytes(6).toString('hex'), security_groups: groups.map((name) => ({ name })) } });
    }),
    route('GET', '/compute/v2.1/servers/detail', ({ res }) => answer(res, 200, { servers: [...state.servers.values()].map((s) => serverView(state, s)) })),
    route('GET', '/compute/v2.1/servers/:id', ({ res, params }) => {
      const s = state.servers.get(params[0]!);
      if (!s) return novaError(res, 404, `Instance ${params[0]} could not be found.`);
      answer(res, 200, { server: serverView(state, s) });
    }),
    route('DELETE', '/compute/v2.1/servers/:id', ({ res, params }) => {
      const s = state.servers.get(params[0]!);
      if (!s) return novaError(res, 404, `Instance ${params[0]} could not be found.`);
      act(s, 'delete');
      // Nova deletes asynchronously: the server is gone (and its ports unbound) a moment later.
      state.later(() => {
        state.servers.delete(s.id);
        for (const pid of s.ports) {
          if (novaPorts.delete(pid)) state.ports.delete(pid);
          const p = state.ports.get(pid);
          if (p?.device_id === s.id) {
            p.device_id = '';
            p.device_owner = '';
          }
        }
      });
      answer(res, 204);
    }),
    route('POST', '/compute/v2.1/servers/:id/action', async ({ req, res, params, projectId }) => {
      const s = state.servers.get(params[0]!);
      if (!s) return novaError(res, 404, `Instance ${params[0]} could not be found.`);
      const body = (await jsonBody<Record<string, unknown>>(req)) ?? {};
      const name = Object.keys(body)[0] ?? '';
      if (name === 'createImage') {
        const ci = body['createImage'] as { name?: string; metadata?: Record<string, string> } | undefined;
        if (!ci?.name) return novaError(res, 400, "Invalid input for field/attribute createImage. 'name' is a required property");
        const img = addImage(state, { name: ci.name, container_format: 'bare', disk_format: 'qcow2', properties: { ...ci.metadata, instance_uuid: s.id, image_type: 'snapshot' } }, projectId);
        act(s, 'createImage');
        storeData(state, img, randomBytes(state.o.diskBytes));
        return answer(res, 202, { image_id: img.id });
      }
      if (name === 'os-getVNCConsole') return answer(res, 200, { console: { type: 'novnc', url: `http://127.0.0.1:6080/vnc_auto.html?token=${randomUUID()}` } });
      const rule = ACTIONS[name];
      if (!rule) return novaError(res, 400, `There is no such action: ${name}`);
      if (name === 'reboot') {
        const type = (body['reboot'] as { type?: unknown } | null)?.type;
        if (type !== 'SOFT' && type !== 'HARD') return novaError(res, 400, `Invalid input for field/attribute type. Value: ${String(type)}. '${String(type)}' is not one of ['HARD', 'Hard', 'SOFT', 'Soft']`);
        s.lastReboot = type;
      }
      if (!rule.from.includes(s.status)) return novaError(res, 409, `Cannot '${name}' instance ${s.id} while it is in vm_state ${s.status.toLowerCase()}`);
      act(s, name.replace(/^os-/, ''));
      state.later(() => {
        s.status = rule.to;
      });
      answer(res, 202);
    }),
    route('GET', '/compute/v2.1/servers/:id/os-instance-actions', ({ res, params }) => {
      const s = state.servers.get(params[0]!);
      if (!s) return novaError(res, 404, `Instance ${params[0]} could not be found.`);
      answer(res, 200, { instanceActions: [...s.actions].reverse().map((a) => ({ ...a, instance_uuid: s.id, user_id: 'u-edge', project_id: state.projectId })) });
    }),
    route('GET', '/compute/v2.1/flavors/detail', ({ res }) => answer(res, 200, { flavors: [...state.flavors.values()].map(flavorView) })),
    route('GET', '/compute/v2.1/flavors/:id', ({ res, params }) => {
      const f = state.flavors.get(params[0]!);
      if (!f) return novaError(res, 404, `Flavor ${params[0]} could not be found.`);
      answer(res, 200, { flavor: flavorView(f) });
    }),
    route('POST', '/compute/v2.1/flavors', async ({ req, res }) => {
      const f = (await jsonBody<{ flavor?: Record<string, unknown> }>(req))?.flavor;
      if (!f || typeof f['name'] !== 'string' || typeof f['vcpus'] !== 'number' || typeof f['ram'] !== 'number' || typeof f['disk'] !== 'number') return novaError(res, 400, 'Invalid input for field/attribute flavor.');
      if ([...state.flavors.values()].some((x) => x.name === f['name'])) return novaError(res, 409, `Flavor with name ${String(f['name'])} already exists.`);
      const id = randomUUID();
      const flavor = { id, name: f['name'], vcpus: f['vcpus'], ram: f['ram'], disk: f['disk'], swap: typeof f['swap'] === 'number' ? f['swap'] : '', isPublic: f['os-flavor-access:is_public'] !== false, extraSpecs: {} };
      state.flavors.set(id, flavor);
      answer(res, 200, { flavor: flavorView(flavor) });
    }),
    route('POST', '/compute/v2.1/flavors/:id/os-extra_specs', async ({ req, res, params }) => {
      const f = state.flavors.get(params[0]!);
      if (!f) return novaError(res, 404, `Flavor ${params[0]} could not be found.`);
      const specs = (await jsonBody<{ extra_specs?: Record<string, string> }>(req))?.extra_specs ?? {};
      Object.assign(f.extraSpecs, specs);
      answer(res, 200, { extra_specs: f.extraSpecs });
    }),
    route('GET', '/compute/v2.1/flavors/:id/os-extra_specs', ({ res, params }) => {
      const f = state.flavors.get(params[0]!);
      if (!f) return novaError(res, 404, `Flavor ${params[0]} could not be found.`);
      answer(res, 200, { extra_specs: f.extraSpecs });
    }),
    route('DELETE', '/compute/v2.1/flavors/:id', ({ res, params }) => {
      if (!state.flavors.delete(params[0]!)) return novaError(res, 404, `Flavor ${params[0]} could not be found.`);
      answer(res, 202);
    }),
    route('GET', '/compute/v2.1/limits', ({ res }) => {
      const used = [...state.servers.values()].map((s) => state.flavors.get(s.flavorRef)).filter((f) => f !== undefined);
      answer(res, 200, {
        limits: {
          rate: [],
          absolute: {
            maxTotalCores: 64,
            maxTotalRAMSize: 131072,
            maxTotalInstances: 20,
            totalCoresUsed: used.reduce((n, f) => n + f.vcpus, 0),
            totalRAMUsed: used.reduce((n, f) => n + f.ram, 0),
            totalInstancesUsed: used.length,
            maxServerMeta: 128,
            maxImageMeta: 128,
          },
        },
      });
    }),
    // An admin-only API: the project user of an rc file is refused, as with the default policy.
    route('GET', '/compute/v2.1/os-hypervisors/detail', ({ res }) => novaError(res, 403, 'Policy doesn\'t allow os_compute_api:os-hypervisors:list-detail to be performed.')),
  ];
}
