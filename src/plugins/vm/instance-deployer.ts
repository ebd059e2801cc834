import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { checkSamePackage } from '../plugin-kit/applcm-calls.js';
import type { InstantiateInput } from '../plugin-kit/applcm-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { fittingFlavor, flavorName } from './compute-fit.js';
import type { NeutronNetwork } from './openstack/neutron.js';
import type { OpenStackCloud } from './openstack/openstack-cloud.js';
import { isConflict } from './openstack/openstack-error.js';
import { OwnedRegistry } from './owned-registry.js';
import { packageStatus, uploadKey } from './package-images.js';
import { userData } from './user-data.js';
import { cloudFor, failure, VimError, type VmContext } from './vm-context.js';
import type { VmInstanceRecord, VmPackageRecord } from './vm-store.js';
import { resolve, type VmPort, type VmTemplate, type VmVdu, type VmVirtualLink } from './vm-template.js';

/** Placeholder addresses EdgeGallery templates carry for "none": never sent to Neutron. */
const NO_ADDRESS = new Set(['0.0.0.0', '00::00', '::', '00:00:00:00:00:00']);
const usable = (v: string | undefined, kind: 'ip4' | 'ip6' | 'mac'): string | undefined => {
  if (!v || NO_ADDRESS.has(v)) return undefined;
  if (kind === 'ip4') return isIP(v) === 4 && !v.startsWith('127.') ? v : undefined;
  if (kind === 'ip6') return isIP(v) === 6 && v !== '::1' ? v : undefined;
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(v) ? v : undefined;
};

/**
 * Boots and removes instances with Nova and Neutron directly (no Heat: every resource is made and recorded one by
 * one, so a failure undoes exactly what was made). Per VDU: a flavor that fits (found or created), the package's
 * image, a port on the network of each virtual link (found by name or created), a server with the AK/SK and the
 * instance id in its user data. Everything made is written to the instance record before the next step, so a
 * failure or a crash leaves a record that says what to remove.
 */
export class InstanceDeployer {
  constructor(private readonly ctx: VmContext) {}

  instantiate(r: InstantiateInput): Promise<void> {
    const id = r.appInstanceId.toLowerCase();
    return this.ctx.locks.run(instanceKey(r.tenantId, r.hostIp, id), async () => {
      const { store } = this.ctx;
      const prior = await store.instance(r.tenantId, r.hostIp, id);
      checkSamePackage(prior, id, r.appPackageId);
      if (prior?.state === 'ACTIVE') return;
      const cloud = await cloudFor(this.ctx, r.tenantId, r.hostIp);
      let pkg = await store.package(r.tenantId, r.hostIp, r.appPackageId);
      if (!pkg) throw new RpcError(status.NOT_FOUND, `no package ${r.appPackageId} on host ${r.hostIp}`);
      if (pkg.packageError || !pkg.template) throw new RpcError(status.FAILED_PRECONDITION, `package ${r.appPackageId} cannot be instantiated on a VM host: ${pkg.packageError ?? 'no VM template'}`);
      pkg = await this.distributedPackage(r, pkg);
      // What an earlier attempt left (failed, or interrupted by a crash) goes first.
      if (prior) await this.undo(cloud, r.tenantId, r.hostIp, prior);
      const rec: VmInstanceRecord = { appInstanceId: id, appPackageId: r.appPackageId, state: 'CREATING', servers: [], ports: [], flavors: [], networks: [] };
      await store.putInstance(r.tenantId, r.hostIp, rec);
      this.ctx.hub.publish(instanceKey(r.tenantId, r.hostIp, id), { kind: 'status' });
      try {
        await this.create(cloud, r, pkg, pkg.template!, rec);
        await this.awaitActive(cloud, rec);
        rec.state = 'ACTIVE';
        await store.putInstance(r.tenantId, r.hostIp, rec);
      } catch (e) {
        const undone = await this.undo(cloud, r.tenantId, r.hostIp, rec).then(
          () => '',
          (u: unknown) => `; removing what it made failed too: ${(u as Error).message}`,
        );
        if (!undone) await store.removeInstance(r.tenantId, r.hostIp, id);
        else await store.putInstance(r.tenantId, r.hostIp, { ...rec, state: 'FAILED', reason: (e as Error).message });
        const f = failure(`instantiate ${id}`, e);
        throw new RpcError(f.code, `${f.details}${undone}`);
      } finally {
        this.ctx.hub.publish(instanceKey(r.tenantId, r.hostIp, id), { kind: 'status' });
      }
    });
  }

