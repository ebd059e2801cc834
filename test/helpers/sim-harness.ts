import { randomUUID } from 'node:crypto';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { PluginExtensionsClient } from '../../src/generated/proto/applcm_plugin.js';
import { AppLCMClient, type UploadCfgRequest, type UploadCfgResponse, type UploadPackageRequest, type UploadPackageResponse } from '../../src/generated/proto/lcmservice.js';
import { VmImageMangerClient } from '../../src/generated/proto/resourcemanager.js';
import { unary, upload } from '../../src/plugins/conformance/grpc-calls.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import type { SimPluginOptions } from '../../src/plugins/sim/sim-options.js';

/** A started simulator with raw generated clients: the sim tests talk the wire protocol, not our plugin client. */
export interface SimHarness {
  sim: SimPlugin;
  lcm: AppLCMClient;
  ext: PluginExtensionsClient;
  img: VmImageMangerClient;
  close(): Promise<void>;
}

export interface Identity {
  accessToken: string;
  tenantId: string;
  hostIp: string;
}

export const DEADLINE_MS = 5000;

export const identity = (): Identity => ({ accessToken: 'tok', tenantId: randomUUID(), hostIp: '10.1.2.3' });

export async function startSim(o: SimPluginOptions = {}): Promise<SimHarness> {
  const sim = await SimPlugin.start(o);
  const creds = credentials.createInsecure();
  const lcm = new AppLCMClient(sim.address, creds);
  const ext = new PluginExtensionsClient(sim.address, creds);
  const img = new VmImageMangerClient(sim.address, creds);
  return {
    sim,
    lcm,
    ext,
    img,
    close: async () => {
      lcm.close();
      ext.close();
      img.close();
      await sim.stop();
    },
  };
}

export function* pieces(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export const cfgMessages = (id: Identity, bytes: Buffer, chunk = 64 * 1024): UploadCfgRequest[] => [
  { data: { $case: 'accessToken', value: id.accessToken } },
  { data: { $case: 'tenantId', value: id.tenantId } },
  { data: { $case: 'hostIp', value: id.hostIp } },
  ...[...pieces(bytes, chunk)].map((c): UploadCfgRequest => ({ data: { $case: 'configFile', value: c } })),
];

export const pkgMessages = (id: Identity, packageId: string, bytes: Buffer, chunk = 256 * 1024): UploadPackageRequest[] => [
  { data: { $case: 'accessToken', value: id.accessToken } },
  { data: { $case: 'appPackageId', value: packageId } },
  { data: { $case: 'hostIp', value: id.hostIp } },
  { data: { $case: 'tenantId', value: id.tenantId } },
  ...[...pieces(bytes, chunk)].map((c): UploadPackageRequest => ({ data: { $case: 'package', value: c } })),
];

export const uploadConfig = (h: SimHarness, messages: UploadCfgRequest[], deadlineMs = DEADLINE_MS) =>
  upload<UploadCfgRequest, UploadCfgResponse>(deadlineMs, (md, o, cb) => h.lcm.uploadConfig(md, o, cb), messages);

export const uploadPackage = (h: SimHarness, messages: UploadPackageRequest[], deadlineMs = DEADLINE_MS) =>
  upload<UploadPackageRequest, UploadPackageResponse>(deadlineMs, (md, o, cb) => h.lcm.uploadPackage(md, o, cb), messages);

/** Config, a small package and a RUNNING (or DEPLOYING, with deployDelayMs) instance; returns the instance id. */
export async function deploy(h: SimHarness, id: Identity, packageId = 'pkg-a'): Promise<string> {
  await uploadConfig(h, cfgMessages(id, Buffer.from('kubeconfig')));
  await uploadPackage(h, pkgMessages(id, packageId, Buffer.from('package bytes')));
  const appInstanceId = randomUUID();
  const r = await unary<{ status: string }>(DEADLINE_MS, (md, o, cb) => h.lcm.instantiate({ ...id, appInstanceId, appPackageId: packageId, parameters: { a: '1' }, akSkLcmGen: false }, md, o, cb));
  assert.equal(r.status, 'Success');
  return appInstanceId;
}

/** Asserts a call fails with `code`, returning the error for further checks. */
export async function rejectsWith(p: Promise<unknown>, code: number): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    const err = e as ServiceError;
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.details}`);
    return err;
  }
  assert.fail(`expected code ${code}, but the call succeeded`);
}
