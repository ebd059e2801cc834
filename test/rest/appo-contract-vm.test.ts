// The appo contract for VM hosts (applcm-original.md §9 rows 10–20): every rescontroller request replayed as appo
// builds it (RestTemplate: `access_token`, JSON with Jackson's nulls, `Accept: */*`, `origin: MEO`), with appo's field
// spellings (`userData`, `netWorks[].networkInfo`, `portRangeMin/Max` as text, `remoteGroupId`) and the original's
// (`user_data`, `netWorks[].network`, `port_range_min/max`, `remote_group_id`), through the real VM plugin on the
// fake OpenStack — and on a real cloud when APPLCM_TEST_OPENSTACK_RC names its rc file. Every answer must be a JSON
// object appo's Gson reads as `{"data","retCode","message"}`, with HTTP 200.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ShimResponse } from './shim-client.js';
import { ok } from './shim-app-client.js';
import { answerOf, REAL_RC, res, startResRig, vmHost, type ResRig } from './rescontroller-rig.js';

/** What appo's Gson needs: 200 and a JSON object with data, retCode and message. */
function appoReads<T>(r: ShimResponse, retCode = 0): T {
  assert.equal(r.status, 200, r.text);
  const body = r.json as Record<string, unknown>;
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), r.text);
  assert.ok('data' in body && 'retCode' in body && 'message' in body, r.text);
  assert.equal(body.retCode, retCode, r.text);
  return body.data as T;
}

