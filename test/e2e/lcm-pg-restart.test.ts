// Requirement (hardening D1-D3, I5): PostgreSQL going away while operations run loses none and doubles none.
// Operations in flight when the database restarts settle (COMPLETED, or FAILED_TEMP with a reason), none stays
// STARTING/PROCESSING, nothing is deployed twice, mutations refused during the gap leave no partial rows and work
// when repeated, and new mutations work afterwards. The database is a scratch cluster of this file's own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmCancel, LcmInstantiate, LcmRetry } from '../operations/lcm.js';
import {
  callsFor,
  heldBy,
  instanceRows,
  pluginEnv,
  operationRows,
  operationsIn,
  readyToInstantiate,
  settled,
  startInstantiate,
  unsettledOperations,
} from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/scratch-postgres.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const FINAL = ['COMPLETED', 'FAILED_TEMP', 'FAILED'];

let cluster: ScratchPostgres | undefined;
let sim: SimPlugin;
const servers: TestServer[] = [];

// The servers run in this process: anything that would have killed them lands here instead.
const crashes: unknown[] = [];
const recordCrash = (e: unknown) => void crashes.push(e);

before(async () => {
  process.on('uncaughtException', recordCrash);
  process.on('unhandledRejection', recordCrash);
  cluster = await startScratchPostgres();
  sim = await SimPlugin.start();
});

after(async () => {
  try {
    for (const t of servers) await t.close();
  } finally {
    await sim?.stop();
    await cluster?.destroy();
    process.off('uncaughtException', recordCrash);
    process.off('unhandledRejection', recordCrash);
  }
});

async function server(label: string, env: Record<string, string>): Promise<TestServer> {
  const t = await startTestServer(label, { ...pluginEnv(sim.address), APPLCM_WORKER_POLL_MS: '200', APPLCM_OPERATION_RETRY_BASE_MS: '200', ...env }, { adminDatabaseUrl: cluster!.url });
  servers.push(t);
  return t;
}

