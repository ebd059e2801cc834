// Requirement: several replicas on one database share the operations without doing any twice (claims with
// FOR UPDATE SKIP LOCKED and leases), and a replica that shuts down hands its running operations over at once
// (not after its leases lapse) to the others, which resume them by asking the plugin first.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { callsFor, heldBy, instanceRows, pluginEnv, operationRows, operationsIn, readyToInstantiate, startInstantiate, unsettledOperations } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { replicaBase, startReplica, type Replica, type ReplicaBase } from '../helpers/replica-server.js';
import { sql } from '../helpers/test-db.js';

/** Long enough that an operation finished well within it was handed over, not taken after its lease lapsed. */
const LEASE_MS = 20_000;

let sim: SimPlugin;
/** The key of every pair's tokens is checked by the plugin. */
const verifiers: ((token: string) => Promise<boolean>)[] = [];

before(async () => {
  sim = await SimPlugin.start({
    verifyToken: async (token) => {
      for (const v of verifiers) if (await v(token)) return true;
      return false;
    },
  });
});
after(async () => {
  await sim?.stop();
});

interface Pair {
  base: ReplicaBase & { destroy(): Promise<void> };
  a: Replica;
  b: Replica;
  dbUrl: string;
}

/** Two replicas on a fresh database; with a service token (APPLCM_PLUGIN_ACCESS_TOKEN) or without. */
async function startPair(label: string, serviceToken: boolean): Promise<Pair> {
  const base = await replicaBase(label);
  const publicKey = createPublicKey(base.keys.publicKeyPem);
  verifiers.push(async (token) => {
    try {
      await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
      return true;
    } catch {
      return false;
    }
  });
  const env = {
    ...pluginEnv(sim.address),
    APPLCM_WORKER_POLL_MS: '200',
    APPLCM_OPERATION_LEASE_MS: String(LEASE_MS),
    APPLCM_OPERATION_RETRY_BASE_MS: '100',
    APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '30000',
    DATABASE_POOL_MAX: '8',
    ...(serviceToken ? { APPLCM_PLUGIN_ACCESS_TOKEN: base.tokens.admin } : {}),
  };
  const a = await startReplica(base, env);
  const b = await startReplica(base, env);
  return { base, a, b, dbUrl: base.db.url };
}

async function stopPair(p: Pair | undefined): Promise<void> {
  if (!p) return;
  await p.a.close();
  await p.b.close();
  await p.base.destroy();
}

/** How often each replica logged `msg` for each operation. */
function logged(p: Pair, msg: string, opIds: string[]): { a: Map<string, number>; b: Map<string, number> } {
  const count = (logs: Record<string, unknown>[]) => {
    const m = new Map<string, number>();
    for (const l of logs) if (l.msg === msg && opIds.includes(l.operationId as string)) m.set(l.operationId as string, (m.get(l.operationId as string) ?? 0) + 1);
    return m;
  };
  return { a: count(p.a.logs), b: count(p.b.logs) };
}

/** Per operation, how many operation.updated events announced `state`. */
async function announced(p: Pair, opIds: string[], state: string): Promise<Map<string, number>> {
  const rows = await sql<{ subject_id: string; n: string }>(
    p.dbUrl,
    `select subject_id, count(*) as n from event where topic = 'operation.updated' and subject_id = any($1::text[]) and payload->>'state' = $2 group by subject_id`,
    [opIds, state],
  );
  return new Map(rows.map((r) => [r.subject_id, Number(r.n)]));
}