  /** The package once its images are in Glance: an instantiate right after the upload waits for them (up to the boot timeout). */
  private async distributedPackage(r: InstantiateInput, first: VmPackageRecord): Promise<VmPackageRecord> {
    const until = Date.now() + this.ctx.opts.bootTimeoutMs;
    const key = uploadKey(r.tenantId, r.hostIp, r.appPackageId);
    // Whether the upload runs is known before each record is read (`first` was read before this call): an upload
    // saves its last state before it stops running, so "not uploading" is never paired with a record older than that.
    let uploading = true;
    for (let pkg: VmPackageRecord | undefined = first; pkg; uploading = this.ctx.uploads.has(key), pkg = await this.ctx.store.package(r.tenantId, r.hostIp, r.appPackageId)) {
      const ps = packageStatus(pkg, uploading);
      if (ps.status === 'Distributed') return pkg;
      if (ps.status === 'Error' || Date.now() > until) throw new RpcError(status.FAILED_PRECONDITION, `package ${r.appPackageId} is not ready on host ${r.hostIp}: ${ps.status}${ps.reason ? ` (${ps.reason})` : ''}`);
      await sleep(this.ctx.opts.pollMs);
    }
    throw new RpcError(status.NOT_FOUND, `package ${r.appPackageId} was deleted from host ${r.hostIp}`);
  }

  terminate(tenantId: string, hostIp: string, appInstanceId: string): Promise<void> {
    const id = appInstanceId.toLowerCase();
    return this.ctx.locks.run(instanceKey(tenantId, hostIp, id), async () => {
      const rec = await this.ctx.store.instance(tenantId, hostIp, id);
      if (!rec) return;
      const cloud = await cloudFor(this.ctx, tenantId, hostIp);
      try {
        await this.undo(cloud, tenantId, hostIp, rec);
      } catch (e) {
        throw failure(`terminate ${id}`, e);
      }
      await this.ctx.store.removeInstance(tenantId, hostIp, id);
      this.ctx.hub.publish(instanceKey(tenantId, hostIp, id), { kind: 'gone' });
    });
  }

