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
import yazl from 'yazl';
import { startTestServer } from '../test/helpers/test-server.js';

const SIZE_MB = Number(process.env.BENCH_UPLOAD_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BOUNDARY = '----applcmbench7MA4YWxkTrZu0gW';

/** Copies the small files of a real package and adds one stored image of SIZE_MB, as VM packages carry. */
async function buildPackage(dir: string): Promise<string> {
  const source = path.resolve('../shared/fixtures/csar/etherpad-k8splugin.csar');
  const out = path.join(dir, 'big.csar');
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, fs.createWriteStream(out));
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
            zip.addBuffer(Buffer.concat(chunks), e.fileName);
            src.readEntry();
          });
        });
      });
      src.on('end', resolve);
      src.readEntry();
    });
  });
  const block = randomBytes(1024 * 1024);
  let left = SIZE_MB;
  const image = new (await import('node:stream')).Readable({
    read() {
      this.push(left-- > 0 ? block : null);
    },
  });
  zip.addReadStream(image, 'Image/disk.img', { compress: false, size: SIZE_MB * 1024 * 1024 });
  zip.end();
  await done;
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
