import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { deletePackage, query, terminate } from '../../src/plugins/conformance/check-context.js';
import { expectCode, unary } from '../../src/plugins/conformance/grpc-calls.js';
import { status } from '@grpc/grpc-js';
import { distributed, instanceStatusOf, instantiateWith, startVmHarness, VM_IMAGE_URL, type VmHarness } from './vm-harness.js';

// vm-openstack.zip from upload to running servers to terminate, against the fake Keystone/Nova/Glance/Neutron.

describe('VM plugin lifecycle: vm-openstack.zip', () => {
  let h: VmHarness;
  before(async () => {
    h = await startVmHarness();
  });
  after(() => h.stop());

  it('uploads the image to Glance, boots the VDU with a fitting flavor, ports and user data, reports it, and terminate removes exactly what it made', async () => {
    const ctx = h.ctx;
    const s = h.cloud.state;
    // One of the three networks exists already (with a subnet): it is used, not created, and never removed.
    const existing = { id: randomUUID(), name: 'mec_network_mep', status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [] as string[] };
    s.networks.set(existing.id, existing);
    const subnet = { id: randomUUID(), name: 'mep-subnet', network_id: existing.id, cidr: '192.168.10.0/24', ip_version: 4, gateway_ip: '192.168.10.1', enable_dhcp: true, next: 9 };
    s.subnets.set(subnet.id, subnet);
    existing.subnets.push(subnet.id);
    const before = s.counts();

    const packageId = await distributed(ctx);
    assert.deepEqual(h.proxy.requests, [VM_IMAGE_URL], 'the image was fetched from its swImage URL through the proxy');
    const imgs = [...s.images.values()];
    assert.equal(imgs.length, 1);
    const img = imgs[0]!;
    assert.equal(img.name, 'ubuntu-18.04');
    assert.equal(img.status, 'active');
    assert.deepEqual(img.data, h.proxy.bytesFor(VM_IMAGE_URL));
    assert.equal(img.disk_format, 'raw');
    assert.equal(img.container_format, 'bare');
    assert.equal(img.min_ram, 6);
    assert.equal(img.min_disk, 3);
    assert.equal(img.properties['__os_version'], 'ubuntu');
    assert.equal(img.properties['hw_disk_bus'], 'scsi');

    const appInstanceId = randomUUID();
    const ak = 'AK0123456789abcdefgh';
    const sk = "s'k; rm -rf / #$(reboot)";
    const res = await instantiateWith(ctx, appInstanceId, packageId, { ak, sk, mep_ip: '10.0.0.5', mep_port: '8443' });
    assert.equal(res.status, 'Success');

    const servers = [...s.servers.values()];
    assert.equal(servers.length, 1);
    const vm = servers[0]!;
    assert.equal(vm.status, 'ACTIVE');
    assert.equal(vm.name, `eulerforTR6_iso_arm_EMS_VDU1-${appInstanceId.slice(0, 8)}`);
    assert.equal(vm.imageRef, img.id);
    assert.equal(vm.configDrive, true);
    assert.equal(vm.availabilityZone, 'nova');
    assert.equal(vm.metadata['applcm_instance_id'], appInstanceId);
    const flavor = s.flavors.get(vm.flavorRef)!;
    assert.match(flavor.name, /^applcm-1c-1024m-40g-[0-9a-f]{8}$/);
    assert.deepEqual(flavor.extraSpecs, { mgmt_egx86: 'true', EG: 'true', 'hw:cpu_policy': 'shared' });
    // Three ports in the CP order, on the existing network and two created ones.
    const ports = vm.ports.map((p) => s.ports.get(p)!);
    assert.deepEqual(
      ports.map((p) => s.networks.get(p.network_id)!.name),
      ['mec_network_mep', 'mec_newwork_internet', 'mec_newwork_n6'],
    );
    assert.equal(ports[0]!.fixed_ips[0]!.ip_address, '192.168.10.10');
    // User data: the template's script with its parameters, then the identity lines, quoted.
    assert.ok(vm.userData!.startsWith('#!/bin/bash\n'));
    assert.ok(vm.userData!.includes('echo "mep_ip=10.0.0.5" >> /home/init.txt'));
    assert.ok(vm.userData!.includes(`printf '%s\\n' 'app_instance_id=${appInstanceId}' 'ak=${ak}' 'sk=s'\\''k; rm -rf / #$(reboot)' >> /root/init.txt`));

    const st = await instanceStatusOf(ctx, appInstanceId);
    assert.equal(st.state, InstanceStatus_State.RUNNING);
    assert.deepEqual(st.workloads.map((w) => [w.kind, w.name, w.phase, w.ready]), [['Server', vm.id, 'ACTIVE', true]]);
    assert.deepEqual(st.workloads[0]!.addresses, ['mec_network_mep=192.168.10.10']);

    const q = JSON.parse((await query(ctx, appInstanceId)).response) as Record<string, unknown>;
    assert.equal(q['code'], 200);
    assert.equal(q['status'], 'Instantiated');
    assert.deepEqual(q['data'], [{ vmId: vm.id, vmName: vm.name, vduId: 'EMS_VDU1', status: 'ACTIVE', networks: [{ name: 'mec_network_mep', ip: '192.168.10.10' }] }]);

    const ev = JSON.parse((await unary<{ response: string }>(ctx.deadlineMs, (md, o, cb) => ctx.lcm.workloadEvents({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb))).response) as {
      resources: { physicalResourceId: string; events: { resourceStatus: string }[] }[];
    };
    assert.equal(ev.resources[0]!.physicalResourceId, vm.id);
    assert.deepEqual(ev.resources[0]!.events.map((e) => e.resourceStatus), ['create']);

    const kpi = JSON.parse((await unary<{ response: string }>(ctx.deadlineMs, (md, o, cb) => ctx.lcm.queryKpi({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp }, md, o, cb))).response) as { retCode: number; data: Record<string, number> };
    assert.equal(kpi.retCode, 200);
    assert.equal(kpi.data['totalCoresUsed'], 1);
    assert.equal(kpi.data['virtual_cpu_total'], 64);
    assert.equal(kpi.data['portUsed'], 3);

    // Instantiate again with the same package: nothing new.
    assert.equal((await instantiateWith(ctx, appInstanceId, packageId, { ak, sk })).status, 'Success');
    assert.equal(s.servers.size, 1);

    assert.equal((await terminate(ctx, appInstanceId)).status, 'Success');
    await expectCode(query(ctx, appInstanceId), status.NOT_FOUND, 'query after terminate');
    const afterTerminate = s.counts();
    assert.deepEqual({ ...afterTerminate, images: 0 }, { ...before, images: 0 }, 'servers, ports, created networks and the created flavor are gone; the existing network stays');
    assert.ok(s.networks.has(existing.id));
    assert.equal(afterTerminate.images, 1, 'the package image stays while the package does');

    assert.equal((await deletePackage(ctx, packageId)).status, 'Success');
    assert.equal(s.images.size, 0, 'the image the package brought goes with it');
  });

  it('a second package with the same image reuses it; the image goes with the last package', async () => {
    const ctx = h.newTenant();
    const first = await distributed(ctx);
    const second = await distributed(ctx);
    assert.equal(h.cloud.state.images.size, 1, 'deduplicated by name and checksum');
    assert.equal((await deletePackage(ctx, first)).status, 'Success');
    assert.equal(h.cloud.state.images.size, 1, 'still used by the second package');
    assert.equal((await deletePackage(ctx, second)).status, 'Success');
    assert.equal(h.cloud.state.images.size, 0);
  });

  it('reuses the Keystone token across calls', async () => {
    const ctx = h.newTenant();
    const before = h.cloud.state.authentications;
    await distributed(ctx);
    const id = randomUUID();
    const pkg = await distributed(ctx);
    assert.equal((await instantiateWith(ctx, id, pkg, {})).status, 'Success');
    assert.equal((await terminate(ctx, id)).status, 'Success');
    assert.equal(h.cloud.state.authentications - before, 1, 'one authentication for the whole sequence');
  });
});
