import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { servePlugin, type ServeCommandOptions } from '../plugin-kit/plugin-command.js';
import { VmPlugin } from './vm-plugin.js';

export interface VmPluginCommandOptions extends ServeCommandOptions {
  /** Seconds. */
  bootTimeout: number;
  imageProxy?: string;
}

/** `applcm vm-plugin` (plugin-command.ts); package images are fetched through --image-proxy, else $APPLCM_VM_IMAGE_PROXY. */
export async function runVmPlugin(config: Config, log: Logger, o: VmPluginCommandOptions): Promise<void> {
  const imageProxy = o.imageProxy ?? process.env['APPLCM_VM_IMAGE_PROXY'];
  await servePlugin(config, log, o, 'vm', (base) => VmPlugin.start({ ...base, bootTimeoutMs: o.bootTimeout * 1000, ...(imageProxy ? { imageProxy } : {}) }));
}
