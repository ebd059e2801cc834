import path from 'node:path';
import { KeyedLock } from '../plugin-kit/keyed-lock.js';
import { PluginShell, startPlugin } from '../plugin-kit/plugin-shell.js';
import { appLcmHandlers } from './applcm-service.js';
import { extensionsHandlers } from './extensions-service.js';
import { HelmCli } from './helm-cli.js';
import { InstanceDeployer } from './instance-deployer.js';
import type { K8sContext } from './k8s-context.js';
import { resolveK8sOptions, type K8sPluginOptions } from './k8s-options.js';
import { K8sStore } from './k8s-store.js';

/**
 * The Kubernetes plugin: AppLCM and PluginExtensions over gRPC for hosts whose VIM is a Kubernetes cluster. Packages
 * are deployed with the helm CLI (Helm 3 or 4) using the host's kubeconfig, and everything is read and watched with
 * @kubernetes/client-node. State is files under the data dir (kubeconfigs, packages, instance records); the
 * releases themselves live in the cluster, in Helm's storage.
 */
export class K8sPlugin extends PluginShell<K8sContext> {
  static async start(o: K8sPluginOptions = {}): Promise<K8sPlugin> {
    const running = await startPlugin(o, {
      name: 'k8s',
      vimTypes: ['k8s'],
      context(shared, dataDir): K8sContext {
        const opts = resolveK8sOptions(o);
        const helm = new HelmCli(opts.helmBin, path.join(dataDir.path, 'helm-home'), opts.maxHelmProcesses);
        return { ...shared, store: new K8sStore(dataDir.path), helm, opts, locks: new KeyedLock(), slots: new Map() };
      },
      prepare: (ctx) => ctx.store.init(),
      appLcm: (ctx) => appLcmHandlers(ctx, new InstanceDeployer(ctx)),
      extensions: extensionsHandlers,
    });
    return new K8sPlugin(running);
  }

  /** The helm the plugin runs, as it reports itself. */
  helmVersion(): Promise<{ version: string; major: 3 | 4 }> {
    return this.ctx.helm.version();
  }
}
