import fs from 'node:fs/promises';
import path from 'node:path';
import { readJson, writeJson } from '../plugin-kit/json-file.js';
import { PluginFiles } from '../plugin-kit/plugin-files.js';
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
 * The VM plugin's files (plugin-files.ts): `hosts/<tenant>/<ip>/openrc` (0600) and `owned.json`,
 * `packages/<tenant>/<ip>/<packageId>/{package.csar,package.json}`, `instances/<tenant>/<ip>/<instanceId>.json`, and
 * `tmp/` for uploads in flight.
 */
export class VmStore extends PluginFiles<VmPackageRecord, VmInstanceRecord> {
  constructor(dataDir: string) {
    super(dataDir, 'openrc');
  }

  async rcFile(tenantId: string, hostIp: string): Promise<string | undefined> {
    try {
      return await fs.readFile(this.configPath(tenantId, hostIp), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async owned(tenantId: string, hostIp: string): Promise<OwnedResources> {
    return (await readJson<OwnedResources>(path.join(this.hostDir(tenantId, hostIp), 'owned.json'))) ?? { images: {}, networks: {}, flavors: {} };
  }

  putOwned(tenantId: string, hostIp: string, o: OwnedResources): Promise<void> {
    return writeJson(path.join(this.hostDir(tenantId, hostIp), 'owned.json'), o);
  }
}