describe('PostgreSQL restarted while lifecycle operations run', () => {
  it('pg_ctl restart during a run: every operation settles, nothing is stuck or deployed twice, refused mutations leave nothing, new ones work', async () => {
    const t = await server('lcmpgrestart', {
      APPLCM_OPERATION_LEASE_MS: '2000',
      APPLCM_OPERATION_MAX_ATTEMPTS: '5',
      // The stalled calls outlive the restart: their deadline passes after it, and the engine asks the plugin.
      APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '4000',
    });
    const { host, pkg } = await readyToInstantiate(t);

    const STALLED = 4;
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: STALLED });
    const before = await Promise.all(Array.from({ length: 12 }, (_, i) => startInstantiate(t, pkg, host.id, `before${i}`)));
    await eventually(() => Promise.resolve(sim.openResources.calls === STALLED ? true : undefined), 10_000, `${STALLED} stalled instantiate calls`);

    // Mutations keep coming while the database restarts; each one either starts an operation or is refused cleanly.
    let restarting = true;
    const restart = cluster!.restart().finally(() => (restarting = false));
    const during: { instanceId: string; opId?: string; code?: string }[] = [];
    let n = 0;
    while (restarting) {
      const instanceId = randomUUID();
      const r = await t.gql(LcmInstantiate, { input: { appInstanceId: instanceId, packageId: pkg, hostId: host.id, name: `during${n++}` } }, t.tokens.tenantA);
      if (r.errors) during.push({ instanceId, code: r.errors[0]?.extensions?.code });
      else during.push({ instanceId, opId: r.data!.instantiateApp.id });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await restart;
    assert.ok(during.length > 0);
    for (const d of during) if (d.code) assert.equal(d.code, 'SERVICE_UNAVAILABLE', `a mutation during the restart was refused with ${d.code}`);

    // Refused mutations left no partial rows: an instance without its operation or the reverse.
    const refused = during.filter((d) => d.code);
    for (const d of refused) {
      const [row] = await eventually(async () => {
        try {
          return await sql<{ i: string; o: string }>(t.db.url, 'select (select count(*) from app_instance where id = $1) as i, (select count(*) from lcm_operation where instance_id = $1) as o', [d.instanceId]);
        } catch {
          return undefined;
        }
      }, 15_000, 'the database to answer');
      assert.equal(row!.i, row!.o, `instance ${d.instanceId}: ${row!.i} instance rows and ${row!.o} operations after a refused mutation`);
    }
    // Repeating them (same instance id) works once the database is back, and gives each exactly one operation.
    const repeated: { instanceId: string; opId: string }[] = [];
    for (const d of refused) {
      const r = await eventually(async () => {
        const x = await t.gql(LcmInstantiate, { input: { appInstanceId: d.instanceId, packageId: pkg, hostId: host.id, name: `during${during.indexOf(d)}` } }, t.tokens.tenantA);
        if (x.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE') return undefined;
        return x;
      }, 15_000, 'a repeated mutation to be served');
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      repeated.push({ instanceId: d.instanceId, opId: r.data!.instantiateApp.id });
    }
    const after = await startInstantiate(t, pkg, host.id, 'after');

    const all = [...before, ...during.filter((d) => d.opId).map((d) => ({ instanceId: d.instanceId, opId: d.opId! })), ...repeated, after];
    const opIds = all.map((x) => x.opId);
    const instanceIds = all.map((x) => x.instanceId);
    const rows = await operationsIn(t.db.url, opIds, FINAL, 45_000);
    assert.deepEqual(await unsettledOperations(t.db.url), [], 'invariant I5: nothing left STARTING/PROCESSING');
    const counts = await sql<{ instance_id: string; n: string }>(t.db.url, 'select instance_id, count(*) as n from lcm_operation where instance_id = any($1::uuid[]) group by instance_id', [instanceIds]);
    for (const c of counts) assert.equal(c.n, '1', `instance ${c.instance_id}: one operation`);

    const instances = new Map((await instanceRows(t.db.url, instanceIds)).map((r) => [r.id, r]));
    for (const r of rows) {
      const id = r.instance_id!;
      assert.ok(callsFor(sim, 'instantiate', id) <= 2, `instance ${id}: ${callsFor(sim, 'instantiate', id)} instantiate calls`);
      if (r.state === 'COMPLETED') {
        assert.ok(sim.instance(t.tenants.A, host.ip, id), `instance ${id} completed but is not on the plugin`);
        assert.equal(instances.get(id)?.instantiation_state, 'INSTANTIATED');
      } else {
        assert.equal(r.state, 'FAILED_TEMP', `operation ${r.id}`);
        assert.ok(r.error?.code && r.error.message, `operation ${r.id} failed without a reason`);
        assert.equal(instances.get(id)?.instantiation_state, 'NOT_INSTANTIATED');
      }
    }
    // What stopped in FAILED_TEMP completes when retried; then the plugin holds exactly the instances of the rows.
    for (const r of rows.filter((x) => x.state !== 'COMPLETED')) {
      const retried = await t.gql(LcmRetry, { id: r.id }, t.tokens.tenantA);
      assert.equal(retried.errors, undefined, JSON.stringify(retried.errors));
    }
    const final = await operationsIn(t.db.url, opIds, FINAL, 20_000);
    for (const r of final) assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
    assert.equal(heldBy(sim, t.tenants.A, host.ip, instanceIds).length, instanceIds.length);
    for (const r of await instanceRows(t.db.url, instanceIds)) assert.equal(r.instantiation_state, 'INSTANTIATED');
    assert.deepEqual(crashes, []);
  });

  it('a lease that lapsed while the database was away: the worker still running the operation does not start it a second time', async () => {
    // A long lease renewed every third of it, polls every 100 ms: when the database is back after the lease has lapsed,
    // the worker's next claim comes long before its next renewal.
    const LEASE_MS = 6000;
    const t = await server('lcmpglease', { APPLCM_OPERATION_LEASE_MS: String(LEASE_MS), APPLCM_WORKER_POLL_MS: '100', APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '60000' });
    const { host, pkg } = await readyToInstantiate(t);
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: 1 });
    const { opId, instanceId } = await startInstantiate(t, pkg, host.id, 'leased');
    await eventually(() => Promise.resolve(sim.openResources.calls === 1 ? true : undefined), 10_000, 'the instantiate call to stall');
    const [held] = await operationRows(t.db.url, [opId]);
    assert.equal(held!.state, 'PROCESSING');
    assert.equal(held!.attempts, 1);
    const workerId = t.server.engine.worker.id;
    assert.equal(held!.lease_owner, workerId);

    // The database goes away until the lease has lapsed; the plugin call goes on.
    await cluster!.stop();
    try {
      await eventually(() => Promise.resolve(Date.now() > held!.lease_expires_at!.getTime() + 500 ? true : undefined), LEASE_MS + 5000, 'the lease to lapse');
    } finally {
      await cluster!.start();
    }
    // Either the worker renews its lease (the heartbeat) or claims the operation anew: wait for one of them.
    const seen = await eventually(
      async () => {
        try {
          const [row] = await operationRows(t.db.url, [opId]);
          return row!.attempts > 1 || (row!.lease_expires_at && row!.lease_expires_at.getTime() > Date.now() + LEASE_MS / 2) ? row : undefined;
        } catch {
          return undefined;
        }
      },
      LEASE_MS + 10_000,
      'the lease to be renewed or the operation claimed again',
    );
    assert.equal(sim.openResources.calls, 1, 'the first plugin call is still in flight');
    assert.equal(seen.attempts, 1, `the worker still running the operation claimed it again (attempts ${seen.attempts}, lease owner ${seen.lease_owner})`);
    assert.equal(callsFor(sim, 'instantiate', instanceId), 1, 'no second instantiate while the first is in flight');

    // Ends the stalled run: cancel, then retry.
    const c = await t.gql(LcmCancel, { id: opId }, t.tokens.tenantA);
    assert.equal(c.errors, undefined, JSON.stringify(c.errors));
    assert.equal((await settled(t, opId)).error?.code, 'CANCELLED');
    await t.gql(LcmRetry, { id: opId }, t.tokens.tenantA);
    assert.equal((await settled(t, opId)).state, 'COMPLETED');
    assert.ok(sim.instance(t.tenants.A, host.ip, instanceId));
    assert.deepEqual(crashes, []);
  });

  it('a statement timeout inside an operation (a table locked by someone else) is retried as the outage it is, not recorded as an internal error', async () => {
    // hardening D5: LOCK TABLE app_instance IN ACCESS EXCLUSIVE MODE held elsewhere. The handler's read of the instance
    // runs into statement_timeout (57014), which the API itself reports as SERVICE_UNAVAILABLE "retry later".
    const t = await server('lcmpglock', { DATABASE_STATEMENT_TIMEOUT_MS: '1000', APPLCM_OPERATION_LEASE_MS: '5000', APPLCM_OPERATION_MAX_ATTEMPTS: '10' });
    const { host, pkg } = await readyToInstantiate(t);
    await t.server.engine.worker.stop();
    const { opId, instanceId } = await startInstantiate(t, pkg, host.id, 'locked');
    const locker = new pg.Client({ connectionString: t.db.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table app_instance in access exclusive mode');
      t.server.engine.worker.start();
      const [first] = await eventually(async () => {
        const rows = await operationRows(t.db.url, [opId]);
        return rows[0]?.error ? rows : undefined;
      }, 15_000, 'the operation to record its first failure');
      assert.notEqual(first!.state, 'FAILED_TEMP', `a statement timeout stopped the operation: ${JSON.stringify(first!.error)}`);
      assert.equal(first!.error?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(first!.error));
      assert.equal(callsFor(sim, 'instantiate', instanceId), 0);
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
    const done = await settled(t, opId);
    assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
    assert.ok(sim.instance(t.tenants.A, host.ip, instanceId));
    assert.deepEqual(crashes, []);
  });
});
