// bench/upload: a large package through the streaming upload endpoint (multipart → disk, SHA-256 while streaming,
// then zip validation with every entry's CRC checked, CSAR parsing, storage) against a bare Node server that
// streams the same request body to disk, in the same run. Prints one JSON document.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import zlib from 'node:zlib';
import { startTestServer } from '../test/helpers/test-server.js';

const SIZE_MB = Number(process.env.BENCH_UPLOAD_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BOUNDARY = '----applcmbench7MA4YWxkTrZu0gW';

/**
 * Copies the files of a real package and adds one stored image of SIZE_MB, as VM packages carry, written the way
 * zip tools write files of known size (sizes and CRC-32 in the local header, no data descriptor).
 */
async function buildPackage(dir: string): Promise<string> {
  const source = path.resolve('../shared/fixtures/csar/etherpad-k8splugin.csar');
  const files: { name: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    yauzl.open(source, { lazyEntries: true }, (err, src) => {
      if (err) return reject(err);
      src.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return src.readEntry();
        src.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.push({ name: e.fileName, data: Buffer.concat(chunks) });
            src.readEntry();
          });
        });
      });
      src.on('end', resolve);
      src.readEntry();
    });
  });
  const block = randomBytes(1024 * 1024);
  let imageCrc = 0;
  for (let i = 0; i < SIZE_MB; i++) imageCrc = zlib.crc32(block, imageCrc);
  const out = path.join(dir, 'big.csar');
  const fd = fs.openSync(out, 'w');
  let offset = 0;
  const write = (b: Buffer) => {
    fs.writeSync(fd, b);
    offset += b.length;
  };
  const central: Buffer[] = [];
  const entry = (name: string, crc: number, size: number, body: () => void) => {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(size, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(n.length, 26);
    const at = offset;
    write(Buffer.concat([local, n]));
    body();
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(size, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(at, 42);
    central.push(Buffer.concat([c, n]));
  };
  for (const f of files) entry(f.name, zlib.crc32(f.data), f.data.length, () => write(f.data));
  entry('Image/disk.img', imageCrc, SIZE_MB * 1024 * 1024, () => {
    for (let i = 0; i < SIZE_MB; i++) write(block);
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(central.length, 8);
  eocd.writeUInt16LE(central.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  write(Buffer.concat([cd, eocd]));
  fs.closeSync(fd);
  return out;
}

/** Sends the file as one multipart part to `url`, streaming; resolves with the status and seconds taken. */
function send(url: string, file: string, headers: Record<string, string>): Promise<{ status: number; seconds: number; body: string }> {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="package"; filename="big.csar"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const length = head.length + fs.statSync(file).size + tail.length;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(length) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, seconds: Number(process.hrtime.bigint() - started) / 1e9, body }));
    });
    req.on('error', reject);
    req.write(head);
    const rs = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
    rs.on('data', (c) => {
      if (!req.write(c)) rs.pause();
    });
    req.on('drain', () => rs.resume());
    rs.on('end', () => req.end(tail));
    rs.on('error', reject);
  });
}

/** The baseline: a bare Node server writing the request body to disk. */
async function bareServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    pipeline(req, fs.createWriteStream(path.join(dir, `bare-${n++}.bin`))).then(
      () => res.end('ok'),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`, close: () => new Promise((r) => server.close(() => r())) };
}

function rssSampler() {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(timer), (peak - base) / 1024 / 1024) };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-bench-upload-'));
  try {
    const file = await buildPackage(dir);
    const bytes = fs.statSync(file).size;
    const mb = bytes / 1024 / 1024;
    const bare = await bareServer(dir);
    const t = await startTestServer('benchupload', { APPLCM_MAX_PACKAGE_BYTES: String(bytes * 2), LOG_LEVEL: 'warn' });
    const results = { baseline: [] as number[], applcm: [] as number[], rss: [] as number[] };
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const b = await send(bare.url, file, {});
        if (b.status !== 200) throw new Error(`baseline failed: ${b.status}`);
        results.baseline.push(mb / b.seconds);
        for (const f of fs.readdirSync(dir)) if (f.startsWith('bare-')) fs.rmSync(path.join(dir, f));

        const sampler = rssSampler();
        const a = await send(`${t.url}/api/v1/tenants/${t.tenants.A}/packages`, file, { authorization: `Bearer ${t.tokens.tenantA}` });
        const growth = sampler.stop();
        if (a.status !== 201) throw new Error(`applcm upload failed: ${a.status} ${a.body}`);
        results.applcm.push(mb / a.seconds);
        results.rss.push(growth);
        const { packageId } = JSON.parse(a.body) as { packageId: string };
        await t.gql(`mutation { deletePackage(id: "${packageId}") { id } }`, undefined, t.tokens.tenantA);
      }
    } finally {
      await t.close();
      await bare.close();
    }
    const best = (xs: number[]) => Math.max(...xs);
    const ratio = best(results.applcm) / best(results.baseline);
    const rssGrowthMB = Math.max(...results.rss);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'upload',
          packageMB: Math.round(mb),
          rounds: ROUNDS,
          baselineMBps: Math.round(best(results.baseline)),
          applcmMBps: Math.round(best(results.applcm)),
          ratio: Number(ratio.toFixed(3)),
          peakRssGrowthMB: Math.round(rssGrowthMB),
          targets: { ratio: 0.8, peakRssGrowthMB: 128 },
          pass: ratio >= 0.8 && rssGrowthMB <= 128,
          samples: { baselineMBps: results.baseline.map(Math.round), applcmMBps: results.applcm.map(Math.round), rssGrowthMB: results.rss.map(Math.round) },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
