// bench/image-download: a VM image (BENCH_IMAGE_MB, default 1024 MiB) downloaded through the controller's
// GET /api/v1/tenants/{tenantId}/images/{id}/file, against reading the same bytes from the plugin's downloadVmImage
// stream directly with the project's gRPC client (the baseline), in the same run. `applcm serve` and the simulator
// plugin run as processes of their own; this process is the client of both. BENCH_ROUNDS (default 3) downloads of
// each, alternating; the best of each is compared (target: ours ≥ 0.8 × baseline). The controller's resident memory
// is sampled while it streams: it must not grow with the image. BENCH_IMAGE_PROFILE=dir writes a CPU profile of it.
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PluginClient } from '../src/plugins/plugin-client.js';
import { startController } from '../test/helpers/controller-process.js';
import { cpuMs } from './process-cpu.js';
import { identities, pluginEnv, readyToInstantiate, settled } from '../test/helpers/lcm-fixture.js';
import { startSimProcess } from '../test/helpers/sim-process.js';
import { createTestDatabase } from '../test/helpers/test-db.js';
import { generateTestKeys } from '../test/helpers/test-keys.js';

const IMAGE_MB = Number(process.env.BENCH_IMAGE_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 0.8;
const MIB = 1024 * 1024;

const now = () => performance.now();

/** Resident set of a process, in bytes (from /proc). */
async function rss(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}


/** Samples `pid`'s RSS every 50 ms while `fn` runs; answers fn's result and the peak growth over the start. */
async function watchingRss<T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; rssGrowth: number }> {
  const base = await rss(pid);
  let peak = base;
  const timer = setInterval(() => {
    rss(pid).then((v) => (peak = Math.max(peak, v)), () => undefined);
  }, 50);
  try {
    const value = await fn();
    return { value, rssGrowth: Math.max(0, peak - base) };
  } finally {
    clearInterval(timer);
  }
}

/** Reads a whole HTTP response, counting bytes; answers the byte count (the bytes themselves are dropped). */
function httpDownload(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('aborted', () => reject(new Error(`aborted after ${n} bytes`)));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function main() {
  const keys = generateTestKeys();
  const ids = await identities(keys);
  const db = await createTestDatabase('benchimage');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-benchimage-'));
  const sim = await startSimProcess();
  const controller = await startController({
    databaseUrl: db.url,
    ids,
    dataDir,
    // BENCH_IMAGE_PROFILE=dir: a CPU profile of the controller, written when it exits.
    nodeArgs: process.env.BENCH_IMAGE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_IMAGE_PROFILE}`] : [],
    env: { ...pluginEnv(sim.address), APPLCM_WORKER_POLL_MS: '200' },
  });
  const direct = new PluginClient({ vim: 'k8s', address: sim.address });
  try {
    // An instance whose simulated VM disk is the image size, snapshotted through the controller.
    const { host, pkg } = await readyToInstantiate(controller);
    const inst = await controller.gql(`mutation($input: InstantiateAppInput!) { instantiateApp(input: $input) { id } }`, {
      input: { packageId: pkg, hostId: host.id, name: 'benchvm', parameters: { simDiskBytes: String(IMAGE_MB * MIB) } },
    });
    const instOp = await settled(controller, (inst.data as { instantiateApp: { id: string } }).instantiateApp.id);
    if (instOp.state !== 'COMPLETED') throw new Error(`instantiate: ${JSON.stringify(instOp.error)}`);
    const snap = await controller.gql(`mutation($a: ID!) { createVmImage(appInstanceId: $a, vmId: "bench-vm", name: "bench") { id params } }`, { a: instOp.instanceId });
    const snapOp = (snap.data as { createVmImage: { id: string; params: { imageId: string } } } | null)?.createVmImage;
    if (!snapOp) throw new Error(JSON.stringify(snap.errors));
    const done = await settled(controller, snapOp.id, undefined, 10 * 60_000);
    if (done.state !== 'COMPLETED') throw new Error(`snapshot: ${JSON.stringify(done.error)}`);
    const pluginImageId = String(done.result!.pluginImageId);
    const bytes = IMAGE_MB * MIB;
    const url = `${controller.url}/api/v1/tenants/${controller.tenants.A}/images/${snapOp.params.imageId}/file`;
    const target = { accessToken: ids.tokens.tenantA, tenantId: controller.tenants.A, hostIp: host.ip };

    const ours: number[] = [];
    const baseline: number[] = [];
    let rssGrowth = 0;
    let controllerCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let t0 = now();
      let n = 0;
      for await (const c of direct.downloadVmImage(target, pluginImageId)) n += c.length;
      if (n !== bytes) throw new Error(`baseline read ${n} of ${bytes} bytes`);
      baseline.push(bytes / MIB / ((now() - t0) / 1000));

      t0 = now();
      const cpu0 = await cpuMs(controller.pid);
      const r = await watchingRss(controller.pid, () => httpDownload(url, ids.tokens.tenantA));
      controllerCpu += (await cpuMs(controller.pid)) - cpu0;
      if (r.value !== bytes) throw new Error(`the controller sent ${r.value} of ${bytes} bytes`);
      ours.push(bytes / MIB / ((now() - t0) / 1000));
      rssGrowth = Math.max(rssGrowth, r.rssGrowth);
    }
    const best = (xs: number[]) => Math.max(...xs);
    const ratio = best(ours) / best(baseline);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'image-download',
          setup: { imageMiB: IMAGE_MB, rounds: ROUNDS, cpus: os.cpus().length },
          controllerMBps: { best: Math.round(best(ours)), rounds: ours.map(Math.round) },
          baselinePluginStreamMBps: { best: Math.round(best(baseline)), rounds: baseline.map(Math.round) },
          ratio: Number(ratio.toFixed(2)),
          controllerRssGrowthMiB: Math.round(rssGrowth / MIB),
          // Independent of what else the machine runs: the controller's own cost of relaying the bytes.
          controllerCpuMsPerGiB: Math.round(controllerCpu / ROUNDS / (IMAGE_MB / 1024)),
          target: { ratio: TARGET_RATIO },
          pass: ratio >= TARGET_RATIO,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    direct.close();
    await controller.kill('SIGTERM');
    await sim.kill('SIGTERM');
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
