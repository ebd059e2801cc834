// Package streaming to plugins: the controller's PluginClient (256 KiB chunks re-cut from a 1 MiB file stream,
// metadata in the original order, backpressure) against a raw grpc-js stream of the same bytes in 1 MiB chunks,
// both into the simulator plugin (which hashes and stores to disk). Also the original's 1 KiB chunks, to show
// what they cost, and ten plugins at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { AppLCMClient, type UploadPackageRequest } from '../src/generated/proto/lcmservice.js';
import { PluginClient, type PluginTarget } from '../src/plugins/plugin-client.js';
import { SimPlugin } from '../src/plugins/sim/sim-plugin.js';

const MB = 1024 * 1024;
const SINGLE_MB = 256;
const FANOUT = 10;
const FANOUT_MB = 64;
const ORIGINAL_MB = 16;
const ROUNDS = 3;

function writeFile(dir: string, name: string, mb: number): string {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  const block = randomBytes(MB);
  for (let i = 0; i < mb; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return file;
}

/** The baseline: grpc-js as is, the metadata messages, then the file in chunks of `chunk` bytes. */
async function rawUpload(address: string, t: PluginTarget, packageId: string, file: string, chunk: number): Promise<void> {
  const client = new AppLCMClient(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 24 * MB });
  try {
    await new Promise<void>((resolve, reject) => {
      const call = client.uploadPackage((err, res) => (err ? reject(err) : res.status === 'Success' ? resolve() : reject(new Error(res.status))));
      void (async () => {
        const head: UploadPackageRequest['data'][] = [
          { $case: 'accessToken', value: t.accessToken },
          { $case: 'appPackageId', value: packageId },
          { $case: 'hostIp', value: t.hostIp },
          { $case: 'tenantId', value: t.tenantId },
        ];
        for (const data of head) call.write({ data });
        for await (const buf of fs.createReadStream(file, { highWaterMark: chunk })) {
          if (!call.write({ data: { $case: 'package', value: buf as Buffer } })) await once(call, 'drain');
        }
        call.end();
      })().catch(reject);
    });
  } finally {
    client.close();
  }
}

async function ourUpload(client: PluginClient, t: PluginTarget, packageId: string, file: string): Promise<void> {
  await client.uploadPackage(t, packageId, fs.createReadStream(file, { highWaterMark: MB }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-bench-stream-'));
  const sims: SimPlugin[] = [];
  try {
    const single = writeFile(dir, 'single.bin', SINGLE_MB);
    const fan = writeFile(dir, 'fan.bin', FANOUT_MB);
    const small = writeFile(dir, 'small.bin', ORIGINAL_MB);
    for (let i = 0; i < FANOUT; i++) sims.push(await SimPlugin.start({ dataDir: path.join(dir, `sim-${i}`) }));
    const targets = sims.map((): PluginTarget => ({ accessToken: 'bench', tenantId: randomUUID(), hostIp: '10.0.0.1' }));
    const clients = sims.map((s) => new PluginClient({ vim: 'k8s', address: s.address }));
    await Promise.all(clients.map((c, i) => c.uploadConfig(targets[i]!, Buffer.from('a: b\n'))));

    const r = { raw: [] as number[], ours: [] as number[], rawFan: [] as number[], oursFan: [] as number[], original: [] as number[], oursSmall: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      r.raw.push(SINGLE_MB / (await timed(() => rawUpload(sims[0]!.address, targets[0]!, `raw-${round}`, single, MB))));
      r.ours.push(SINGLE_MB / (await timed(() => ourUpload(clients[0]!, targets[0]!, `ours-${round}`, single))));
      r.rawFan.push((FANOUT * FANOUT_MB) / (await timed(() => Promise.all(sims.map((s, i) => rawUpload(s.address, targets[i]!, `rawfan-${round}`, fan, MB))))));
      r.oursFan.push((FANOUT * FANOUT_MB) / (await timed(() => Promise.all(clients.map((c, i) => ourUpload(c, targets[i]!, `oursfan-${round}`, fan))))));
      r.original.push(ORIGINAL_MB / (await timed(() => rawUpload(sims[0]!.address, targets[0]!, `orig-${round}`, small, 1024))));
      r.oursSmall.push(ORIGINAL_MB / (await timed(() => ourUpload(clients[0]!, targets[0]!, `small-${round}`, small))));
      // Keep the disk from filling across rounds.
      await Promise.all(clients.map((c, i) => Promise.all([`raw-${round}`, `ours-${round}`, `rawfan-${round}`, `oursfan-${round}`, `orig-${round}`, `small-${round}`].map((id) => c.deletePackage(targets[i]!, id)))));
    }
    clients.forEach((c) => c.close());
    const best = (xs: number[]) => Math.max(...xs);
    const ratio = best(r.ours) / best(r.raw);
    const fanRatio = best(r.oursFan) / best(r.rawFan);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'plugin-stream',
          rounds: ROUNDS,
          single: { packageMB: SINGLE_MB, rawGrpc1MiBMBps: Math.round(best(r.raw)), applcmMBps: Math.round(best(r.ours)), ratio: Number(ratio.toFixed(3)) },
          fanout: { plugins: FANOUT, packageMB: FANOUT_MB, rawGrpcAggregateMBps: Math.round(best(r.rawFan)), applcmAggregateMBps: Math.round(best(r.oursFan)), ratio: Number(fanRatio.toFixed(3)) },
          originalChunks: { packageMB: ORIGINAL_MB, original1KiBMBps: Math.round(best(r.original)), applcmMBps: Math.round(best(r.oursSmall)), speedup: Number((best(r.oursSmall) / best(r.original)).toFixed(1)) },
          targets: { ratio: 0.7, fanoutRatio: 0.7 },
          pass: ratio >= 0.7 && fanRatio >= 0.7,
          samples: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map(Math.round)])),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
