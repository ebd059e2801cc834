import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { isPackageId, isUuid } from '../plugin-kit/identity.js';
import { readJson, writeJson } from '../plugin-kit/json-file.js';
import type { VmTemplate } from './vm-template.js';

/** One SwImageDesc image of a package, as it stands in Glance. */
export interface PackageImage {
  name: string;
  /** The Glance image (created by the plugin, or an existing one found by name and checksum). */
  glanceId?: string;
  state: 'UPLOADING' | 'ACTIVE' | 'ERROR';
  error?: string;
}

export interface VmPackageRecord {
  packageId: string;
  bytes: number;
  sha256: string;
  /** Why the package cannot be instantiated here (not a VM CSAR); it is kept, and instantiate reports this. */
  packageError?: string;
  template?: VmTemplate;
  images: PackageImage[];
}

export interface VmServerRecord {
  vduId: string;
  id: string;
  name: string;
}

/**
 * What an instantiate created, recorded as it goes (so a crash or a failure can undo exactly that): servers and
 * ports of its own; flavors and networks through the host's shared registry (they may serve several instances).
 */
export interface VmInstanceRecord {
  appInstanceId: string;
  appPackageId: string;
  /** CREATING until every server is ACTIVE; a record left CREATING by a dead process is cleaned up by the next call. */
  state: 'CREATING' | 'ACTIVE' | 'FAILED';
  reason?: string;
  servers: VmServerRecord[];
  ports: string[];
  flavors: string[];
  networks: string[];
  /** Set by operate STOP, removed by START. */
  stopped?: boolean;
  updatedAt?: string;
}

/** Resources the plugin created on a host and which packages or instances use them; the last user removes them. */
export interface OwnedResources {
  images: Record<string, string[]>;
  networks: Record<string, string[]>;
  flavors: Record<string, string[]>;
}

/**
 * The VM plugin's files, per (tenant, host) as in the original: `hosts/<tenant>/<ip>/openrc` (0600) and
 * `owned.json`, `packages/<tenant>/<ip>/<packageId>/{package.csar,package.json}`,
 * `instances/<tenant>/<ip>/<instanceId>.json`, and `tmp/` for uploads in flight. Every name taken from a request is
 * checked again here, so no path can climb out of the data dir.
 */
export class VmStore {
  constructor(readonly dataDir: string) {}

  get tmpDir(): string {
    return path.join(this.dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  private hostDir(tenantId: string, hostIp: string): string {
    return path.join(this.dataDir, 'hosts', ...segments(tenantId, hostIp));
  }

  rcPath(tenantId: string, hostIp: string): string {
    return path.join(this.hostDir(tenantId, hostIp), 'openrc');
  }

  async rcFile(tenantId: string, hostIp: string): Promise<string | undefined> {
    try {
      return await fs.readFile(this.rcPath(tenantId, hostIp), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async putRcFile(tenantId: string, hostIp: string, content: Buffer): Promise<void> {
    const file = this.rcPath(tenantId, hostIp);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, content, { mode: 0o600 });
    await fs.rename(tmp, file);
  }

  async removeRcFile(tenantId: string, hostIp: string): Promise<void> {
    await fs.rm(this.rcPath(tenantId, hostIp), { force: true });
  }

  async owned(tenantId: string, hostIp: string): Promise<OwnedResources> {
    return (await readJson<OwnedResources>(path.join(this.hostDir(tenantId, hostIp), 'owned.json'))) ?? { images: {}, networks: {}, flavors: {} };
  }

  putOwned(tenantId: string, hostIp: string, o: OwnedResources): Promise<void> {
    return writeJson(path.join(this.hostDir(tenantId, hostIp), 'owned.json'), o);
  }

  packageDir(tenantId: string, hostIp: string, packageId: string): string {
    if (!isPackageId(packageId)) throw new Error(`not a package id: ${JSON.stringify(packageId)}`);
    return path.join(this.dataDir, 'packages', ...segments(tenantId, hostIp), packageId);
  }

  package(tenantId: string, hostIp: string, packageId: string): Promise<VmPackageRecord | undefined> {
    return readJson<VmPackageRecord>(path.join(this.packageDir(tenantId, hostIp, packageId), 'package.json'));
  }

  putPackage(tenantId: string, hostIp: string, rec: VmPackageRecord): Promise<void> {
    return writeJson(path.join(this.packageDir(tenantId, hostIp, rec.packageId), 'package.json'), rec);
  }

  async removePackage(tenantId: string, hostIp: string, packageId: string): Promise<void> {
    await fs.rm(this.packageDir(tenantId, hostIp, packageId), { recursive: true, force: true });
  }

  private instancePath(tenantId: string, hostIp: string, appInstanceId: string): string {
    if (!isUuid(appInstanceId)) throw new Error(`not an instance id: ${JSON.stringify(appInstanceId)}`);
    return path.join(this.dataDir, 'instances', ...segments(tenantId, hostIp), `${appInstanceId.toLowerCase()}.json`);
  }

  instance(tenantId: string, hostIp: string, appInstanceId: string): Promise<VmInstanceRecord | undefined> {
    return readJson<VmInstanceRecord>(this.instancePath(tenantId, hostIp, appInstanceId));
  }

  putInstance(tenantId: string, hostIp: string, rec: VmInstanceRecord): Promise<void> {
    return writeJson(this.instancePath(tenantId, hostIp, rec.appInstanceId), { ...rec, updatedAt: new Date().toISOString() });
  }

  async removeInstance(tenantId: string, hostIp: string, appInstanceId: string): Promise<void> {
    await fs.rm(this.instancePath(tenantId, hostIp, appInstanceId), { force: true });
  }
}

function segments(tenantId: string, hostIp: string): [string, string] {
  const tenant = tenantId.toLowerCase();
  if (!isUuid(tenant)) throw new Error(`not a tenant id: ${JSON.stringify(tenantId)}`);
  if (!isIPv4(hostIp)) throw new Error(`not a host ip: ${JSON.stringify(hostIp)}`);
  return [tenant, hostIp];
}
