import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials } from '@grpc/grpc-js';
import type { InstanceStatus } from '../../src/generated/proto/applcm_plugin.js';
import { VmImageMangerClient } from '../../src/generated/proto/resourcemanager.js';
import { checkContext, openClients, putConfig, putPackage, queryPackageStatus, type CheckContext } from '../../src/plugins/conformance/check-context.js';
import { unary } from '../../src/plugins/conformance/grpc-calls.js';
import { VmPlugin } from '../../src/plugins/vm/vm-plugin.js';
import type { VmPluginOptions } from '../../src/plugins/vm/vm-options.js';
import { FakeOpenStack, type FakeOpenStackOptions } from '../fake-openstack/fake-openstack.js';
import { ImageProxy } from '../fake-openstack/image-proxy.js';
import { fixture } from '../helpers/package-client.js';

/** The fixture's one image URL (a public address: only ever asked of the test proxy). */
export const VM_IMAGE_URL = 'http://119.8.63.144:9527/imagemanagement/v1/download?imageId=41ec94915fb84ba29226c30ea73a0a58';

export interface VmHarness {
  cloud: FakeOpenStack;
  proxy: ImageProxy;
  plugin: VmPlugin;
  ctx: CheckContext;
  images: VmImageMangerClient;
  /** A fresh check context (own tenant) on the same plugin and cloud. */
  newTenant(): CheckContext;
  stop(): Promise<void>;
}

/** The fake cloud, the image proxy and a VM plugin wired to them, with quick polling. */
export async function startVmHarness(o: { cloud?: FakeOpenStackOptions; plugin?: VmPluginOptions } = {}): Promise<VmHarness> {
  const cloud = await new FakeOpenStack({ transitionMs: 60, ...o.cloud }).start();
  const proxy = await new ImageProxy().start();
  const plugin = await VmPlugin.start({ imageProxy: proxy.url, pollMs: 40, watchPollMs: 100, deleteTimeoutMs: 10_000, bootTimeoutMs: 20_000, ...o.plugin });
  const clients = openClients({ address: plugin.address, accessToken: 'vm-test-token' });
  const images = new VmImageMangerClient(plugin.address, credentials.createInsecure());
  const newTenant = () => checkContext({ address: plugin.address, accessToken: 'vm-test-token', configFile: Buffer.from(cloud.rcFile()), packageFile: fs.readFileSync(fixture('vm-openstack.zip')), deadlineMs: 30_000 }, clients, []);
  return {
    cloud,
    proxy,
    plugin,
    ctx: newTenant(),
    images,
    newTenant,
    async stop() {
      clients.close();
      images.close();
      await plugin.stop();
      await proxy.stop();
      await cloud.stop();
    },
  };
}

/** Uploads the rc file and a package, and waits until the plugin reports it Distributed (or fails on Error). */
export async function distributed(ctx: CheckContext, packageId = randomUUID().replace(/-/g, ''), bytes = ctx.packageFile): Promise<string> {
  const up = await putConfig(ctx);
  if (up.status !== 'Success') throw new Error(`uploadConfig: ${up.status}`);
  const p = await putPackage(ctx, packageId, bytes);
  if (p.status !== 'Success') throw new Error(`uploadPackage: ${p.status}`);
  await packageState(ctx, packageId, 'Distributed');
  return packageId;
}

/** Polls queryPackageStatus until it answers `want` (any other final answer fails). */
export async function packageState(ctx: CheckContext, packageId: string, want: 'Distributed' | 'Error', timeoutMs = 20_000, why?: (packageId: string) => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { response } = await queryPackageStatus(ctx, packageId);
    if (response === want) return;
    if (response !== 'Distributing') throw new Error(`package ${packageId} is ${response}, expected ${want}${why ? ` (${why(packageId)})` : ''}`);
    if (Date.now() > until) throw new Error(`package ${packageId} still ${response} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const instanceStatusOf = (ctx: CheckContext, appInstanceId: string): Promise<InstanceStatus> =>
  unary(ctx.deadlineMs, (md, o, cb) => ctx.ext.instanceStatus({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb));

export const instantiateWith = (ctx: CheckContext, appInstanceId: string, appPackageId: string, parameters: Record<string, string>): Promise<{ status: string }> =>
  unary(ctx.deadlineMs, (md, o, cb) => ctx.lcm.instantiate({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId, appPackageId, parameters, akSkLcmGen: true }, md, o, cb));

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(40);
  }
}
