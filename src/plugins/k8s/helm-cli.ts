import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CallSlots, inSlot } from '../call-slots.js';

/** A helm run that failed: `message` is Helm's own error text (its "Error: " prefix removed). */
export class HelmError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'HelmError';
  }
}

export interface HelmVersion {
  /** "v3.18.0" */
  version: string;
  major: 3 | 4;
}

interface Target {
  release: string;
  namespace: string;
  kubeconfig: string;
}

/** What `helm install -o json` prints, as far as the plugin reads it. */
export interface HelmReleaseJson {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; description?: string; notes?: string };
  manifest?: string;
}

const MAX_OUTPUT = 64 * 1024 * 1024;
/**
 * Helm's own --timeout bounds its waits; this bounds the process beyond that (discovery, hooks, a hung exec). With the
 * default 150 s timeout a helm run ends within 170 s, inside the controller's 180 s lifecycle deadline.
 */
const PROCESS_GRACE_MS = 20_000;

const seconds = (ms: number): string => `${Math.max(1, Math.ceil(ms / 1000))}s`;

/** Helm prints "Error: <what>" on stderr, sometimes after warnings; the error line and what follows it is the reason. */
export function helmReason(stderr: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Error: '));
  const text = (at >= 0 ? lines.slice(at).join('\n') : stderr)
    .replace(/^Error: /, '')
    .replace(/\n+Use --debug flag to render out invalid YAML\s*$/, '')
    .trim();
  return text || 'helm failed without a message';
}

/**
 * The helm CLI, run with argument arrays (never a shell), its own config/cache/data dirs under the plugin's data
 * dir, the host's kubeconfig file and the release storage in Secrets. Helm 3 and 4 differ in the flags of
 * rollback-on-failure and waiting; the version is asked once.
 */
export class HelmCli {
  private versionP?: Promise<HelmVersion>;

  private readonly slots: CallSlots;

  constructor(
    readonly bin: string,
    private readonly homeDir: string,
    /** helm processes at once: each is a Go binary of some 60 MB that renders, applies and waits. */
    maxProcesses = 4,
  ) {
    this.slots = new CallSlots(maxProcesses);
  }

  version(): Promise<HelmVersion> {
    this.versionP ??= this.run(['version', '--template', '{{.Version}}'], 10_000).then(
      (out) => {
        const version = out.trim();
        const m = /^v(\d+)\./.exec(version);
        const major = m ? Number(m[1]) : NaN;
        if (major !== 3 && major !== 4) throw new Error(`${this.bin} reports version ${JSON.stringify(version)}; Helm 3 or 4 is needed`);
        return { version, major };
      },
      (e: unknown) => {
        this.versionP = undefined;
        throw new Error(`cannot run helm (${this.bin}): ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return this.versionP;
  }

  /** Installs and waits until ready; a failure (or the timeout) uninstalls what was created before answering. */
  async install(t: Target & { chart: string; valuesFile: string; timeoutMs: number }): Promise<HelmReleaseJson> {
    const { major } = await this.version();
    const failSafe = major === 3 ? ['--wait', '--atomic'] : ['--wait=watcher', '--rollback-on-failure'];
    const out = await this.run(
      ['install', t.release, t.chart, ...this.scope(t), '--values', t.valuesFile, ...failSafe, '--timeout', seconds(t.timeoutMs), '--output', 'json'],
      t.timeoutMs + PROCESS_GRACE_MS,
    );
    return JSON.parse(out) as HelmReleaseJson;
  }

  /** Uninstalls and waits until the resources are gone; a release that does not exist is not an error. */
  async uninstall(t: Target & { timeoutMs: number }): Promise<'uninstalled' | 'absent'> {
    try {
      await this.run(['uninstall', t.release, ...this.scope(t), '--wait', '--timeout', seconds(t.timeoutMs)], t.timeoutMs + PROCESS_GRACE_MS);
      return 'uninstalled';
    } catch (e) {
      if (e instanceof HelmError && /release: not found/i.test(e.message)) return 'absent';
      throw e;
    }
  }

  /** Rolls back to `revision` (the last deployed one) and waits. */
  async rollback(t: Target & { revision: number; timeoutMs: number }): Promise<void> {
    await this.run(['rollback', t.release, String(t.revision), ...this.scope(t), '--wait', '--timeout', seconds(t.timeoutMs)], t.timeoutMs + PROCESS_GRACE_MS);
  }

  /** Renders the chart locally with the given values, as install would (no cluster needed). */
  template(o: { release: string; namespace: string; chart: string; valuesFile: string }): Promise<string> {
    return this.run(['template', o.release, o.chart, '--namespace', o.namespace, '--values', o.valuesFile], 60_000);
  }

  private scope(t: Target): string[] {
    return ['--kubeconfig', t.kubeconfig, '--namespace', t.namespace];
  }

  private run(args: string[], timeoutMs: number): Promise<string> {
    return inSlot(this.slots, () => this.spawn(args, timeoutMs));
  }

  private async spawn(args: string[], timeoutMs: number): Promise<string> {
    const home = this.homeDir;
    await fs.mkdir(home, { recursive: true, mode: 0o700 });
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
      HELM_DRIVER: 'secret',
    };
    return new Promise<string>((resolve, reject) => {
      execFile(this.bin, args, { env, timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: MAX_OUTPUT, windowsHide: true }, (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (typeof e.code === 'string') {
          reject(new Error(`cannot run ${this.bin}: ${e.message}`));
          return;
        }
        const reason = e.killed ? `helm ${args[0] ?? ''} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped` : helmReason(stderr);
        reject(new HelmError(reason, typeof e.code === 'number' ? e.code : null, stderr));
      });
    });
  }
}
