import path from 'node:path';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { PluginSpec } from './plugin-config.js';
import { K8sPlugin } from './k8s/k8s-plugin.js';
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
 * `embedded` and its capabilities name it `applcm-sim`. With APPLCM_EMBEDDED_K8S=helm, k8s hosts get the real
 * Kubernetes plugin instead (helm from HELM_BIN or PATH), and the simulator keeps the other VIM types.
 */
export async function startEmbeddedPlugins(config: Config, verifier: TokenVerifier, log: Logger): Promise<EmbeddedPlugins | undefined> {
  const configured = new Set(config.plugins.specs.map((s) => s.vim));
  const vims = EMBEDDED_VIMS.filter((v) => !configured.has(v));
  if (vims.length === 0) return undefined;
  // The embedded plugins check tokens with the controller's own key, as a real plugin would.
  const verifyToken = async (token: string): Promise<boolean> => {
    try {
      await verifier.verify(token);
      return true;
    } catch {
      return false;
    }
  };
  const specs: PluginSpec[] = [];
  const stops: (() => Promise<void>)[] = [];
  const simVims = config.plugins.embeddedK8s === 'helm' ? vims.filter((v) => v !== 'k8s') : vims;
  try {
    if (simVims.length < vims.length) {
      const k8s = await K8sPlugin.start({ dataDir: path.join(config.dataDir, 'embedded-k8s-plugin'), verifyToken });
      stops.push(() => k8s.stop());
      specs.push({ vim: 'k8s', endpoint: k8s.address, source: 'embedded' as const });
      log.info({ vims: ['k8s'], endpoint: k8s.address }, 'embedded Kubernetes plugin (helm) serving on loopback');
    }
    if (simVims.length > 0) {
      const sim = await SimPlugin.start({ vimTypes: simVims, dataDir: path.join(config.dataDir, 'embedded-plugin'), verifyToken });
      stops.push(() => sim.stop());
      specs.push(...simVims.map((vim) => ({ vim, endpoint: sim.address, source: 'embedded' as const })));
      log.info({ vims: simVims, endpoint: sim.address }, 'embedded plugin (simulator) serving on loopback');
    }
  } catch (e) {
    for (const stop of stops) await stop();
    throw e;
  }
  return { specs, stop: async () => void (await Promise.all(stops.map((stop) => stop()))) };
}
