import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelOptions } from '@grpc/grpc-js';
import { PluginExtensionsClient } from '../../generated/proto/applcm_plugin.js';
import { AppLCMClient, type UploadCfgRequest, type UploadPackageRequest } from '../../generated/proto/lcmservice.js';
import { clientCredentials, type ClientTlsOptions } from '../grpc-tls.js';
import { expectOk, unary, upload } from './grpc-calls.js';

export interface ConformanceOptions {
  /** host:port of the plugin. */
  address: string;
  /** Plaintext when absent. */
  tls?: ClientTlsOptions;
  accessToken: string;
  /** The tenant to act as; default a fresh random UUID per check, so checks cannot see each other's state. */
  tenantId?: string;
  /** The host to act on; default 192.0.2.10 (TEST-NET-1: a plugin must not need to reach it to pass). */
  hostIp?: string;
  /** Deadline of each call; default 10 s. */
  deadlineMs?: number;
  /** The host configuration to upload (a kubeconfig for a real k8s plugin); default a placeholder text. */
  configFile?: Buffer;
  /** The package the instance checks deploy (a real one for a real plugin); default 256 KiB of random bytes. */
  packageFile?: Buffer;
  /** Run only the checks with these names. */
  only?: string[];
}

/** What one check gets: clients, its identity, and a place to register the cleanup of what it creates. */
export interface CheckContext {
  lcm: AppLCMClient;
  ext: PluginExtensionsClient;
  token: string;
  tenantId: string;
  hostIp: string;
  deadlineMs: number;
  configFile: Buffer;
  packageFile: Buffer;
  /** Runs after the check, pass or fail, last registered first; failures there are ignored. */
  defer(cleanup: () => Promise<unknown>): void;
}

export interface ConformanceCheck {
  name: string;
  run(ctx: CheckContext): Promise<void>;
}

export const CHUNK_BYTES = 256 * 1024;

export function* chunks(buf: Buffer, size = CHUNK_BYTES): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const DEFAULT_CONFIG = Buffer.from('# applcm conformance kit: placeholder host configuration\napiVersion: v1\nkind: Config\n');

/** The two clients of a run, sharing nothing but the options. */
export function openClients(o: ConformanceOptions): { lcm: AppLCMClient; ext: PluginExtensionsClient; close(): void } {
  const creds = clientCredentials(o.tls);
  // The channel, not the credentials, carries the certificate name override.
  const channelOptions: ChannelOptions = o.tls?.serverName ? { 'grpc.ssl_target_name_override': o.tls.serverName, 'grpc.default_authority': o.tls.serverName } : {};
  const lcm = new AppLCMClient(o.address, creds, channelOptions);
  const ext = new PluginExtensionsClient(o.address, creds, channelOptions);
  return {
    lcm,
    ext,
    close: () => {
      lcm.close();
      ext.close();
    },
  };
}

export function checkContext(o: ConformanceOptions, clients: { lcm: AppLCMClient; ext: PluginExtensionsClient }, cleanups: (() => Promise<unknown>)[]): CheckContext {
  return {
    ...clients,
    token: o.accessToken,
    tenantId: o.tenantId ?? randomUUID(),
    hostIp: o.hostIp ?? '192.0.2.10',
    deadlineMs: o.deadlineMs ?? 10_000,
    configFile: o.configFile ?? DEFAULT_CONFIG,
    packageFile: o.packageFile ?? randomBytes(CHUNK_BYTES),
    defer: (fn) => cleanups.push(fn),
  };
}

/** A fresh package id in the original's form (32 hex digits). */
export const newPackageId = (): string => randomUUID().replace(/-/g, '');

// The steps most checks share, each registering its own undo.

export function putConfig(ctx: CheckContext): Promise<{ status: string }> {
  ctx.defer(() => removeConfig(ctx));
  const messages: UploadCfgRequest[] = [
    { data: { $case: 'accessToken', value: ctx.token } },
    { data: { $case: 'tenantId', value: ctx.tenantId } },
    { data: { $case: 'hostIp', value: ctx.hostIp } },
    // At least two chunks, so that a plugin keeping only the last one is caught.
    ...[...chunks(ctx.configFile, Math.max(1, Math.ceil(ctx.configFile.length / 2)))].map((c): UploadCfgRequest => ({ data: { $case: 'configFile', value: c } })),
  ];
  return upload(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.uploadConfig(md, opts, cb), messages);
}

export function removeConfig(ctx: CheckContext): Promise<{ status: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.removeConfig({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp }, md, opts, cb));
}

/** The metadata messages of an upload, by name, for checks that send them out of order. */
export function packageMeta(ctx: CheckContext, packageId: string): Record<'accessToken' | 'appPackageId' | 'hostIp' | 'tenantId', UploadPackageRequest> {
  return {
    accessToken: { data: { $case: 'accessToken', value: ctx.token } },
    appPackageId: { data: { $case: 'appPackageId', value: packageId } },
    hostIp: { data: { $case: 'hostIp', value: ctx.hostIp } },
    tenantId: { data: { $case: 'tenantId', value: ctx.tenantId } },
  };
}

export const packageChunks = (bytes: Buffer): UploadPackageRequest[] => [...chunks(bytes)].map((c) => ({ data: { $case: 'package', value: c } }));

/** A well-framed package upload: the metadata in protocol order, then the chunks. */
export function packageMessages(ctx: CheckContext, packageId: string, bytes: Buffer): UploadPackageRequest[] {
  const m = packageMeta(ctx, packageId);
  return [m.accessToken, m.appPackageId, m.hostIp, m.tenantId, ...packageChunks(bytes)];
}

export function putPackage(ctx: CheckContext, packageId: string, bytes = ctx.packageFile): Promise<{ status: string }> {
  ctx.defer(() => deletePackage(ctx, packageId));
  return upload(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.uploadPackage(md, opts, cb), packageMessages(ctx, packageId, bytes));
}

export function deletePackage(ctx: CheckContext, packageId: string): Promise<{ status: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.deletePackage({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appPackageId: packageId }, md, opts, cb));
}

export function queryPackageStatus(ctx: CheckContext, packageId: string): Promise<{ response: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.queryPackageStatus({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, packageId }, md, opts, cb));
}

export function instantiate(ctx: CheckContext, appInstanceId: string, appPackageId: string): Promise<{ status: string }> {
  ctx.defer(() => terminate(ctx, appInstanceId));
  return unary(ctx.deadlineMs, (md, opts, cb) =>
    ctx.lcm.instantiate({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId, appPackageId, parameters: {}, akSkLcmGen: false }, md, opts, cb),
  );
}

export function terminate(ctx: CheckContext, appInstanceId: string): Promise<{ status: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.terminate({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, opts, cb));
}

export function query(ctx: CheckContext, appInstanceId: string): Promise<{ response: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.query({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, opts, cb));
}

/** Config, package and a deployed instance: what the instance checks start from. */
export async function deployedInstance(ctx: CheckContext): Promise<{ appInstanceId: string; packageId: string }> {
  const packageId = newPackageId();
  const appInstanceId = randomUUID();
  expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
  expectSuccess(await expectOk(putPackage(ctx, packageId), 'uploadPackage'), 'uploadPackage');
  expectSuccess(await expectOk(instantiate(ctx, appInstanceId, packageId), 'instantiate'), 'instantiate');
  return { appInstanceId, packageId };
}

export function expectSuccess(r: { status: string }, what: string): void {
  if (r.status !== 'Success') throw new Error(`${what}: status ${JSON.stringify(r.status)}, expected "Success"`);
}
