import fs from 'node:fs/promises';
import path from 'node:path';
import { hostSegments } from './host-keys.js';
import { isPackageId, isUuid } from './identity.js';
import { readJson, writeJson, writePrivate } from './json-file.js';

/**
 * The files a plugin with a real VIM keeps, per (tenant, host) as in the original: `hosts/<tenant>/<ip>/<config>`
 * (0600), `packages/<tenant>/<ip>/<packageId>/` with its `package.json` record, `instances/<tenant>/<ip>/<id>.json`,
 * and `tmp/` for what is in flight. Every name taken from a request is checked again here, so no path can climb out
 * of the data dir. Each plugin's store adds what it keeps besides.
 */
export class PluginFiles<P extends { packageId: string }, I extends { appInstanceId: string }> {
  constructor(
    readonly dataDir: string,
    /** The host configuration's file name (kubeconfig, openrc). */
    private readonly configName: string,
  ) {}

  get tmpDir(): string {
    return path.join(this.dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    // Uploads (and other files in flight) of a previous run that never finished.
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  protected hostDir(tenantId: string, hostIp: string): string {
    return path.join(this.dataDir, 'hosts', ...hostSegments(tenantId, hostIp));
  }

  configPath(tenantId: string, hostIp: string): string {
    return path.join(this.hostDir(tenantId, hostIp), this.configName);
  }

  putConfig(tenantId: string, hostIp: string, content: Buffer): Promise<void> {
    return writePrivate(this.configPath(tenantId, hostIp), content);
  }

  async removeConfig(tenantId: string, hostIp: string): Promise<void> {
    await fs.rm(this.configPath(tenantId, hostIp), { force: true });
  }

  packageDir(tenantId: string, hostIp: string, packageId: string): string {
    if (!isPackageId(packageId)) throw new Error(`not a package id: ${JSON.stringify(packageId)}`);
    return path.join(this.dataDir, 'packages', ...hostSegments(tenantId, hostIp), packageId);
  }

  package(tenantId: string, hostIp: string, packageId: string): Promise<P | undefined> {
    return readJson<P>(path.join(this.packageDir(tenantId, hostIp, packageId), 'package.json'));
  }

  putPackage(tenantId: string, hostIp: string, rec: P): Promise<void> {
    return writeJson(path.join(this.packageDir(tenantId, hostIp, rec.packageId), 'package.json'), rec);
  }

  async removePackage(tenantId: string, hostIp: string, packageId: string): Promise<void> {
    await fs.rm(this.packageDir(tenantId, hostIp, packageId), { recursive: true, force: true });
  }

  private instancePath(tenantId: string, hostIp: string, appInstanceId: string): string {
    if (!isUuid(appInstanceId)) throw new Error(`not an instance id: ${JSON.stringify(appInstanceId)}`);
    return path.join(this.dataDir, 'instances', ...hostSegments(tenantId, hostIp), `${appInstanceId.toLowerCase()}.json`);
  }

  instance(tenantId: string, hostIp: string, appInstanceId: string): Promise<I | undefined> {
    return readJson<I>(this.instancePath(tenantId, hostIp, appInstanceId));
  }

  putInstance(tenantId: string, hostIp: string, rec: I): Promise<void> {
    return writeJson(this.instancePath(tenantId, hostIp, rec.appInstanceId), { ...rec, updatedAt: new Date().toISOString() });
  }

  async removeInstance(tenantId: string, hostIp: string, appInstanceId: string): Promise<void> {
    await fs.rm(this.instancePath(tenantId, hostIp, appInstanceId), { force: true });
  }
}
