// bench/read: `appInstances(first: 50)` with a few fields and the package and host names, over HTTP with 16 requests in
// flight, against a bare node:http handler running the equivalent SQL (the same page, the same joins) on the same
// database, in the same run. 10 000 instances are inserted with SQL. The controller is `applcm serve` in a process of
// its own with NODE_ENV=production, as deployed; the load runs in a worker thread so that the client does not share
// the baseline's event loop. Also reports the controller's CPU per request (from /proc), which does not depend on
// what else the machine runs. BENCH_READ_PROFILE=dir writes a CPU profile of the controller. Prints one JSON document.
import 'reflect-metadata';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import { decodeCursor } from '../src/services/pagination.js';
import { insertInstances, onboardPackage, registerHost, withDb } from '../test/helpers/instance-rows.js';
import { startController, type ControllerProcess } from '../test/helpers/controller-process.js';
import { startTestServer } from '../test/helpers/test-server.js';
import { cpuMs } from './process-cpu.js';

const INSTANCES = Number(process.env.BENCH_READ_INSTANCES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_READ_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PAGE = 50;
/** Requests walk these many pages deep, in turn, so that not every request reads the same rows. */
const PAGES = 20;
const POOL = 10;

const QUERY = `query Page($after: String) {
  appInstances(first: ${PAGE}, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id name instantiationState operationalState createdAt package { id name } host { id name } } }
  }
}`;

interface Target {
  url: string;
  headers: Record<string, string>;
  /** One request body per page, used in turn. */
  bodies: string[];
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

// ---- the load generator (worker thread) -------------------------------------------------------------------------

async function runLoad(target: Target, seconds: number, concurrency: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const one = (body: string) =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(target.url, { method: 'POST', agent, headers: { ...target.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let size = 0;
        res.on('data', (c: Buffer) => (size += c.length));
        res.on('end', () => {
          if (res.statusCode !== 200 || size < 1000) errors++;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one(target.bodies[next++ % target.bodies.length]!);
    }),
  );
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (Date.now() - started) / 1000, latenciesMs: latencies };
}

if (!isMainThread) {
  const { target, seconds, concurrency } = workerData as { target: Target; seconds: number; concurrency: number };
  parentPort!.postMessage(await runLoad(target, seconds, concurrency));
}

function load(target: Target, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { target, seconds, concurrency: CONCURRENCY } });
    w.once('message', (m: LoadResult) => resolve(m));
    w.once('error', reject);
  });
}

// ---- the baseline: the same page and joins behind a bare node:http handler --------------------------------------

const BASELINE_SQL = `
  select i.id, i.name, i.instantiation_state, i.operational_state, i.created_at, p.id as package_id, p.name as package_name, h.id as host_id, h.name as host_name
  from app_instance i join app_package p on p.id = i.package_id join mec_host h on h.id = i.host_id
  where i.tenant_id = $1 and ($2::timestamptz is null or (i.created_at, i.id) > ($2::timestamptz, $3::uuid))
  order by i.created_at, i.id limit ${PAGE + 1}`;

async function baselineServer(databaseUrl: string, tenantId: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString()) as { variables: { after: string | null } };
      const c = variables.after ? decodeCursor(variables.after) : null;
      pool.query<{ id: string; name: string; instantiation_state: string; operational_state: string | null; created_at: Date; package_id: string; package_name: string; host_id: string; host_name: string }>(BASELINE_SQL, [tenantId, c?.createdAt ?? null, c?.id ?? null]).then(
        ({ rows }) => {
          const nodes = rows.slice(0, PAGE);
          const last = nodes.at(-1);
          const body = {
            data: {
              appInstances: {
                pageInfo: { hasNextPage: rows.length > PAGE, endCursor: last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null },
                edges: nodes.map((r) => ({
                  node: { id: r.id, name: r.name, instantiationState: r.instantiation_state, operationalState: r.operational_state, createdAt: r.created_at.toISOString(), package: { id: r.package_id, name: r.package_name }, host: { id: r.host_id, name: r.host_name } },
                })),
              },
            },
          };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    },
  };
}

// ---- the run --------------------------------------------------------------------------------------------------

/** User and system CPU milliseconds of a process so far (process-cpu.ts's sum, split): system time is the kernel's work for it, mostly socket writes. */
async function cpuSplitMs(pid: number): Promise<{ user: number; system: number }> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const summary = (r: LoadResult) => ({
  reqPerS: Math.round(r.requests / r.seconds),
  p50Ms: Number(percentile(r.latenciesMs, 50).toFixed(2)),
  p99Ms: Number(percentile(r.latenciesMs, 99).toFixed(2)),
  requests: r.requests,
  errors: r.errors,
});

