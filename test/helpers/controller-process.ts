// `applcm serve` as a child process, so a test can kill it the hard way (SIGKILL: no handover, no drain) and start
// another on the same database, as a crashed and restarted controller would be.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { httpGql, type Gql, type Identities, type LcmApi } from './lcm-fixture.js';

const MAIN = 'dist/src/main.js';
const START_TIMEOUT_MS = 30_000;

export interface ControllerOptions {
  databaseUrl: string;
  ids: Identities;
  /** The package store; give the same one to a restarted controller. */
  dataDir: string;
  /** More environment (K8S_PLUGIN, APPLCM_OPERATION_LEASE_MS, ...). */
  env?: Record<string, string>;
  /** Options for node itself (e.g. --cpu-prof for a profile of a benchmark's controller). */
  nodeArgs?: string[];
}

export interface ControllerProcess extends LcmApi {
  pid: number;
  /** Every JSON log line it wrote, parsed (stdout). */
  logs: Record<string, unknown>[];
  /** What it wrote to stderr. */
  stderr: () => string;
  /** Sends a signal and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

/** The parent's environment minus anything that would pick a database, key or plugin by accident. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('APPLCM_') || k.endsWith('_PLUGIN') || k.endsWith('_PLUGIN_PORT') || k.startsWith('JWT_') || k.startsWith('DATABASE_')) delete env[k];
  return { ...env, NODE_ENV: 'test', LOG_LEVEL: 'info', APPLCM_HOST: '127.0.0.1', ...extra };
}

/** Starts `applcm serve --port 0` and waits until it listens. */
export async function startController(o: ControllerOptions): Promise<ControllerProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--enable-source-maps', ...(o.nodeArgs ?? []), MAIN, 'serve', '--port', '0'], {
    env: childEnv({ DATABASE_URL: o.databaseUrl, JWT_PUBLIC_KEY: o.ids.keys.publicKeyPem, APPLCM_DATA_DIR: o.dataDir, ...o.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  let exited = false;
  const gone = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void gone.then(() => (exited = true));
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));

  const deadline = Date.now() + START_TIMEOUT_MS;
  let url: string | undefined;
  while (!url) {
    url = logs.find((l) => l.msg === 'applcm serving' && typeof l.url === 'string')?.url as string | undefined;
    if (url) break;
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`applcm serve did not start (${exited ? 'it exited' : 'timed out'}):\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = url;
  const gql: Gql = httpGql(() => base, o.ids.tokens.admin);
  return {
    url: base,
    pid: child.pid!,
    tokens: o.ids.tokens,
    tenants: o.ids.tenants,
    gql,
    logs,
    stderr: () => stderr,
    get exited() {
      return exited;
    },
    async kill(signal) {
      if (!exited) child.kill(signal);
      const [code, sig] = await gone;
      return { code, signal: sig };
    },
  };
}
