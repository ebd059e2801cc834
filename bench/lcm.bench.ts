// Instantiate through the engine with the simulator as a no-op plugin: operations per second, and the latency from
// sending the mutation to the operation being COMPLETED (the database's finished_at), on the machine's PostgreSQL.
import { randomUUID } from 'node:crypto';
import { SimPlugin } from '../src/plugins/sim/sim-plugin.js';
import { fixture, uploadPackage } from '../test/helpers/package-client.js';
import { pluginEnv } from '../test/helpers/plugin-env.js';
import { sql } from '../test/helpers/test-db.js';
import { startTestServer } from '../test/helpers/test-server.js';

const OPS = Number(process.env.BENCH_LCM_OPS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_LCM_CONCURRENCY ?? 32);

const MUTATION = `mutation($input: InstantiateAppInput!) { instantiateApp(input: $input) { id state } }`;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const sim = await SimPlugin.start();
  const t = await startTestServer('benchlcm', { ...pluginEnv(sim.address), LOG_LEVEL: 'warn', APPLCM_MAX_INSTANCES_PER_TENANT: String(OPS * 2), DATABASE_POOL_MAX: '20' });
  try {
    const h = await t.gql<{ registerHost: { id: string } }, unknown>(`mutation { registerHost(input: { ip: "10.99.0.1", name: "bench" }) { id } }`, undefined, t.tokens.tenantA);
    const hostId = h.data!.registerHost.id;
    await t.gql(`mutation($id: ID!) { uploadHostConfig(hostId: $id, content: "apiVersion: v1\\nkind: Config\\n") { id } }`, { id: hostId }, t.tokens.tenantA);
    const up = await uploadPackage(t, fixture('positioning-service.csar'), { fields: { packageId: 'benchpkg' } });
    if (up.status !== 201) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
    const d = await t.gql<{ distributePackage: { id: string } }, unknown>(`mutation { distributePackage(packageId: "benchpkg", hostIds: ["${hostId}"]) { id } }`, undefined, t.tokens.tenantA);
    for (;;) {
      const [row] = await sql<{ state: string }>(t.db.url, 'select state from lcm_operation where id = $1', [d.data!.distributePackage.id]);
      if (row!.state === 'COMPLETED') break;
      if (row!.state.startsWith('FAILED')) throw new Error('distribution failed');
      await new Promise((r) => setTimeout(r, 50));
    }

    // Warm-up: plans, pools and JIT.
    const run = async (n: number) => {
      const sent = new Map<string, number>();
      let next = 0;
      const started = performance.timeOrigin + performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < n) {
            next++;
            const at = performance.timeOrigin + performance.now();
            const r = await t.gql<{ instantiateApp: { id: string } }, unknown>(MUTATION, { input: { packageId: 'benchpkg', hostId, name: 'bench', appInstanceId: randomUUID() } }, t.tokens.tenantA);
            if (!r.data) throw new Error(JSON.stringify(r.errors));
            sent.set(r.data.instantiateApp.id, at);
          }
        }),
      );
      // Wait for every operation to finish, then read when each did.
      const ids = [...sent.keys()];
      for (;;) {
        const [row] = await sql<{ n: string }>(t.db.url, `select count(*) as n from lcm_operation where id = any($1::uuid[]) and state = 'COMPLETED'`, [ids]);
        if (Number(row!.n) === ids.length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const rows = await sql<{ id: string; finished: string }>(t.db.url, `select id, extract(epoch from finished_at) * 1000 as finished from lcm_operation where id = any($1::uuid[])`, [ids]);
      const latencies = rows.map((row) => Number(row.finished) - sent.get(row.id)!);
      const lastFinished = Math.max(...rows.map((row) => Number(row.finished)));
      return { latencies, seconds: (lastFinished - started) / 1000 };
    };
    await run(Math.min(200, OPS));
    const { latencies, seconds } = await run(OPS);
    const opsPerSecond = OPS / seconds;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'lcm',
          operations: OPS,
          concurrency: CONCURRENCY,
          opsPerSecond: Math.round(opsPerSecond),
          mutationToCompletedMs: { p50: Math.round(p50), p99: Math.round(p99), max: Math.round(Math.max(...latencies)) },
          targets: { opsPerSecond: 200, p99Ms: 100 },
          pass: opsPerSecond >= 200 && p99 <= 100,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await t.close();
    await sim.stop();
  }
}

await main();
