// Shared by the VM image suites: a controller whose plugin is the simulator behind a loopback proxy (to count the
// bytes the plugin sends and to cut its connections), instances whose simulated VM disk is sized by parameters,
// snapshots taken through GraphQL, and downloads through the REST endpoint.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { PluginClient, type PluginTarget } from '../../src/plugins/plugin-client.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import type { LcmOperationFieldsFragment, VmImageFieldsFragment } from '../__generated__/graphql.js';
import { CreateVmImage, VmImageById } from '../operations/images.js';
import { LcmInstantiate } from '../operations/lcm.js';
import { readyToInstantiate, settled } from './lcm-fixture.js';
import { pluginEnv } from './plugin-env.js';
import { TcpProxy } from './tcp-proxy.js';
import { startTestServer, type TestServer } from './test-server.js';

export interface ImageRig {
  t: TestServer;
  sim: SimPlugin;
  proxy: TcpProxy;
  /** A gRPC client of the simulator itself (not through the controller): what the plugin holds. */
  direct: PluginClient;
  close(): Promise<void>;
}

export async function startImageRig(label: string, env: Record<string, string> = {}): Promise<ImageRig> {
  const sim = await SimPlugin.start();
  const proxy = await TcpProxy.start('127.0.0.1', sim.port);
  const t = await startTestServer(label, {
    ...pluginEnv(proxy.address),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_RETRY_BASE_MS: '100',
    APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '1500',
    APPLCM_OPERATION_LEASE_MS: '3000',
    ...env,
  });
  const direct = new PluginClient({ vim: 'k8s', address: sim.address });
  return {
    t,
    sim,
    proxy,
    direct,
    async close() {
      direct.close();
      await t.close();
      await proxy.close();
      await sim.stop();
    },
  };
}

/**
 * An instantiated instance of tenant A on a fresh host. `vm` sets what its simulated VM's snapshot is like:
 * simDiskBytes, simSnapshotMs, simSnapshotFail (see src/plugins/sim/vm-image-service.ts).
 */
export async function vmInstance(t: TestServer, vm: Record<string, string> = {}): Promise<{ id: string; host: { id: string; ip: string } }> {
  const { host, pkg } = await readyToInstantiate(t);
  const id = randomUUID();
  const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'vmapp', parameters: vm } }, t.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const op = await settled(t, r.data!.instantiateApp.id);
  assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
  return { id, host };
}

/** Starts a snapshot of the instance's VM as tenant A; answers the operation and the image id it names. */
export async function startSnapshot(t: TestServer, instanceId: string, name = 'snap1', token = t.tokens.tenantA): Promise<{ op: LcmOperationFieldsFragment; imageId: string }> {
  const r = await t.gql(CreateVmImage, { appInstanceId: instanceId, vmId: `vm-${instanceId.slice(0, 8)}`, name }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const op = r.data!.createVmImage;
  assert.equal(op.type, 'CREATE_IMAGE');
  return { op, imageId: String(op.params.imageId) };
}

export async function imageOf(t: TestServer, id: string, token = t.tokens.tenantA): Promise<VmImageFieldsFragment> {
  const r = await t.gql(VmImageById, { id }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.vmImage;
}

/** An ACTIVE image of a new VM instance. */
export async function activeImage(t: TestServer, vm: Record<string, string> = {}): Promise<{ instanceId: string; image: VmImageFieldsFragment; host: { id: string; ip: string } }> {
  const inst = await vmInstance(t, vm);
  const { op, imageId } = await startSnapshot(t, inst.id);
  const done = await settled(t, op.id, undefined, 60_000);
  assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
  const image = await imageOf(t, imageId);
  assert.equal(image.status, 'ACTIVE');
  return { instanceId: inst.id, image, host: inst.host };
}

export const fileUrl = (t: TestServer, imageId: string, tenantId = t.tenants.A): string => `${t.url}/api/v1/tenants/${tenantId}/images/${imageId}/file`;

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The image file read from the plugin's stream directly (gRPC), as the controller's source. */
export async function readFromPlugin(direct: PluginClient, target: PluginTarget, pluginImageId: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of direct.downloadVmImage(target, pluginImageId)) parts.push(c);
  return Buffer.concat(parts);
}