/** N instantiates created alternately through both replicas, all at once; waits until they settle and checks them. */
async function alternately(p: Pair, n: number): Promise<void> {
  const { host, pkg } = await readyToInstantiate(p.a);
  const callsBefore = sim.calls.length;
  const started = await Promise.all(Array.from({ length: n }, (_, i) => startInstantiate(i % 2 === 0 ? p.a : p.b, pkg, host.id, `repl${i}`)));
  const opIds = started.map((s) => s.opId);
  const instanceIds = started.map((s) => s.instanceId);

  const rows = await operationsIn(p.dbUrl, opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
  for (const r of rows) {
    assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
    assert.equal(r.attempts, 1, `operation ${r.id} was claimed ${r.attempts} times`);
    assert.equal(r.lease_owner, null);
  }
  // The plugin: exactly n instantiate calls, one per instance, and n instances.
  const instantiates = sim.calls.slice(callsBefore).filter((c) => c.rpc === 'instantiate');
  assert.equal(instantiates.length, n);
  assert.deepEqual(new Set(instantiates.map((c) => c.id!.toLowerCase())), new Set(instanceIds));
  assert.equal(heldBy(sim, p.base.tenants.A, host.ip, instanceIds).length, n);
  for (const r of await instanceRows(p.dbUrl, instanceIds)) assert.equal(r.instantiation_state, 'INSTANTIATED');

  // One worker ran each: exactly one completion in the two replicas' logs, and one COMPLETED event.
  const completed = logged(p, 'operation completed', opIds);
  for (const id of opIds) assert.equal((completed.a.get(id) ?? 0) + (completed.b.get(id) ?? 0), 1, `operation ${id} completed once`);
  assert.ok(completed.a.size > 0 && completed.b.size > 0, `both replicas worked (${completed.a.size} and ${completed.b.size})`);
  const events = await announced(p, opIds, 'COMPLETED');
  for (const id of opIds) assert.equal(events.get(id), 1, `operation ${id}: one COMPLETED event`);
  assert.deepEqual(await unsettledOperations(p.dbUrl), []);
}

describe('two replicas on one database, with a service token', () => {
  let p: Pair;
  before(async () => {
    p = await startPair('lcmreplicas', true);
  });
  after(() => stopPair(p));

  it('40 instantiates created alternately through both: each claimed once, run once, deployed once', async () => {
    assert.notEqual(p.a.server.engine.worker.id, p.b.server.engine.worker.id);
    await alternately(p, 40);
  });

  it('a replica that shuts down mid-run hands its operations over; the other resumes them at once, asking the plugin first', async () => {
    const { host, pkg } = await readyToInstantiate(p.a);
    // A pauses, so that B claims everything; every instantiate then stalls on the plugin.
    await p.a.server.engine.worker.stop();
    const N = 10;
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: N });
    const started = await Promise.all(Array.from({ length: N }, (_, i) => startInstantiate(i % 2 === 0 ? p.a : p.b, pkg, host.id, `handover${i}`)));
    const opIds = started.map((s) => s.opId);
    const instanceIds = started.map((s) => s.instanceId);
    await eventually(
      async () => {
        const rows = await operationRows(p.dbUrl, opIds);
        return sim.openResources.calls === N && rows.every((r) => r.state === 'PROCESSING' && r.lease_owner === p.b.server.engine.worker.id) ? true : undefined;
      },
      15_000,
      `${N} operations PROCESSING on replica B, their plugin calls stalled`,
    );
    p.a.server.engine.worker.start();

    const closed = Date.now();
    await p.b.close();
    assert.equal(sim.openResources.calls, 0, 'the stalled plugin calls were cancelled by the shutdown');
    const rows = await operationsIn(p.dbUrl, opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], LEASE_MS / 2);
    const took = Date.now() - closed;
    assert.ok(took < LEASE_MS / 2, `taken over in ${took} ms, well within the ${LEASE_MS} ms lease`);
    for (const r of rows) {
      assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
      assert.equal(r.attempts, 2, `operation ${r.id}: B, then A`);
      assert.equal(r.lease_owner, null);
    }
    const handedOver = logged(p, 'operation handed over at shutdown', opIds);
    assert.equal(handedOver.b.size, N, 'B handed every operation over');
    const completed = logged(p, 'operation completed', opIds);
    assert.equal(completed.a.size, N, 'A completed every one');
    assert.equal(completed.b.size, 0, 'B completed none');
    for (const id of instanceIds) {
      assert.ok(callsFor(sim, 'instanceStatus', id) >= 1, `instance ${id}: A asked the plugin before acting`);
      assert.equal(callsFor(sim, 'instantiate', id), 2, `instance ${id}: the cancelled call and A's`);
    }
    assert.equal(heldBy(sim, p.base.tenants.A, host.ip, instanceIds).length, N);
    for (const r of await instanceRows(p.dbUrl, instanceIds)) assert.equal(r.instantiation_state, 'INSTANTIATED');
    assert.deepEqual(await unsettledOperations(p.dbUrl), []);
  });
});

describe('two replicas on one database, without a service token', () => {
  let p: Pair;
  before(async () => {
    p = await startPair('lcmreplicasnotok', false);
  });
  after(() => stopPair(p));

  it('each new operation is run with its caller token wherever it is claimed: none stops in NO_TOKEN_TO_RESUME', async () => {
    // Nothing was interrupted here: every operation is new, its caller's token held by the replica that took the
    // request. A replica without that token must not claim it (or must get the token), or half the work of a
    // two-replica deployment fails.
    await alternately(p, 20);
  });
});