  private async create(cloud: OpenStackCloud, r: InstantiateInput, pkg: VmPackageRecord, t: VmTemplate, rec: VmInstanceRecord): Promise<void> {
    const save = () => this.ctx.store.putInstance(r.tenantId, r.hostIp, rec);
    const registry = new OwnedRegistry(this.ctx, r.tenantId, r.hostIp);
    const networks = new Map<string, string>();
    const short = rec.appInstanceId.slice(0, 8);
    for (const vdu of t.vdus) {
      const image = pkg.images.find((i) => i.name === vdu.swImageName)?.glanceId;
      if (!image) throw new RpcError(status.FAILED_PRECONDITION, `VDU ${vdu.id} uses image ${vdu.swImageName}, which the package's SwImageDesc.json does not describe`);
      const flavor = await this.flavorFor(cloud, registry, vdu, rec.appInstanceId);
      if (!rec.flavors.includes(flavor)) rec.flavors.push(flavor);
      await save();
      const ports: string[] = [];
      for (const p of vdu.ports) {
        const vl = t.virtualLinks.find((l) => l.id === p.virtualLink);
        if (!vl) throw new RpcError(status.FAILED_PRECONDITION, `connection point ${p.cpId} names virtual link ${p.virtualLink}, which the template does not define`);
        let net = networks.get(vl.id);
        if (!net) {
          net = await this.networkFor(cloud, registry, vl, r.parameters, t, rec.appInstanceId);
          networks.set(vl.id, net);
          if (!rec.networks.includes(net)) rec.networks.push(net);
          await save();
        }
        const port = await cloud.neutron.create<{ id: string }>('ports', this.portBody(p, net, r.parameters, t, `${short}-${p.cpId}`));
        rec.ports.push(port.id);
        ports.push(port.id);
        await save();
      }
      const az = resolve(vdu.availabilityZone, r.parameters, t);
      let data: string | undefined;
      try {
        data = userData(vdu, t, { params: r.parameters, appInstanceId: rec.appInstanceId, ak: r.parameters['ak'], sk: r.parameters['sk'] });
      } catch (e) {
        throw new RpcError(status.FAILED_PRECONDITION, (e as Error).message);
      }
      const name = `${vdu.name}-${short}`;
      const serverId = await cloud.nova.createServer({
        name,
        imageRef: image,
        flavorRef: flavor,
        networks: ports.map((port) => ({ port })),
        ...(data ? { user_data: data } : {}),
        ...(vdu.configDrive ? { config_drive: true } : {}),
        ...(az ? { availability_zone: az } : {}),
        metadata: { applcm_instance_id: rec.appInstanceId, applcm_vdu: vdu.id },
      });
      rec.servers.push({ vduId: vdu.id, id: serverId, name });
      await save();
    }
  }

  private flavorFor(cloud: OpenStackCloud, registry: OwnedRegistry, vdu: VmVdu, user: string): Promise<string> {
    return registry.findOrCreate(
      'flavors',
      user,
      async () => fittingFlavor(vdu, await cloud.nova.flavors())?.id,
      async () => {
        const f = await cloud.nova.createFlavor({ name: flavorName(vdu), vcpus: vdu.vcpus, ram: vdu.ramMb, disk: vdu.diskGb });
        try {
          await cloud.nova.setExtraSpecs(f.id, vdu.flavorExtraSpecs);
        } catch (e) {
          await cloud.nova.deleteFlavor(f.id).catch(() => undefined);
          throw e;
        }
        return f.id;
      },
    );
  }

  /**
   * The network of a virtual link, found by name or created with its subnets. Provider attributes are set only when
   * the segmentation id is a number: EdgeGallery templates carry placeholders (`network_mep_vlanid`) for
   * "not configured", and those would make Neutron refuse the network.
   */
  private networkFor(cloud: OpenStackCloud, registry: OwnedRegistry, vl: VmVirtualLink, params: Record<string, string>, t: VmTemplate, user: string): Promise<string> {
    const name = resolve(vl.networkName, params, t) ?? vl.id;
    return registry.findOrCreate(
      'networks',
      user,
      async () => (await cloud.neutron.list<NeutronNetwork>('networks', { name }))[0]?.id,
      async () => {
        const type = resolve(vl.networkType, params, t);
        const physnet = resolve(vl.physicalNetwork, params, t);
        const seg = resolve(vl.segmentationId, params, t);
        const provider = type && seg && /^\d+$/.test(seg) ? { 'provider:network_type': type, 'provider:segmentation_id': Number(seg), ...(physnet ? { 'provider:physical_network': physnet } : {}) } : {};
        const net = await cloud.neutron.create<NeutronNetwork>('networks', { name, admin_state_up: true, ...provider });
        try {
          for (const s of vl.subnets) {
            const cidr = resolve(s.cidr, params, t);
            if (!cidr) continue;
            const gw = resolve(s.gatewayIp, params, t);
            await cloud.neutron.create('subnets', {
              network_id: net.id,
              name: s.name ?? `${name}-subnet`,
              ip_version: s.ipVersion,
              cidr,
              ...(gw ? { gateway_ip: gw } : {}),
              ...(s.enableDhcp !== undefined ? { enable_dhcp: s.enableDhcp } : {}),
              ...(s.allocationPools.length ? { allocation_pools: s.allocationPools } : {}),
              ...(s.dnsNameservers.length ? { dns_nameservers: s.dnsNameservers } : {}),
            });
          }
        } catch (e) {
          await cloud.neutron.delete('networks', net.id).catch(() => undefined);
          throw e;
        }
        return net.id;
      },
    );
  }

