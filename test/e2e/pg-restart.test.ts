// Requirement: a restart of PostgreSQL while the server runs does not kill the process; requests fail
// cleanly during the gap and succeed after. The database is a scratch cluster of this file's own, because
// the machine's shared PostgreSQL serves the other test files running in parallel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RegisterHostInput } from '../__generated__/graphql.js';
import { Hosts, RegisterHost } from '../operations/hosts.js';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/scratch-postgres.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/test-server.js';

/** Beyond this a request counts as hanging (the pool gives up acquiring a connection after 5 s). */
const MAX_REQUEST_MS = 7_000;
/** How long the server may take to serve again once the database is back. */
const RECOVERY_MS = 15_000;

let pg: ScratchPostgres | undefined;
let t: TestServer;

// The server runs in this process: anything that would have killed it lands here instead.
const crashes: unknown[] = [];
const recordCrash = (e: unknown) => void crashes.push(e);

let ipSeq = 0;
const hostInput = (): RegisterHostInput => {
  const n = ipSeq++;
  return { ip: `10.77.${Math.floor(n / 250)}.${(n % 250) + 1}`, name: `restart-edge-${n}`, city: 'Xian' };
};

before(async () => {
  process.on('uncaughtException', recordCrash);
  process.on('unhandledRejection', recordCrash);
  pg = await startScratchPostgres();
  // The quota is raised because the restart case registers a host every few milliseconds.
  t = await startTestServer('pgrestart', { APPLCM_MAX_HOSTS_PER_TENANT: '100000' }, { adminDatabaseUrl: pg.url });
});

after(async () => {
  try {
    await t?.close();
  } finally {
    await pg?.destroy();
    process.off('uncaughtException', recordCrash);
    process.off('unhandledRejection', recordCrash);
  }
});

/** Every request of this file goes through here: one that hangs fails the test instead of stalling it. */
async function bounded<T>(what: string, request: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for more than ${MAX_REQUEST_MS} ms`)), MAX_REQUEST_MS);
  });
  try {
    return await Promise.race([request, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const listHosts = () => bounded('Hosts query', t.gql(Hosts, { first: 100 }, t.tokens.tenantA));
const register = () => bounded('RegisterHost mutation', t.gql(RegisterHost, { input: hostInput() }, t.tokens.tenantA));
const status = async (path: string) => (await bounded(path, fetch(`${t.url}${path}`))).status;

/** A request made while the database is unreachable gets a well-formed SERVICE_UNAVAILABLE, nothing else. */
function assertCleanOutage(r: GraphQLResponse<unknown>, what: string): void {
  assert.equal(r.status, 200, `${what}: HTTP status`);
  assert.equal(r.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', `${what}: ${JSON.stringify(r.errors)}`);
  assert.match(r.errors?.[0]?.message ?? '', /database is unavailable|database did not answer/, what);
}

/**
 * Polls the host list until it succeeds. Every failed attempt on the way must be a clean outage, so a
 * pooled dead connection surfacing as INTERNAL_SERVER_ERROR (or a hang) fails the test.
 */
async function waitForRecovery(): Promise<string[]> {
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    const r = await listHosts();
    if (!r.errors) return r.data!.hosts.edges.map((e) => e.node.id);
    assertCleanOutage(r, `recovery attempt ${attempt}`);
    assert.ok(Date.now() - start < RECOVERY_MS, `no recovery within ${RECOVERY_MS} ms: ${JSON.stringify(r.errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fills the pool with several live connections, so the restart has pooled sessions to kill. */
async function warmPool(): Promise<void> {
  const results = await Promise.all(Array.from({ length: 5 }, listHosts));
  for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
}

async function registerOk(): Promise<string> {
  const r = await register();
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.registerHost.id;
}

/** After an outage: old rows are still there, writes work again, and the server is ready. */
async function assertRecovered(existing: string[]): Promise<void> {
  const ids = await waitForRecovery();
  for (const id of existing) assert.ok(ids.includes(id), `host ${id} survived the restart`);
  const fresh = await registerOk();
  assert.ok((await listHosts()).data!.hosts.edges.some((e) => e.node.id === fresh));
  assert.equal(await status('/readyz'), 200);
}

describe('PostgreSQL restart while the server runs', () => {
  const registered: string[] = [];

  it('survives pg_ctl restart -m fast: requests during it fail cleanly, requests after it succeed', async () => {
    registered.push(await registerOk());
    await warmPool();

    // Reads and writes (transactions cut off midway) while the restart runs: each answer is either a success
    // or a clean outage.
    let restarting = true;
    const restart = pg!.restart().finally(() => (restarting = false));
    const during: GraphQLResponse<unknown>[] = [];
    while (restarting) {
      during.push(...(await Promise.all<GraphQLResponse<unknown>>([listHosts(), register()])));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await restart;
    assert.ok(during.length > 0);
    for (const [i, r] of during.entries()) if (r.errors) assertCleanOutage(r, `request ${i} during the restart`);

    // The pool still holds the sessions the restart terminated; they must not poison later requests.
    await assertRecovered(registered);
  });

  it('survives pg_ctl stop -m fast: while it is down requests fail cleanly and /readyz says 503; after start it serves again', async () => {
    registered.push(await registerOk());
    await warmPool();
    await pg!.stop();
    try {
      for (const [what, call] of [['Hosts query', listHosts], ['RegisterHost mutation', register]] as const) {
        // Twice each: the first meets the pooled sessions the stop terminated, the second a fresh connect.
        for (const attempt of [1, 2]) {
          assertCleanOutage(await call(), `${what} #${attempt} while down`);
        }
      }
      assert.equal(await status('/readyz'), 503, '/readyz while the database is down');
      assert.equal(await status('/healthz'), 200, 'the process itself is healthy');
    } finally {
      await pg!.start();
    }
    await assertRecovered(registered);
  });

  it('nothing escaped as an uncaught exception or unhandled rejection, and no outage was masked as internal', () => {
    assert.deepEqual(crashes, []);
    const internal = t.logs.filter((l) => l.msg === 'internal error' || l.msg === 'unhandled HTTP error');
    assert.deepEqual(internal, []);
    assert.ok(t.logs.some((l) => l.msg === 'database unavailable'), 'outages are logged as such');
  });
});
