import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PluginExtensionsService } from '../../generated/proto/applcm_plugin.js';
import { AppLCMService } from '../../generated/proto/lcmservice.js';
import { DEFAULT_PLUGIN_MAX_MESSAGE_BYTES, startGrpcServer, type GrpcService, type RunningGrpcServer } from '../plugin-server.js';
import { appLcmService, type AppLcmHandlers } from './applcm-service.js';
import { extensionsService, type ExtensionsHandlers } from './extensions-service.js';
import { FaultBook } from './fault-book.js';
import type { PluginServeOptions } from './plugin-options.js';
import { pluginVersion } from './plugin-version.js';
import { RpcRunner } from './rpc-runner.js';
import type { ShellContext } from './shell-context.js';
import { tokenCheck } from './token-check.js';
import { WatchHub } from './watch-hub.js';

/** How long stop() lets calls in flight (uploads) finish before cutting them. */
const STOP_GRACE_MS = 1000;

/** The plugin's data dir: given (kept) or a fresh temp dir of the plugin's own (removed on stop). */
export interface DataDir {
  path: string;
  own: boolean;
}

/** What makes a plugin on the kit what it is; the shell does the rest (server, TLS, data dir, calls, stop). */
export interface PluginSpec<C extends ShellContext, V> {
  /** 'sim', 'k8s', 'vm': capabilities names the plugin applcm-<name>; its temp data dir is applcm-<name>-*. */
  name: string;
  /** VIM types announced by capabilities. */
  vimTypes: string[];
  /** The plugin's context, built on the parts the shell made. */
  context(shared: ShellContext, dataDir: DataDir): C;
  /** Before the server starts: the store made ready, state of an earlier run loaded. */
  prepare(ctx: C): Promise<void>;
  appLcm(ctx: C): AppLcmHandlers;
  extensions(ctx: C): ExtensionsHandlers<V>;
  /** Services served besides AppLCM and PluginExtensions, in the order capabilities lists them. */
  services?(ctx: C): GrpcService[];
  /** Method paths served but not announced (they answer UNIMPLEMENTED). */
  unannounced?: string[];
  /** On stop, as calls are ended and before the server shuts down: stops the plugin's own background work. */
  halt?(ctx: C): void;
  /** On stop, once the server shut down (calls in flight finished or were cut): finishes the plugin's writes. */
  settle?(ctx: C): Promise<void>;
  /** On stop after settle, and when start failed: releases what the context holds (clients, agents). */
  release?(ctx: C): Promise<void>;
}

/** A started plugin's parts, which its class is made from. */
export interface RunningPlugin<C extends ShellContext> {
  server: RunningGrpcServer;
  ctx: C;
  faults: FaultBook;
  dataDir: DataDir;
  spec: PluginSpec<C, unknown>;
}

/** Starts a plugin: its data dir, the parts every plugin shares, its services on a gRPC server. */
export async function startPlugin<C extends ShellContext, V>(o: PluginServeOptions, spec: PluginSpec<C, V>): Promise<RunningPlugin<C>> {
  const dataDir: DataDir = o.dataDir ? { path: o.dataDir, own: false } : { path: await fs.mkdtemp(path.join(os.tmpdir(), `applcm-${spec.name}-`)), own: true };
  const maxReceiveMessageBytes = o.maxReceiveMessageBytes ?? DEFAULT_PLUGIN_MAX_MESSAGE_BYTES;
  // Faults are injected only into the simulator (its test switches); in the others the runner logs calls and ends streams on stop.
  const faults = new FaultBook();
  const shared: ShellContext = {
    runner: new RpcRunner(faults),
    checkToken: tokenCheck(o.verifyToken),
    hub: new WatchHub(),
    maxReceiveMessageBytes,
    heartbeatMs: o.heartbeatMs ?? 15_000,
    health: { ok: true, message: '' },
  };
  const ctx = spec.context(shared, dataDir);
  try {
    await spec.prepare(ctx);
    const more = spec.services?.(ctx) ?? [];
    const unannounced = new Set(spec.unannounced ?? []);
    const definitions: Record<string, { path: string }>[] = [AppLCMService, PluginExtensionsService, ...more.map((s) => s.definition)];
    const operations = definitions.flatMap((d) => Object.values(d).map((m) => m.path)).filter((p) => !unannounced.has(p));
    const server = await startGrpcServer({
      host: o.host,
      port: o.port,
      tls: o.tls,
      maxReceiveMessageBytes,
      services: [
        { definition: AppLCMService, implementation: appLcmService(ctx, spec.appLcm(ctx)) },
        { definition: PluginExtensionsService, implementation: extensionsService(ctx, { pluginName: `applcm-${spec.name}`, vimTypes: spec.vimTypes, operations, version: pluginVersion() }, spec.extensions(ctx)) },
        ...more,
      ],
    });
    return { server, ctx, faults, dataDir, spec: spec };
  } catch (e) {
    await spec.release?.(ctx);
    if (dataDir.own) await fs.rm(dataDir.path, { recursive: true, force: true });
    throw e;
  }
}

/** What every plugin class on the kit offers: where it listens, what it holds open, and stop. */
export class PluginShell<C extends ShellContext> {
  private stopping?: Promise<void>;

  protected constructor(protected readonly running: RunningPlugin<C>) {}

  protected get ctx(): C {
    return this.running.ctx;
  }

  /** host:port to dial. */
  get address(): string {
    return this.running.server.address;
  }

  get port(): number {
    return this.running.server.port;
  }

  get dataDir(): string {
    return this.running.dataDir.path;
  }

  /** Open watch subscriptions, server streams and stalled calls: what a leak would show in. */
  get openResources(): { watchers: number; calls: number } {
    return { watchers: this.ctx.hub.size, calls: this.ctx.runner.openCalls };
  }

  /**
   * Ends watch streams (OK) and stalled calls (UNAVAILABLE), lets calls in flight finish for a moment while the
   * server shuts down, and removes its own data dir.
   */
  stop(): Promise<void> {
    const { server, ctx, dataDir, spec } = this.running;
    this.stopping ??= (async () => {
      ctx.runner.stop();
      spec.halt?.(ctx);
      await server.stop(STOP_GRACE_MS);
      await spec.settle?.(ctx);
      await spec.release?.(ctx);
      if (dataDir.own) await fs.rm(dataDir.path, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
