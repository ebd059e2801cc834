// Requirement (hardening R2): SIGTERM with operations in flight stops the controller cleanly (exit 0 within the grace
// period), cancels its plugin calls and hands the operations over (leases released, not left to lapse), so the next
// controller on the database resumes them at once, asking the plugin before acting.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { startController, type ControllerProcess } from '../helpers/controller-process.js';
import { callsFor, heldBy, identities, instanceRows, pluginEnv, operationRows, operationsIn, readyToInstantiate, startInstantiate, unsettledOperations } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { generateTestKeys } from '../helpers/test-keys.js';

/** Long: an operation resumed well within it was handed over, not taken after its lease lapsed. */
const LEASE_MS = 30_000;
const N = 8;

let sim: SimPlugin;
let db: TestDatabase;
let dataDir: string;
const children: ControllerProcess[] = [];

before(async () => {
  sim = await SimPlugin.start();
  db = await createTestDatabase('lcmsigterm');
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-sigterm-'));
});

after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await db?.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
  await sim?.stop();
});

describe('SIGTERM with operations in flight', () => {
  it('exits 0, cancels its plugin calls and hands the operations over; the next controller resumes them at once', async () => {
    const ids = await identities(generateTestKeys());
    const env = {
      ...pluginEnv(sim.address),
      APPLCM_OPERATION_LEASE_MS: String(LEASE_MS),
      APPLCM_WORKER_POLL_MS: '200',
      APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '120000',
      APPLCM_SHUTDOWN_GRACE_MS: '10000',
      APPLCM_PLUGIN_ACCESS_TOKEN: ids.tokens.admin,
    };
    const first = await startController({ databaseUrl: db.url, ids, dataDir, env });
    children.push(first);
    const { host, pkg } = await readyToInstantiate(first);
    sim.injectFault({ rpc: 'instantiate', kind: 'stall', times: N });
    const started = await Promise.all(Array.from({ length: N }, (_, i) => startInstantiate(first, pkg, host.id, `term${i}`)));
    const opIds = started.map((s) => s.opId);
    const instanceIds = started.map((s) => s.instanceId);
    await eventually(
      async () => {
        const rows = await operationRows(db.url, opIds);
        return sim.openResources.calls === N && rows.every((r) => r.state === 'PROCESSING' && r.lease_owner) ? true : undefined;
      },
      15_000,
      `${N} operations PROCESSING, their plugin calls stalled`,
    );

    const signalled = Date.now();
    const exit = await first.kill('SIGTERM');
    assert.equal(exit.code, 0, first.stderr());
    assert.ok(Date.now() - signalled < 15_000, `stopped in ${Date.now() - signalled} ms`);
    assert.equal(sim.openResources.calls, 0, 'the plugin calls in flight were cancelled');
    for (const id of opIds) assert.ok(first.logs.some((l) => l.msg === 'operation handed over at shutdown' && l.operationId === id), `operation ${id} handed over`);
    // Handed over: still PROCESSING, nobody's, due at once.
    for (const r of await operationRows(db.url, opIds)) {
      assert.equal(r.state, 'PROCESSING');
      assert.equal(r.lease_owner, null, `operation ${r.id} keeps no lease`);
      assert.ok(r.lease_expires_at === null || r.lease_expires_at.getTime() <= Date.now() + 1000, `operation ${r.id} is due at once`);
      assert.equal(r.attempts, 1);
    }
    assert.equal(heldBy(sim, ids.tenants.A, host.ip, instanceIds).length, 0, 'nothing was deployed by the stopped controller');

    const restarted = Date.now();
    const second = await startController({ databaseUrl: db.url, ids, dataDir, env });
    children.push(second);
    const rows = await operationsIn(db.url, opIds, ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 20_000);
    assert.ok(Date.now() - restarted < LEASE_MS, 'resumed without waiting for a lease to lapse');
    for (const r of rows) {
      assert.equal(r.state, 'COMPLETED', `operation ${r.id}: ${JSON.stringify(r.error)}`);
      assert.equal(r.attempts, 2);
    }
    for (const id of instanceIds) {
      assert.ok(callsFor(sim, 'instanceStatus', id) >= 1, `instance ${id}: the plugin was asked first`);
      assert.equal(callsFor(sim, 'instantiate', id), 2, `instance ${id}: the cancelled call and one more`);
    }
    assert.equal(heldBy(sim, ids.tenants.A, host.ip, instanceIds).length, N);
    for (const r of await instanceRows(db.url, instanceIds)) assert.equal(r.instantiation_state, 'INSTANTIATED');
    assert.deepEqual(await unsettledOperations(db.url), []);
    assert.equal((await second.kill('SIGTERM')).code, 0);
  });
});
