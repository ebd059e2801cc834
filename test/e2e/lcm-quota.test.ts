import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmInstantiate, LcmRollback, LcmTerminate } from '../operations/lcm.js';
import { readyToInstantiate, settled } from '../helpers/lcm-fixture.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// The instance quota (APPLCM_MAX_INSTANCES_PER_TENANT) reads a count the database keeps per tenant: every way an
// instance comes or goes (instantiate, terminate, rollback) must move it.
const QUOTA = 2;
let t: TestServer;
let sim: SimPlugin;

before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('lcmquota', { ...pluginEnv(sim.address), APPLCM_MAX_INSTANCES_PER_TENANT: String(QUOTA), APPLCM_WORKER_POLL_MS: '200' });
});
after(async () => {
  await t.close();
  await sim.stop();
});

const instantiate = (pkg: string, hostId: string) =>
  t.gql(LcmInstantiate, { input: { appInstanceId: randomUUID(), packageId: pkg, hostId, name: 'quota' } }, t.tokens.tenantA);

/** The kept count of each tenant next to a count of its rows. */
const counts = () =>
  sql<{ tenant_id: string; kept: number; actual: number }>(
    t.db.url,
    `select t.tenant_id, coalesce((select sum(instances) from tenant_instance_count c where c.tenant_id = t.tenant_id), 0)::int as kept,
            (select count(*) from app_instance i where i.tenant_id = t.tenant_id)::int as actual
     from (select tenant_id from tenant_instance_count union select tenant_id from app_instance) t`,
  );

describe('the per-tenant instance quota', () => {
  it('refuses an instantiate past the quota with QUOTA_EXCEEDED, and counts instances that terminate or roll back as gone', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const first = await instantiate(pkg, host.id);
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.equal((await settled(t, first.data!.instantiateApp.id)).state, 'COMPLETED');

    // The second fails on the plugin: its instance still counts until it is rolled back.
    sim.injectFault({ rpc: 'instantiate', kind: 'fail', code: status.INTERNAL, message: 'boom', times: 1 });
    const second = await instantiate(pkg, host.id);
    assert.equal(second.errors, undefined, JSON.stringify(second.errors));
    assert.equal((await settled(t, second.data!.instantiateApp.id)).state, 'FAILED_TEMP');

    const refused = await instantiate(pkg, host.id);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'QUOTA_EXCEEDED', JSON.stringify(refused.errors));
    assert.equal(refused.errors?.[0]?.extensions?.limit, QUOTA);

    // A rollback deletes the failed instance: one place is free again.
    await t.gql(LcmRollback, { id: second.data!.instantiateApp.id }, t.tokens.tenantA);
    assert.equal((await settled(t, second.data!.instantiateApp.id)).state, 'ROLLED_BACK');
    const third = await instantiate(pkg, host.id);
    assert.equal(third.errors, undefined, JSON.stringify(third.errors));
    assert.equal((await settled(t, third.data!.instantiateApp.id)).state, 'COMPLETED');
    assert.equal((await instantiate(pkg, host.id)).errors?.[0]?.extensions?.code, 'QUOTA_EXCEEDED');

    // A terminate deletes its instance: one place is free again.
    const term = await t.gql(LcmTerminate, { id: first.data!.instantiateApp.instanceId! }, t.tokens.tenantA);
    assert.equal(term.errors, undefined, JSON.stringify(term.errors));
    assert.equal((await settled(t, term.data!.terminateApp.id)).state, 'COMPLETED');
    const fourth = await instantiate(pkg, host.id);
    assert.equal(fourth.errors, undefined, JSON.stringify(fourth.errors));
    assert.equal((await settled(t, fourth.data!.instantiateApp.id)).state, 'COMPLETED');

    for (const c of await counts()) assert.equal(c.kept, c.actual, `tenant ${c.tenant_id}: the kept count matches its rows`);
    assert.deepEqual((await counts()).find((c) => c.tenant_id === t.tenants.A)?.actual, QUOTA);
  });

  it('keeps the count right under concurrent instantiates (a soft quota: they may pass it by their number, never lose count)', async () => {
    // Terminate everything of tenant A first, so the quota does not refuse the racing instantiates' setup.
    const ids = await sql<{ id: string }>(t.db.url, `select id from app_instance where tenant_id = $1`, [t.tenants.A]);
    for (const { id } of ids) {
      const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
      assert.equal((await settled(t, term.data!.terminateApp.id)).state, 'COMPLETED');
    }
    const { host, pkg } = await readyToInstantiate(t);
    const results = await Promise.all(Array.from({ length: 12 }, () => instantiate(pkg, host.id)));
    const accepted = results.filter((r) => !r.errors);
    assert.ok(accepted.length >= QUOTA, `at least the quota is accepted (${accepted.length})`);
    for (const r of results.filter((x) => x.errors)) assert.equal(r.errors![0]!.extensions?.code, 'QUOTA_EXCEEDED');
    for (const r of accepted) assert.equal((await settled(t, r.data!.instantiateApp.id)).state, 'COMPLETED');
    for (const c of await counts()) assert.equal(c.kept, c.actual, `tenant ${c.tenant_id}: the kept count matches its rows`);
  });
});
