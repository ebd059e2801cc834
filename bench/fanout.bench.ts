// bench/fanout: 2 000 graphql-ws subscribers of operationUpdated on one server; one event at a time is appended with
// plain SQL (another process, as far as the server can tell: NOTIFY wakes its tailer, which reads the row once and
// fans it out). Delivery latency is from the INSERT's commit to the arrival of the message at each client. The
// clients run in worker threads, so the server's event loop is measured, not the clients' JSON parsing. Prints one
// JSON document.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import WebSocket from 'ws';

const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 2000);
const WORKERS = Number(process.env.BENCH_FANOUT_WORKERS ?? 2);
const ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 30);
const QUERY = 'subscription { operationUpdated { operation { id state updatedAt } sequence } }';

const now = () => performance.timeOrigin + performance.now();

interface WorkerInput {
  wsUrl: string;
  token: string;
  count: number;
}

/** Rounds are told apart by the id of the operation their event carries (the sequence is handed out after commit). */
type FromWorker = { type: 'subscribed' } | { type: 'round'; eventId: string } | { type: 'receipts'; receipts: [string, number][] };
type ToWorker = { type: 'expect'; eventId: string } | { type: 'report' } | { type: 'close' };

/**
 * A worker: `count` graphql-transport-ws clients, one socket and one subscription each, kept as light as a client can
 * be (the operation id is read off the frame, nothing else is parsed) so the two cores of a small machine go to the
 * server; records when each event reached each client.
 */
async function clientWorker(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const receipts: [string, number][] = [];
  const perEvent = new Map<string, number>();
  let expected: string | undefined;
  const sockets: WebSocket[] = [];
  const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } });
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${input.token}` } });
  const EVENT_ID = /"operation":\{"id":"([^"]+)"/;
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(input.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
      sockets.push(ws);
      ws.once('error', reject);
      ws.once('open', () => ws.send(init));
      ws.on('message', (data: Buffer) => {
        const at = now();
        const text = data.toString();
        const m = EVENT_ID.exec(text);
        if (!m) {
          if (text.includes('"connection_ack"')) {
            ws.send(subscribe);
            resolve();
          } else if (text.includes('"ping"')) ws.send('{"type":"pong"}');
          else if (!text.includes('"pong"')) reject(new Error(text));
          return;
        }
        const eventId = m[1]!;
        receipts.push([eventId, at]);
        const n = (perEvent.get(eventId) ?? 0) + 1;
        perEvent.set(eventId, n);
        if (eventId === expected && n === input.count) port.postMessage({ type: 'round', eventId } satisfies FromWorker);
      });
    });
  // Connect in steps of 50: 2 000 handshakes at once would only measure the accept queue.
  for (let i = 0; i < input.count; i += 50) await Promise.all(Array.from({ length: Math.min(50, input.count - i) }, open));
  port.postMessage({ type: 'subscribed' } satisfies FromWorker);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'expect') {
      expected = m.eventId;
      if (perEvent.get(m.eventId) === input.count) port.postMessage({ type: 'round', eventId: m.eventId } satisfies FromWorker);
    } else if (m.type === 'report') {
      port.postMessage({ type: 'receipts', receipts } satisfies FromWorker);
    } else {
      for (const ws of sockets) ws.close();
      port.close();
    }
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const { startTestServer } = await import('../test/helpers/test-server.js');
  const t = await startTestServer('benchfanout', { LOG_LEVEL: 'warn', APPLCM_WS_INIT_TIMEOUT_MS: '60000', APPLCM_EVENT_POLL_MS: '600000', APPLCM_WS_MAX_CONNECTIONS_PER_TENANT: String(SUBSCRIBERS) });
  const db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const workers: Worker[] = [];
  try {
    const per = Math.ceil(SUBSCRIBERS / WORKERS);
    const next = (w: Worker, type: FromWorker['type']) =>
      new Promise<FromWorker>((resolve) => {
        const on = (m: FromWorker) => {
          if (m.type !== type) return;
          w.off('message', on);
          resolve(m);
        };
        w.on('message', on);
      });
    for (let i = 0; i < WORKERS; i++) {
      const count = Math.min(per, SUBSCRIBERS - i * per);
      const w = new Worker(new URL(import.meta.url), { workerData: { wsUrl: t.wsUrl, token: t.tokens.tenantA, count } satisfies WorkerInput });
      w.on('error', (e) => {
        throw e;
      });
      workers.push(w);
    }
    await Promise.all(workers.map((w) => next(w, 'subscribed')));
    const deadline = Date.now() + 60_000;
    while (t.server.events.subscriptions.size < SUBSCRIBERS) {
      if (Date.now() > deadline) throw new Error(`only ${t.server.events.subscriptions.size} of ${SUBSCRIBERS} subscribed`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const committedAt = new Map<string, number>();
    const fannedAt = new Map<string, number>();
    t.server.events.bus.tap(['operation.updated'], (e) => fannedAt.set(String(e.payload.id), now()));
    for (let round = 0; round < ROUNDS + 3; round++) {
      const id = randomUUID();
      const stamp = new Date().toISOString();
      const payload = { id, tenantId: t.tenants.A, type: 'INSTANTIATE', state: 'PROCESSING', instanceId: randomUUID(), packageId: 'bench', hostId: randomUUID(), params: {}, result: null, error: null, progress: { round }, attempts: 1, createdBy: 'bench', cancelRequested: false, createdAt: stamp, updatedAt: stamp, startedAt: stamp, finishedAt: null, rowVersion: round + 1 };
      await db.query("insert into event (tenant_id, topic, subject_id, payload) values ($1, 'operation.updated', $2, $3)", [t.tenants.A, id, JSON.stringify(payload)]);
      const at = now();
      // The first rounds warm up (JIT, first NOTIFY), and are not counted.
      if (round >= 3) committedAt.set(id, at);
      await Promise.all(
        workers.map((w) => {
          const done = next(w, 'round');
          w.postMessage({ type: 'expect', eventId: id } satisfies ToWorker);
          return done;
        }),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const receipts = (await Promise.all(
      workers.map((w) => {
        const r = next(w, 'receipts');
        w.postMessage({ type: 'report' } satisfies ToWorker);
        return r;
      }),
    )) as Extract<FromWorker, { type: 'receipts' }>[];
    const latencies: number[] = [];
    for (const r of receipts) for (const [eventId, at] of r.receipts) if (committedAt.has(eventId)) latencies.push(at - committedAt.get(eventId)!);
    latencies.sort((a, b) => a - b);
    // The share of the latency before the fan-out starts: NOTIFY, the tailer's wake and its one read.
    const toBus = [...committedAt].map(([eventId, at]) => fannedAt.get(eventId)! - at).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'fanout',
          subscribers: SUBSCRIBERS,
          rounds: ROUNDS,
          deliveries: latencies.length,
          path: 'SQL insert → NOTIFY → one read → in-memory fan-out → graphql-ws',
          p50Ms: Number(p50.toFixed(1)),
          p99Ms: Number(p99.toFixed(1)),
          maxMs: Number(latencies.at(-1)!.toFixed(1)),
          commitToFanOutMs: { p50: Number(percentile(toBus, 50).toFixed(1)), p99: Number(percentile(toBus, 99).toFixed(1)) },
          loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
          eventLogReads: t.server.events.bus.reads,
          targets: { p99Ms: 250 },
          pass: latencies.length === SUBSCRIBERS * ROUNDS && p99 <= 250,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const w of workers) w.postMessage({ type: 'close' } satisfies ToWorker);
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    await db.end();
    await t.close();
  }
}

if (isMainThread) await main();
else await clientWorker(workerData as WorkerInput);
