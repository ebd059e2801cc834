// bench/lcm: instantiate through the engine, measured the way it runs in production: `applcm serve` in its own
// process, the simulator plugin (a no-op deployment) in another, this process sending GraphQL over HTTP.
//   1. throughput: BENCH_LCM_OPS instantiates with BENCH_LCM_CONCURRENCY in flight, until all are COMPLETED;
//   2. latency: an open load at the target rate (BENCH_LCM_RATE per second for BENCH_LCM_SECONDS), each
//      operation timed from sending the mutation to the database's finished_at;
//   3. baseline, same run: the database work an instantiate cannot avoid (create the instance and its operation,
//      claim it, record it COMPLETED and the instance INSTANTIATED), done by a bare pg client with the same
//      concurrency. The ratio tells how much of the database's own speed the controller delivers.
// The controller's CPU time per operation (from /proc) does not depend on what else the machine runs; nor does that of
// the PostgreSQL backends serving the bench database (when PostgreSQL runs on this machine).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startController } from '../test/helpers/controller-process.js';
import { cpuMs } from './process-cpu.js';
import { identities, pluginEnv, readyToInstantiate } from '../test/helpers/lcm-fixture.js';
import { startSimProcess } from '../test/helpers/sim-process.js';
import { ADMIN_DATABASE_URL, createTestDatabase, sql } from '../test/helpers/test-db.js';
import { generateTestKeys } from '../test/helpers/test-keys.js';

const OPS = Number(process.env.BENCH_LCM_OPS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_LCM_CONCURRENCY ?? 32);
const RATE = Number(process.env.BENCH_LCM_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_LCM_SECONDS ?? 10);
const TARGET_OPS = 200;
const TARGET_P99_MS = 100;

const MUTATION = `mutation($input: InstantiateAppInput!) { instantiateApp(input: $input) { id state } }`;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function main() {
  const keys = generateTestKeys();
  const ids = await identities(keys);
  const db = await createTestDatabase('benchlcm');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-benchlcm-'));
  const sim = await startSimProcess();
  const controller = await startController({
    databaseUrl: db.url,
    ids,
    dataDir,
    // BENCH_LCM_PROFILE=dir: a CPU profile of the controller, written when it exits.
    nodeArgs: process.env.BENCH_LCM_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_LCM_PROFILE}`] : [],
    env: { ...pluginEnv(sim.address), APPLCM_MAX_INSTANCES_PER_TENANT: String(OPS * 4 + RATE * SECONDS * 2), DATABASE_POOL_MAX: '20' },
  });
  try {
    const { host, pkg } = await readyToInstantiate(controller);
    const body = () => JSON.stringify({ query: MUTATION, variables: { input: { packageId: pkg, hostId: host.id, name: 'bench', appInstanceId: randomUUID() } } });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${ids.tokens.tenantA}` };
    const send = async (): Promise<{ id: string; at: number }> => {
      const at = now();
      const res = await fetch(`${controller.url}/graphql`, { method: 'POST', headers, body: body() });
      const r = (await res.json()) as { data?: { instantiateApp: { id: string } }; errors?: unknown };
      if (!r.data) throw new Error(JSON.stringify(r.errors));
      return { id: r.data.instantiateApp.id, at };
    };
    /** Waits until every operation is COMPLETED; answers each one's mutation→finished_at latency and the last finish. */
    const completion = async (sent: Map<string, number>) => {
      const opIds = `{${[...sent.keys()].join(',')}}`;
      for (;;) {
        const [row] = await sql<{ done: string; failed: string }>(
          db.url,
          `select count(*) filter (where state = 'COMPLETED') as done, count(*) filter (where state in ('FAILED_TEMP', 'FAILED')) as failed from lcm_operation where id = any($1::uuid[])`,
          [opIds],
        );
        if (Number(row!.failed) > 0) throw new Error(`${row!.failed} operations failed`);
        if (Number(row!.done) === sent.size) break;
        // Seldom: each poll lists every operation of the run (thousands of ids) and would take CPU from what is
        // measured. Throughput and latency come from the rows' finished_at, not from when the poll saw them.
        await sleep(250);
      }
      const rows = await sql<{ id: string; finished: string }>(db.url, `select id, extract(epoch from finished_at) * 1000 as finished from lcm_operation where id = any($1::uuid[])`, [opIds]);
      return { latencies: rows.map((r) => Number(r.finished) - sent.get(r.id)!), lastFinished: Math.max(...rows.map((r) => Number(r.finished))) };
    };
    const closedLoop = async (n: number) => {
      const sent = new Map<string, number>();
      let next = 0;
      const cpu0 = await cpuMs(controller.pid);
      const db0 = await databaseCpu(db.name);
      const started = now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < n) {
            next++;
            const s = await send();
            sent.set(s.id, s.at);
          }
        }),
      );
      const { latencies, lastFinished } = await completion(sent);
      const cpu = (await cpuMs(controller.pid)) - cpu0;
      const dbCpu = await databaseCpu(db.name, db0.pids);
      return { opsPerSecond: n / ((lastFinished - started) / 1000), latencies, cpuMsPerOp: cpu / n, databaseCpuMsPerOp: db0.ms === null || dbCpu.ms === null ? null : (dbCpu.ms - db0.ms) / n };
    };
    const openLoop = async () => {
      const sent = new Map<string, number>();
      const pending: Promise<void>[] = [];
      const total = RATE * SECONDS;
      const started = now();
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - now();
        if (wait > 1) await sleep(wait);
        pending.push(send().then((s) => void sent.set(s.id, s.at)));
      }
      await Promise.all(pending);
      const { latencies, lastFinished } = await completion(sent);
      return { offeredPerSecond: RATE, completedPerSecond: total / ((lastFinished - started) / 1000), latencies };
    };

    await closedLoop(Math.min(300, OPS)); // warm-up: plans, pools and JIT
    const throughput = await closedLoop(OPS);
    const latency = await openLoop();
    const baseline = await bareDatabase(db.url, host.id, pkg, controller.tenants.A, OPS);
    const p99 = percentile(latency.latencies, 99);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'lcm',
          setup: { operations: OPS, concurrency: CONCURRENCY, openLoadPerSecond: RATE, openLoadSeconds: SECONDS, cpus: os.cpus().length },
          throughput: {
            opsPerSecond: Math.round(throughput.opsPerSecond),
            controllerCpuMsPerOp: Number(throughput.cpuMsPerOp.toFixed(2)),
            // PostgreSQL's backends serving the bench database (the controller's pool and listener, the polls).
            databaseCpuMsPerOp: throughput.databaseCpuMsPerOp === null ? null : Number(throughput.databaseCpuMsPerOp.toFixed(2)),
            mutationToCompletedMs: { p50: Math.round(percentile(throughput.latencies, 50)), p99: Math.round(percentile(throughput.latencies, 99)) },
          },
          latencyAtTargetRate: {
            offeredPerSecond: latency.offeredPerSecond,
            completedPerSecond: Math.round(latency.completedPerSecond),
            mutationToCompletedMs: { p50: Math.round(percentile(latency.latencies, 50)), p99: Math.round(p99), max: Math.round(Math.max(...latency.latencies)) },
          },
          baseline: { bareDatabaseOpsPerSecond: Math.round(baseline), ratio: Number((throughput.opsPerSecond / baseline).toFixed(2)) },
          targets: { opsPerSecond: TARGET_OPS, p99Ms: TARGET_P99_MS },
          pass: throughput.opsPerSecond >= TARGET_OPS && p99 <= TARGET_P99_MS,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await controller.kill('SIGTERM');
    await sim.kill('SIGTERM');
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * CPU milliseconds used so far by the PostgreSQL backends connected to `database` (or by `pids`, the same backends
 * read earlier), from /proc: null when PostgreSQL runs elsewhere. The controller keeps its pooled connections, so the
 * same backends serve a whole run.
 */