async function main() {
  const t = await startTestServer('benchread', { LOG_LEVEL: 'warn', DATABASE_POOL_MAX: String(POOL), APPLCM_WORKER_ENABLED: 'false' });
  let baseline: Awaited<ReturnType<typeof baselineServer>> | undefined;
  let controller: ControllerProcess | undefined;
  try {
    const packageId = await onboardPackage(t, 'bench-read-pkg', 'A');
    const hosts: { id: string }[] = [];
    for (let i = 0; i < 10; i++) hosts.push(await registerHost(t, t.tokens.tenantA, `bench-edge-${i}`));
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    await insertInstances(
      t.db.url,
      Array.from({ length: INSTANCES }, (_, i) => ({ tenantId: t.tenants.A, packageId, hostId: hosts[i % hosts.length]!.id, name: `app-${i}`, createdAt: new Date(start + i * 1000) })),
    );
    await withDb(t.db.url, (c) => c.query('analyze'));

    // The cursors of the first PAGES pages, read through the API; both servers are asked for the same pages.
    const cursors: (string | null)[] = [null];
    for (let i = 1; i < PAGES; i++) {
      const r = await t.gql<{ appInstances: { pageInfo: { endCursor: string } } }, { after: string | null }>(QUERY, { after: cursors[i - 1]! }, t.tokens.tenantA);
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      cursors.push(r.data!.appInstances.pageInfo.endCursor);
    }
    const bodies = cursors.map((after) => JSON.stringify({ query: QUERY, variables: { after } }));
    baseline = await baselineServer(t.db.url, t.tenants.A);
    controller = await startController({
      databaseUrl: t.db.url,
      dataDir: t.dataDir,
      ids: { keys: t.keys, tenants: { A: t.tenants.A, admin: t.tenants.admin }, tokens: { admin: t.tokens.admin, tenantA: t.tokens.tenantA } },
      nodeArgs: process.env.BENCH_READ_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_READ_PROFILE}`] : [],
      env: { NODE_ENV: 'production', APPLCM_WORKER_ENABLED: 'false', DATABASE_POOL_MAX: String(POOL) },
    });
    const targets = {
      applcm: { url: `${controller.url}/graphql`, headers: { authorization: `Bearer ${t.tokens.tenantA}` }, bodies },
      baseline: { url: baseline.url, headers: {}, bodies },
    };
    // Both answer the same page.
    const [a, b] = await Promise.all(
      [targets.applcm, targets.baseline].map(async (x) => (await (await fetch(x.url, { method: 'POST', headers: { ...x.headers, 'content-type': 'application/json' }, body: bodies[3] })).json()) as { data: unknown }),
    );
    if (JSON.stringify(a!.data) !== JSON.stringify(b!.data)) throw new Error('the baseline does not answer what the API answers');

    const runs: Record<'applcm' | 'baseline', ReturnType<typeof summary>[]> = { applcm: [], baseline: [] };
    const cpu = { ms: 0, user: 0, system: 0, requests: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['baseline', 'applcm'] as const) {
        await load(targets[name], 1); // warm-up
        const cpu0 = await cpuMs(controller.pid);
        const split0 = await cpuSplitMs(controller.pid);
        const r = await load(targets[name], SECONDS);
        if (name === 'applcm') {
          cpu.ms += (await cpuMs(controller.pid)) - cpu0;
          const split1 = await cpuSplitMs(controller.pid);
          cpu.user += split1.user - split0.user;
          cpu.system += split1.system - split0.system;
          cpu.requests += r.requests;
        }
        runs[name].push(summary(r));
      }
    }
    const best = (xs: ReturnType<typeof summary>[]) => xs.reduce((m, x) => (x.reqPerS > m.reqPerS ? x : m));
    const ours = best(runs.applcm);
    const base = best(runs.baseline);
    const ratio = ours.reqPerS / base.reqPerS;
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'read',
          instances: INSTANCES,
          pageSize: PAGE,
          concurrency: CONCURRENCY,
          seconds: SECONDS,
          rounds: ROUNDS,
          baseline: base,
          applcm: ours,
          ratio: Number(ratio.toFixed(3)),
          controllerCpuMsPerRequest: Number((cpu.ms / cpu.requests).toFixed(2)),
          controllerCpuMsPerRequestSplit: { user: Number((cpu.user / cpu.requests).toFixed(2)), system: Number((cpu.system / cpu.requests).toFixed(2)) },
          targets: { ratio: 0.5, p99Ms: 50 },
          pass: ratio >= 0.5 && ours.p99Ms <= 50 && ours.errors === 0,
          samples: runs,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await controller?.kill('SIGTERM');
    await baseline?.close();
    await t.close();
  }
}

if (isMainThread) await main();