/** A small HTTP server holding one image file, for importVmImage's resourceUri. */
async function imageServer(bytes: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, response) => response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/images/appo.qcow2`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const backend of REAL_RC ? (['fake', 'real'] as const) : (['fake'] as const)) {
  describe(`appo against the rescontroller routes, one VM host (${backend === 'fake' ? 'fake OpenStack' : 'real OpenStack'})`, () => {
    let rig: ResRig;
    before(async () => {
      rig = await startResRig(`appovm${backend}`, backend);
    });
    after(() => rig?.close());

    it('flavors → networks → security groups and rules → images (create, import, get) → servers (create, query, actions, delete) → deletes, in both spellings', async () => {
      const { t, cloud } = rig;
      const T = t.tenants.A;
      const token = t.tokens.tenantA;
      const ip = await vmHost(rig, T, token, '10.88.0.1');
      const base = `/v1/tenants/${T}/hosts/${ip}`;
      const suffix = randomUUID().slice(0, 6);

      // Row 10: a flavor as Jackson writes appo's object, nulls included.
      const fl = await res(t, `${base}/flavors`, { method: 'POST', token, body: { name: `appofl${suffix}`, vcpus: 1, ram: 512, disk: 1, swap: null, extraSpecs: { EG: 'edge' } } });
      const { flavorId } = appoReads<{ flavorId: string }>(fl);
      if (cloud) assert.deepEqual(cloud.state.flavors.get(flavorId)?.extraSpecs, { EG: 'edge' });
      // Row 11: list, one (with its extra specs), and later delete.
      assert.ok(appoReads<{ id: string }[]>(await res(t, `${base}/flavors`, { token }), 200).some((f) => f.id === flavorId));
      const oneFlavor = appoReads<{ id: string; name: string; extraSpecs: Record<string, string> }>(await res(t, `${base}/flavors/${flavorId}`, { token }), 200);
      assert.equal(oneFlavor.name, `appofl${suffix}`);
      assert.deepEqual(oneFlavor.extraSpecs, { EG: 'edge' });

      // Row 12–13: appo's network body (name, shared, one subnet).
      const net = await res(t, `${base}/networks`, { method: 'POST', token, body: { name: `appo-net-${suffix}`, shared: false, subnet: { name: `appo-sub-${suffix}`, gatewayIp: '192.168.50.1', cidr: '192.168.50.0/24' } } });
      const { networkId } = appoReads<{ networkId: string }>(net, 200);
      assert.ok(appoReads<{ id: string; subnets: { cidr: string }[] }[]>(await res(t, `${base}/networks`, { token }), 200).some((n) => n.id === networkId && n.subnets[0]?.cidr === '192.168.50.0/24'));
      assert.equal(appoReads<{ id: string }>(await res(t, `${base}/networks/${networkId}`, { token }), 200).id, networkId);

      // Row 14: a security group.
      const sg = await res(t, `${base}/securityGroups`, { method: 'POST', token, body: { name: `appo-sg-${suffix}` } });
      const { securityGroupId } = appoReads<{ securityGroupId: string }>(sg, 200);
      assert.ok(appoReads<{ id: string }[]>(await res(t, `${base}/securityGroups`, { token }), 200).some((g) => g.id === securityGroupId));
      assert.equal(appoReads<{ name: string }>(await res(t, `${base}/securityGroups/${securityGroupId}`, { token }), 200).name, `appo-sg-${suffix}`);

      // Row 16: appo's rule (ports as text, remoteGroupId) and the original's (port_range_*, remote_group_id): both reach Neutron whole.
      const rules = `${base}/securityGroups/${securityGroupId}/securityGroupRules`;
      const appoRule = await res(t, rules, {
        method: 'POST',
        token,
        body: { securityGroupId, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', portRangeMin: '80', portRangeMax: '443', remoteIpPrefix: '10.0.0.0/8', remoteGroupId: null },
      });
      const appoRuleId = appoReads<{ securityGroupRuleId: string }>(appoRule, 200).securityGroupRuleId;
      const origRule = await res(t, rules, { method: 'POST', token, body: { securityGroupId, direction: 'egress', protocol: 'udp', ethertype: 'IPv4', port_range_min: 53, port_range_max: 53, remote_group_id: securityGroupId } });
      const origRuleId = appoReads<{ securityGroupRuleId: string }>(origRule, 200).securityGroupRuleId;
      // Row 15: the rule list appo asks for (the original had no such route).
      const listed = appoReads<{ id: string; portRangeMin: number; portRangeMax: number; remoteGroupId: string | null; remoteIpPrefix: string | null; direction: string }[]>(await res(t, rules, { token }), 200);
      const byId = new Map(listed.map((r) => [r.id, r]));
      assert.deepEqual([byId.get(appoRuleId)?.portRangeMin, byId.get(appoRuleId)?.portRangeMax, byId.get(appoRuleId)?.remoteIpPrefix], [80, 443, '10.0.0.0/8']);
      assert.deepEqual([byId.get(origRuleId)?.portRangeMin, byId.get(origRuleId)?.portRangeMax, byId.get(origRuleId)?.remoteGroupId, byId.get(origRuleId)?.direction], [53, 53, securityGroupId, 'egress']);
      // Row 17.
      const delRule = await res(t, `${rules}/${origRuleId}`, { method: 'DELETE', token });
      assert.equal(delRule.status, 200, delRule.text);
      assert.deepEqual(delRule.json, ok('Delete security group rule is successful'));
      assert.ok(!appoReads<{ id: string }[]>(await res(t, rules, { token }), 200).some((r) => r.id === origRuleId));

      // Row 18: an image made empty, then filled by import from a URL; get and list.
      const bytes = randomBytes(256 * 1024 + 17);
      const files = await imageServer(bytes);
      let imageId: string;
      try {
        const img = await res(t, `${base}/images`, { method: 'POST', token, body: { name: `appoimg${suffix}`, containerFormat: 'bare', diskFormat: 'qcow2', minRam: 0, minDisk: 0, properties: {} } });
        imageId = appoReads<{ imageId: string }>(img, 200).imageId;
        const imp = await res(t, `${base}/images/${imageId}`, { method: 'POST', token, body: { imageId, resourceUri: files.url } });
        appoReads(imp, 200);
        for (let i = 0; ; i++) {
          const one = appoReads<{ status: string; size: number }>(await res(t, `${base}/images/${imageId}`, { token }), 200);
          if (one.status === 'active') {
            assert.equal(one.size, bytes.length);
            break;
          }
          assert.ok(i < 300, `the imported image is still ${one.status}`);
          await sleep(100);
        }
      } finally {
        await files.close();
      }
      if (cloud) assert.deepEqual(cloud.state.images.get(imageId)?.data, bytes);
      assert.ok(appoReads<{ imageId: string }[]>(await res(t, `${base}/images`, { token }), 200).some((i) => i.imageId === imageId));

      // Row 19: a server in appo's spelling (userData, networkInfo; imageRef unused), one in the original's.
      const appoServer = await res(t, `${base}/servers`, {
        method: 'POST',
        token,
        body: { name: `appo-vm-${suffix}`, flavor: flavorId, image: imageId, imageRef: null, availabilityZone: null, userData: '#!/bin/sh\necho appo', configDrive: false, securityGroups: [`appo-sg-${suffix}`], netWorks: [{ networkInfo: networkId, fixedIp: null }] },
      });
      const appoVm = appoReads<{ vmId: string }>(appoServer).vmId;
      const origServer = await res(t, `${base}/servers`, { method: 'POST', token, body: { name: `orig-vm-${suffix}`, flavor: flavorId, image: imageId, user_data: '#!/bin/sh\necho original', netWorks: [{ network: networkId, fixedIp: '192.168.50.20' }] } });
      const origVm = appoReads<{ vmId: string }>(origServer).vmId;
      if (cloud) {
        const a = cloud.state.servers.get(appoVm)!;
        const o = cloud.state.servers.get(origVm)!;
        assert.equal(a.userData, '#!/bin/sh\necho appo', 'appo’s userData reaches Nova (the original dropped it)');
        assert.equal(o.userData, '#!/bin/sh\necho original');
        const netOf = (portIds: string[]) => portIds.map((p) => cloud.state.ports.get(p)?.network_id);
        assert.deepEqual(netOf(a.ports), [networkId], 'appo’s networkInfo reaches Nova (the original dropped it)');
        assert.deepEqual(netOf(o.ports), [networkId]);
        assert.deepEqual(cloud.state.ports.get(o.ports[0]!)?.fixed_ips.map((f) => f.ip_address), ['192.168.50.20']);
      }

      // Row 20: list, one, actions (reboot in both shapes, stop, a snapshot), delete.
      assert.ok(appoReads<{ id: string }[]>(await res(t, `${base}/servers`, { token }), 200).some((s) => s.id === appoVm));
      let server: { id: string; status: string } | undefined;
      for (let i = 0; i < 300; i++) {
        server = appoReads<{ id: string; status: string }>(await res(t, `${base}/servers/${appoVm}`, { token }), 200);
        if (server.status !== 'BUILD') break;
        await sleep(100);
      }
      assert.equal(server?.id, appoVm);
      if (cloud) {
        assert.equal(server?.status, 'ACTIVE');
        appoReads(await res(t, `${base}/servers/${appoVm}`, { method: 'POST', token, body: { action: 'reboot', reboot: 'HARD', createImage: null } }), 200);
        appoReads(await res(t, `${base}/servers/${appoVm}`, { method: 'POST', token, body: { action: 'reboot', reboot: { type: 'SOFT' } } }), 200);
        const snap = appoReads<{ imageId: string }>(await res(t, `${base}/servers/${appoVm}`, { method: 'POST', token, body: { action: 'createImage', createImage: { name: 'appoSnap', metadata: { by: 'appo' } } } }), 200);
        assert.ok(cloud.state.images.has(snap.imageId), 'the snapshot is in Glance');
        assert.deepEqual(
          cloud.state.servers.get(appoVm)!.actions.map((a) => a.action),
          ['create', 'reboot', 'reboot', 'createImage'],
        );
      }
      for (const vm of [appoVm, origVm]) {
        const del = await res(t, `${base}/servers/${vm}`, { method: 'DELETE', token });
        assert.equal(del.status, 200, del.text);
        assert.deepEqual(del.json, ok('Delete server is successful'));
      }

      // The deletes of the other rows; a second delete of a network answers the plugin's 404 (appo treats it as done).
      for (const [path, what] of [
        [`${rules}/${appoRuleId}`, 'security group rule'],
        [`${base}/images/${imageId}`, 'image'],
        [`${base}/flavors/${flavorId}`, 'flavor'],
      ] as const) {
        const del = await res(t, path, { method: 'DELETE', token });
        assert.equal(del.status, 200, del.text);
        assert.deepEqual(del.json, ok(`Delete ${what} is successful`));
      }
      // Nova deletes servers a moment later: the group and the network are free once they are gone.
      for (let i = 0; ; i++) {
        const del = await res(t, `${base}/securityGroups/${securityGroupId}`, { method: 'DELETE', token });
        if (del.status === 200 && (del.json as { retCode: number }).retCode === 0) break;
        assert.ok(i < 100, del.text);
        await sleep(100);
      }
      for (let i = 0; ; i++) {
        const del = await res(t, `${base}/networks/${networkId}`, { method: 'DELETE', token });
        if ((del.json as { retCode: number }).retCode === 0) {
          assert.deepEqual(del.json, ok('Delete network is successful'));
          break;
        }
        assert.ok(i < 100, del.text);
        await sleep(100);
      }
      const again = await res(t, `${base}/networks/${networkId}`, { method: 'DELETE', token });
      assert.equal(again.status, 200, again.text);
      assert.equal(answerOf(again).retCode, 404);
      if (cloud) {
        assert.ok(!cloud.state.flavors.has(flavorId) && !cloud.state.networks.has(networkId) && !cloud.state.securityGroups.has(securityGroupId));
      }
    });
  });
}
