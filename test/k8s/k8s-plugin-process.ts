// Starts `applcm k8s-plugin` (the CLI command) in a child process of its own process group, to be killed the hard
// way together with the helm it runs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface K8sPluginProcess {
  address: string;
  pid: number;
  /** SIGKILL to the whole process group: the plugin and any helm it started die at once, as in a node crash. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export async function startK8sPluginProcess(o: { dataDir: string; helmBin: string; env: Record<string, string> }): Promise<K8sPluginProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js', 'k8s-plugin', '--port', '0', '--data-dir', o.dataDir, '--helm-bin', o.helmBin, '--helm-timeout', '120'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const gone = once(child, 'exit');
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && out.includes('\n')) resolve((JSON.parse(line) as { address: string }).address);
      });
      void gone.then(([code]) => reject(new Error(`applcm k8s-plugin exited (${String(code)}) before listening: ${err}`)));
    });
    return {
      address,
      pid: child.pid!,
      async crash() {
        process.kill(-child.pid!, 'SIGKILL');
        await gone;
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await gone;
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
