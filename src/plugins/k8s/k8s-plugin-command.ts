import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { servePlugin, type ServeCommandOptions } from '../plugin-kit/plugin-command.js';
import { K8sPlugin } from './k8s-plugin.js';

export interface K8sPluginCommandOptions extends ServeCommandOptions {
  helmBin?: string;
  /** Seconds. */
  helmTimeout: number;
}

/** `applcm k8s-plugin` (plugin-command.ts); its line and log also say which helm it runs. */
export async function runK8sPlugin(config: Config, log: Logger, o: K8sPluginCommandOptions): Promise<void> {
  await servePlugin(
    config,
    log,
    o,
    'k8s',
    (base) => K8sPlugin.start({ ...base, ...(o.helmBin ? { helmBin: o.helmBin } : {}), helmTimeoutMs: o.helmTimeout * 1000 }),
    async (plugin) => {
      const helm = await plugin.helmVersion().catch((e: unknown) => ({ version: `unusable: ${e instanceof Error ? e.message : String(e)}` }));
      return { helm: helm.version };
    },
  );
}
