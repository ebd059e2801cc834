// Starts the simulator plugin in a child process (sim-process-main.ts), to be killed the hard way.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const MAIN = 'dist/test/helpers/sim-process-main.js';

export interface SimProcess {
  address: string;
  port: number;
  pid: number;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startSimProcess(options: { dataDir?: string; port?: number } = {}): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], { env: { ...process.env, SIM_OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const gone = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<{ address: string; port: number }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as { address: string; port: number });
    });
    void gone.then(([code]) => reject(new Error(`the simulator process exited (${code}) before listening: ${err}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const { address, port } = await ready;
    return {
      address,
      port,
      pid: child.pid!,
      async kill(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const [code, sig] = await gone;
        return { code, signal: sig };
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
