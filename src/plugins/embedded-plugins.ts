import path from 'node:path';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { PluginSpec } from './plugin-config.js';
import { SimPlugin } from './sim/sim-plugin.js';

export interface EmbeddedPlugins {
  specs: PluginSpec[];
  stop(): Promise<void>;
}

/** VIM types the embedded default serves when nobody configured a plugin for them. */
const EMBEDDED_VIMS = ['k8s', 'openstack'];

/**
 * The embedded default (`applcm dev`) needs no plugin deployment: VIM types without a configured plugin are served
 * by an in-process plugin on loopback. Until the Kubernetes and VM plugins land this is the simulator, which
 * stores what it is sent and reports instances as running without deploying anything; the registry shows it as
 * `embedded` and its capabilities name it `applcm-sim`.
 */
export async function startEmbeddedPlugins(config: Config, verifier: TokenVerifier, log: Logger): Promise<EmbeddedPlugins | undefined> {
  const configured = new Set(config.plugins.specs.map((s) => s.vim));
  const vims = EMBEDDED_VIMS.filter((v) => !configured.has(v));
  if (vims.length === 0) return undefined;
  const sim = await SimPlugin.start({
    vimTypes: vims,
    dataDir: path.join(config.dataDir, 'embedded-plugin'),
    // The embedded plugin checks tokens with the controller's own key, as a real plugin would.
    verifyToken: async (token) => {
      try {
        await verifier.verify(token);
        return true;
      } catch {
        return false;
      }
    },
  });
  log.info({ vims, endpoint: sim.address }, 'embedded plugin (simulator) serving on loopback');
  return { specs: vims.map((vim) => ({ vim, endpoint: sim.address, source: 'embedded' as const })), stop: () => sim.stop() };
}
