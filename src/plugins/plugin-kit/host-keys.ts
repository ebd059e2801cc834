import { isIPv4 } from 'node:net';
import { isUuid } from './identity.js';

// How the plugins on the kit name a (tenant, host) and its instances: keys of in-memory maps, locks and watch hubs,
// and the directory segments of their files. Tenant ids are UUIDs and host ips IPv4 by the time they get here, so
// '/' cannot occur in either and keys of different hosts never collide.

export const hostKey = (tenantId: string, hostIp: string): string => `${tenantId.toLowerCase()}/${hostIp}`;

export const instanceKey = (tenantId: string, hostIp: string, appInstanceId: string): string => `${hostKey(tenantId, hostIp)}/${appInstanceId.toLowerCase()}`;

/**
 * The (tenant, host) directory names below a plugin's data dir. Checked again here (the handlers validated them
 * already), so no path can be built from a value that could climb out of the dir.
 */
export function hostSegments(tenantId: string, hostIp: string): [string, string] {
  const tenant = tenantId.toLowerCase();
  if (!isUuid(tenant)) throw new Error(`not a tenant id: ${JSON.stringify(tenantId)}`);
  if (!isIPv4(hostIp)) throw new Error(`not a host ip: ${JSON.stringify(hostIp)}`);
  return [tenant, hostIp];
}
