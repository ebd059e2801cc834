// The simulator plugin as a process of its own, so a test can kill it with SIGKILL (sim-process.ts starts it).
// SIM_OPTIONS: JSON { dataDir?, port? }. Prints one JSON line {"address","port"} once it listens. SIGTERM stops it.
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';

const options = JSON.parse(process.env.SIM_OPTIONS ?? '{}') as { dataDir?: string; port?: number };
const sim = await SimPlugin.start({ dataDir: options.dataDir, port: options.port });
process.stdout.write(`${JSON.stringify({ address: sim.address, port: sim.port })}\n`);
process.once('SIGTERM', () => {
  void sim.stop().then(() => process.exit(0));
});