async function databaseCpu(database: string, pids?: number[]): Promise<{ ms: number | null; pids: number[] }> {
  const list = pids ?? (await sql<{ pid: number }>(ADMIN_DATABASE_URL, 'select pid from pg_stat_activity where datname = $1', [database])).map((r) => r.pid);
  try {
    let ms = 0;
    for (const pid of list) ms += await cpuMs(pid).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' && pids ? 0 : Promise.reject(e)));
    return { ms, pids: list };
  } catch {
    return { ms: null, pids: list };
  }
}

/**
 * The database work of one instantiate with nothing around it, CONCURRENCY at a time on a pool of the controller's
 * size: create the instance and its operation with their events, claim the operation, record it COMPLETED and
 * the instance INSTANTIATED with their events. Answers operations per second.
 */
async function bareDatabase(url: string, hostId: string, pkg: string, tenantId: string, n: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  const one = async () => {
    const inst = randomUUID();
    const op = randomUUID();
    await pool.query(
      `with i as (insert into app_instance (id, tenant_id, package_id, host_id, name) values ($1, $3, $4, $5, 'bare')),
            o as (insert into lcm_operation (id, tenant_id, type, instance_id, package_id, host_id) values ($2, $3, 'INSTANTIATE', $1, $4, $5))
       insert into event (tenant_id, topic, subject_id, payload) values ($3, 'instance.updated', $1, '{}'), ($3, 'operation.updated', $2, '{}')`,
      [inst, op, tenantId, pkg, hostId],
    );
    await pool.query(`update lcm_operation set state = 'PROCESSING', lease_owner = 'bare', attempts = attempts + 1 where id = $1`, [op]);
    const c = await pool.connect();
    try {
      await c.query('begin');
      await c.query(`update lcm_operation set state = 'COMPLETED', lease_owner = null, finished_at = now() where id = $1 and lease_owner = 'bare'`, [op]);
      await c.query(`update app_instance set instantiation_state = 'INSTANTIATED', operational_state = 'STARTED' where id = $1`, [inst]);
      await c.query(`insert into event (tenant_id, topic, subject_id, payload) values ($2, 'operation.updated', $1, '{}')`, [op, tenantId]);
      await c.query('commit');
    } finally {
      c.release();
    }
  };
  try {
    let next = 0;
    const run = async (count: number) => {
      next = 0;
      const started = now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < count) {
            next++;
            await one();
          }
        }),
      );
      return count / ((now() - started) / 1000);
    };
    await run(Math.min(300, n));
    return await run(n);
  } finally {
    await pool.end();
  }
}

await main();
