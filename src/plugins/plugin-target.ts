import type { MecHost } from '../db/entities/index.js';
import type { PluginTarget } from './plugin-client.js';

/**
 * Plugins keep state per (tenant, host) and require a UUID tenant. A shared host (registered by an admin, no owner)
 * is addressed with the nil UUID, so every tenant deploying to it reaches the same configuration.
 */
export const SHARED_HOST_TENANT = '00000000-0000-0000-0000-000000000000';

/** Whom plugin calls about `host` are for: its owner tenant (as the original: the plugin tenant is the host owner). */
export const pluginTarget = (host: Pick<MecHost, 'tenantId' | 'ip'>, accessToken: string): PluginTarget => ({
  accessToken,
  tenantId: host.tenantId ?? SHARED_HOST_TENANT,
  hostIp: host.ip,
});
