import path from 'node:path';
import { hostSegments as segments } from '../plugin-kit/host-keys.js';
import { isPackageId, isUuid } from '../plugin-kit/identity.js';

// Where the simulator keeps things below its data dir. Every name taken from a request is checked again here
// (the handlers validated it already), so no path can be built from a value that could climb out of the dir.

/** Uploads in progress. */
export const tmpDir = (dataDir: string): string => path.join(dataDir, 'tmp');

/** Configurations and state files, one directory per (tenant, host). */
export const hostsDir = (dataDir: string): string => path.join(dataDir, 'hosts');

export const hostDir = (dataDir: string, tenantId: string, hostIp: string): string => path.join(hostsDir(dataDir), ...segments(tenantId, hostIp));

export function packagePath(dataDir: string, tenantId: string, hostIp: string, packageId: string): string {
  if (!isPackageId(packageId)) throw new Error(`not a package id: ${JSON.stringify(packageId)}`);
  return path.join(dataDir, 'packages', ...segments(tenantId, hostIp), packageId);
}

export function imagePath(dataDir: string, tenantId: string, hostIp: string, imageId: string): string {
  if (!isUuid(imageId)) throw new Error(`not an image id: ${JSON.stringify(imageId)}`);
  return path.join(dataDir, 'images', ...segments(tenantId, hostIp), imageId.toLowerCase());
}