  private portBody(p: VmPort, networkId: string, params: Record<string, string>, t: VmTemplate, name: string): Record<string, unknown> {
    const ip4 = usable(resolve(p.ipv4, params, t), 'ip4');
    const ip6 = usable(resolve(p.ipv6, params, t), 'ip6');
    const mac = usable(resolve(p.mac, params, t), 'mac');
    const fixed = [ip4, ip6].filter((x): x is string => x !== undefined).map((ip_address) => ({ ip_address }));
    return {
      network_id: networkId,
      name,
      admin_state_up: true,
      ...(p.portSecurityEnabled !== undefined ? { port_security_enabled: p.portSecurityEnabled } : {}),
      ...(p.vnicType ? { 'binding:vnic_type': p.vnicType } : {}),
      ...(fixed.length ? { fixed_ips: fixed } : {}),
      ...(mac ? { mac_address: mac } : {}),
    };
  }

  /** Every server ACTIVE, or the first one in ERROR (with Nova's fault), or the boot timeout. */
  private async awaitActive(cloud: OpenStackCloud, rec: VmInstanceRecord): Promise<void> {
    const until = Date.now() + this.ctx.opts.bootTimeoutMs;
    for (;;) {
      const states = await Promise.all(rec.servers.map(async (s) => ({ s, server: await cloud.nova.server(s.id) })));
      let waiting: string[] = [];
      for (const { s, server } of states) {
        if (!server) throw new VimError(`server ${s.name} (${s.id}) disappeared while it was booting`);
        if (server.status === 'ERROR') throw new VimError(`server ${s.name} (${s.id}) went to ERROR: ${server.fault?.message ?? 'Nova gave no fault'}`);
        if (server.status !== 'ACTIVE') waiting = [...waiting, `${s.name}: ${server.status}`];
      }
      if (waiting.length === 0) return;
      if (Date.now() > until) throw new VimError(`servers not ACTIVE after ${this.ctx.opts.bootTimeoutMs} ms (${waiting.join(', ')})`);
      await sleep(this.ctx.opts.pollMs);
    }
  }

  /**
   * Removes what the record says the instance made: servers (waited for until Nova has deleted them, so their ports
   * are free), its ports, then its use of flavors and networks (removed when the plugin made them and no other
   * instance uses them). A network still used by something else (409) stays in the registry for its last user.
   */
  private async undo(cloud: OpenStackCloud, tenantId: string, hostIp: string, rec: VmInstanceRecord): Promise<void> {
    const registry = new OwnedRegistry(this.ctx, tenantId, hostIp);
    for (const s of rec.servers) await cloud.nova.deleteServer(s.id);
    const until = Date.now() + this.ctx.opts.deleteTimeoutMs;
    for (const s of rec.servers) {
      while (await cloud.nova.server(s.id)) {
        if (Date.now() > until) throw new VimError(`server ${s.name} (${s.id}) still exists ${this.ctx.opts.deleteTimeoutMs} ms after its deletion`);
        await sleep(this.ctx.opts.pollMs);
      }
    }
    rec.servers = [];
    for (const p of rec.ports) await cloud.neutron.delete('ports', p);
    rec.ports = [];
    for (const f of rec.flavors) await registry.release('flavors', f, rec.appInstanceId, () => cloud.nova.deleteFlavor(f));
    rec.flavors = [];
    for (const n of rec.networks) {
      await registry.release('networks', n, rec.appInstanceId, async () => {
        try {
          await cloud.neutron.delete('networks', n);
        } catch (e) {
          // Ports of something the plugin did not make: the network stays, for whoever uses it.
          if (isConflict(e)) return false;
          throw e;
        }
      });
    }
    rec.networks = [];
  }
}
