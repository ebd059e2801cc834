import { DomainError, ErrorCode } from '../errors.js';
import type { CapabilitiesResponse } from '../generated/proto/applcm_plugin.js';
import type { Logger } from '../observability/logger.js';
import type { Deadlines } from './deadlines.js';
import type { PluginSource, PluginSpec } from './plugin-config.js';
import { PluginClient, type PluginClientOptions } from './plugin-client.js';

/** How a host stands with respect to its plugin. */
export enum PluginAvailability {
  /** A plugin serves the host's VIM type and its last health check passed. */
  AVAILABLE = 'AVAILABLE',
  /** A plugin is configured but down (its last health check failed). */
  UNAVAILABLE = 'UNAVAILABLE',
  /** Configured, not checked yet. */
  UNKNOWN = 'UNKNOWN',
  /** No plugin is configured for the host's VIM type. */
  MISSING = 'MISSING',
}

export interface PluginState {
  vim: string;
  endpoint: string;
  source: PluginSource;
  tls: boolean;
  /** null until the first health check finished. */
  healthy: boolean | null;
  lastError: string | null;
  lastCheckedAt: Date | null;
  capabilities: CapabilitiesResponse | null;
  /** Whether the plugin serves our PluginExtensions (false: an original EdgeGallery plugin). */
  extensions: boolean;
}

export interface RegistryOptions {
  deadlines?: Partial<Deadlines>;
  chunkBytes?: number;
  maxReceiveMessageBytes?: number;
  /** Background health checks; 0 disables them (checks then happen on demand). */
  healthIntervalMs: number;
  /** Lifecycle calls in flight per plugin; more wait their turn (hardening P11). */
  maxLifecycleCalls?: number;
  log: Logger;
}

interface Entry {
  spec: PluginSpec;
  client: PluginClient;
  state: PluginState;
  inflight?: Promise<PluginState>;
}

/** A failed plugin is re-checked on demand at most this often, so a down plugin answers fast. */
const RECHECK_AFTER_MS = 1000;

/**
 * VIM type → plugin. Checks each plugin's health in the background and on demand, keeps what it last learned
 * (for the `plugins` query and the hosts' `pluginStatus`), and hands out clients only for plugins that are up:
 * operations on a host whose plugin is down or missing fail at once with PLUGIN_UNAVAILABLE.
 */
export class PluginRegistry {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    specs: PluginSpec[],
    private readonly opts: RegistryOptions,
  ) {
    for (const spec of specs) this.add(spec);
  }

  /** Registers (or replaces) the plugin of a VIM type. */
  add(spec: PluginSpec): void {
    const prior = this.entries.get(spec.vim);
    prior?.client.close();
    const clientOptions: PluginClientOptions = {
      vim: spec.vim,
      address: spec.endpoint,
      tls: spec.tls,
      deadlines: { ...this.opts.deadlines, ...spec.deadlines },
      chunkBytes: this.opts.chunkBytes,
      maxReceiveMessageBytes: this.opts.maxReceiveMessageBytes,
      maxLifecycleCalls: this.opts.maxLifecycleCalls,
    };
    this.entries.set(spec.vim, {
      spec,
      client: new PluginClient(clientOptions),
      state: { vim: spec.vim, endpoint: spec.endpoint, source: spec.source, tls: Boolean(spec.tls), healthy: null, lastError: null, lastCheckedAt: null, capabilities: null, extensions: false },
    });
  }

  /** Starts background health checks (the first one at once). */
  start(): void {
    void this.checkAll();
    if (this.opts.healthIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.checkAll(), this.opts.healthIntervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const e of this.entries.values()) e.client.close();
  }

  list(): PluginState[] {
    return [...this.entries.values()].map((e) => ({ ...e.state })).sort((a, b) => a.vim.localeCompare(b.vim));
  }

  /** Lifecycle calls waiting for a slot, per plugin (the metrics' queue gauge). */
  queuedCalls(): { vim: string; queued: number }[] {
    return [...this.entries].map(([vim, e]) => ({ vim, queued: e.client.lifecycleSlots.queued }));
  }

  has(vim: string): boolean {
    return this.entries.has(vim.toLowerCase());
  }

  /** The VIM types whose plugin answered its last check (clientFor gives their client without waiting). */
  healthyVims(): string[] {
    return [...this.entries].filter(([, e]) => e.state.healthy === true).map(([vim]) => vim);
  }

  availability(vim: string): PluginAvailability {
    const e = this.entries.get(vim.toLowerCase());
    if (!e) return PluginAvailability.MISSING;
    if (e.state.healthy === null) return PluginAvailability.UNKNOWN;
    return e.state.healthy ? PluginAvailability.AVAILABLE : PluginAvailability.UNAVAILABLE;
  }

  async checkAll(): Promise<PluginState[]> {
    return Promise.all([...this.entries.keys()].map((vim) => this.check(vim)));
  }

  /** Checks one plugin now (concurrent callers share the check). */
  check(vim: string): Promise<PluginState> {
    const e = this.entries.get(vim.toLowerCase());
    if (!e) return Promise.reject(missing(vim));
    e.inflight ??= this.runCheck(e).finally(() => {
      e.inflight = undefined;
    });
    return e.inflight;
  }

  /**
   * The client for a host's VIM type, when its plugin is up. A plugin that failed its last check is checked again
   * (at most once a second) before the caller is refused, so a plugin that came back is used at once.
   */
  async clientFor(vim: string): Promise<PluginClient> {
    const e = this.entries.get(vim.toLowerCase());
    if (!e) throw missing(vim);
    const stale = e.state.lastCheckedAt === null || Date.now() - e.state.lastCheckedAt.getTime() > RECHECK_AFTER_MS;
    if (e.state.healthy !== true && (stale || e.inflight)) await this.check(e.spec.vim);
    if (e.state.healthy !== true) {
      throw new DomainError(ErrorCode.PLUGIN_UNAVAILABLE, `the ${e.spec.vim} plugin (${e.spec.endpoint}) is unavailable: ${e.state.lastError ?? 'not serving'}`, { vim: e.spec.vim });
    }
    return e.client;
  }

  private async runCheck(e: Entry): Promise<PluginState> {
    const was = e.state.healthy;
    try {
      const health = await e.client.health();
      e.state.extensions = health.extensions;
      e.state.healthy = health.serving;
      e.state.lastError = health.serving ? null : health.message || 'the plugin reports NOT_SERVING';
      // Capabilities are learned once per recovery: they change only when the plugin is redeployed.
      if (health.serving && (was !== true || !e.state.capabilities)) e.state.capabilities = await e.client.capabilities();
    } catch (err) {
      e.state.healthy = false;
      e.state.lastError = err instanceof DomainError ? err.message : `health check failed: ${(err as Error).message}`;
    }
    e.state.lastCheckedAt = new Date();
    if (was !== e.state.healthy) {
      const fields = { vim: e.spec.vim, endpoint: e.spec.endpoint, error: e.state.lastError ?? undefined };
      if (e.state.healthy) this.opts.log.info(fields, 'plugin is up');
      else this.opts.log.warn(fields, 'plugin is down');
    }
    return { ...e.state };
  }
}

const missing = (vim: string): DomainError =>
  new DomainError(ErrorCode.PLUGIN_UNAVAILABLE, `no plugin is configured for VIM type ${JSON.stringify(vim)} (set ${vim.toUpperCase()}_PLUGIN and ${vim.toUpperCase()}_PLUGIN_PORT, or add it to the plugins file)`, { vim, reason: 'NO_PLUGIN' });
