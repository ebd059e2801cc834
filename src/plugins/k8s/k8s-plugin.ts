import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PluginExtensionsService } from '../../generated/proto/applcm_plugin.js';
import { AppLCMService } from '../../generated/proto/lcmservice.js';
import { DEFAULT_PLUGIN_MAX_MESSAGE_BYTES, startGrpcServer, type RunningGrpcServer } from '../plugin-server.js';
import { FaultBook } from '../plugin-kit/fault-book.js';
import { pluginVersion } from '../plugin-kit/plugin-version.js';
import { RpcRunner } from '../plugin-kit/rpc-runner.js';
import { tokenCheck } from '../plugin-kit/token-check.js';
import { WatchHub } from '../plugin-kit/watch-hub.js';
import { appLcmService } from './applcm-service.js';
import { pluginExtensionsService } from './extensions-service.js';
import { HelmCli } from './helm-cli.js';
import { InstanceDeployer } from './instance-deployer.js';
import { KeyedLock, type K8sContext } from './k8s-context.js';
import { resolveK8sOptions, type K8sPluginOptions } from './k8s-options.js';
import { K8sStore } from './k8s-store.js';

const STOP_GRACE_MS = 1000;

/**
 * The Kubernetes plugin: AppLCM and PluginExtensions over gRPC for hosts whose VIM is a Kubernetes cluster. Packages
 * are deployed with the helm CLI (Helm 3 or 4) using the host's kubeconfig, and everything is read and watched with
 * @kubernetes/client-node. State is files under the data dir (kubeconfigs, packages, instance records); the
 * releases themselves live in the cluster, in Helm's storage.
 */
export class K8sPlugin {
  private stopping?: Promise<void>;

  private constructor(
    private readonly server: RunningGrpcServer,
    private readonly ctx: K8sContext,
    private readonly ownDataDir: string | undefined,
  ) {}

  static async start(o: K8sPluginOptions = {}): Promise<K8sPlugin> {
    const dataDir = o.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-k8s-')));
    const ownDataDir = o.dataDir ? undefined : dataDir;
    const opts = resolveK8sOptions(o);
    const store = new K8sStore(dataDir);
    const maxReceiveMessageBytes = o.maxReceiveMessageBytes ?? DEFAULT_PLUGIN_MAX_MESSAGE_BYTES;
    const ctx: K8sContext = {
      store,
      helm: new HelmCli(opts.helmBin, path.join(dataDir, 'helm-home'), opts.maxHelmProcesses),
      opts,
      // No faults are injected into the real plugin; the runner logs calls and ends streams on stop.
      runner: new RpcRunner(new FaultBook()),
      checkToken: tokenCheck(o.verifyToken),
      locks: new KeyedLock(),
      hub: new WatchHub(),
      maxReceiveMessageBytes,
      health: { ok: true, message: '' },
      slots: new Map(),
    };
    try {
      await store.init();
      const operations = [...Object.values(AppLCMService).map((m) => m.path), ...Object.values(PluginExtensionsService).map((m) => m.path)];
      const server = await startGrpcServer({
        host: o.host,
        port: o.port,
        tls: o.tls,
        maxReceiveMessageBytes,
        services: [
          { definition: AppLCMService, implementation: appLcmService(ctx, new InstanceDeployer(ctx)) },
          { definition: PluginExtensionsService, implementation: pluginExtensionsService(ctx, operations, pluginVersion()) },
        ],
      });
      return new K8sPlugin(server, ctx, ownDataDir);
    } catch (e) {
      if (ownDataDir) await fs.rm(ownDataDir, { recursive: true, force: true });
      throw e;
    }
  }

  get address(): string {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  get dataDir(): string {
    return this.ctx.store.dataDir;
  }

  /** The helm the plugin runs, as it reports itself. */
  helmVersion(): Promise<{ version: string; major: 3 | 4 }> {
    return this.ctx.helm.version();
  }

  /** Open watch streams and subscriptions, for leak checks. */
  get openResources(): { watchers: number; calls: number } {
    return { watchers: this.ctx.hub.size, calls: this.ctx.runner.openCalls };
  }

  /** Ends watch streams, lets calls in flight finish for a moment, and removes its own data dir. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.ctx.runner.stop();
      await this.server.stop(STOP_GRACE_MS);
      if (this.ownDataDir) await fs.rm(this.ownDataDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
