// AK/SK at rest: with APPLCM_SECRETS_KEY the instance row holds them sealed (AES-256-GCM), never in clear, while the
// plugin still receives them and a repeated identical instantiate is still recognised. A controller with another
// key cannot open them and says so instead of sending garbage to the plugin.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmInstantiate, LcmRetry } from '../operations/lcm.js';
import { readyToInstantiate, settled } from '../helpers/lcm-fixture.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let sim: SimPlugin;
before(async () => {
  sim = await SimPlugin.start();
  t = await startTestServer('lcmsecrets', { ...pluginEnv(sim.address), APPLCM_SECRETS_KEY: randomBytes(32).toString('base64') });
});
after(async () => {
  await t?.close();
  await sim?.stop();
});

describe('AK/SK sealed at rest', () => {
  it('stores them sealed, hands them to the plugin in clear, and still recognises a repeated instantiate', async () => {
    const { host, pkg } = await readyToInstantiate(t);
    const id = randomUUID();
    const input = { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'sealed', accessKey: 'AK-sealed-0001', secretKey: 'SK-very-secret-0001', secretParameters: { dbPassword: 'pw-0001' } };
    const r = await t.gql(LcmInstantiate, { input }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const op = await settled(t, r.data!.instantiateApp.id);
    assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));

    const [row] = await sql<{ secrets: Record<string, unknown> }>(t.db.url, 'select secrets from app_instance where id = $1', [id]);
    const stored = JSON.stringify(row!.secrets);
    assert.equal(row!.secrets.sealed, 'aes-256-gcm:v1');
    for (const clear of ['AK-sealed-0001', 'SK-very-secret-0001', 'pw-0001']) assert.ok(!stored.includes(clear), `${clear} is not stored in clear`);

    const onPlugin = sim.instance(t.tenants.A, host.ip, id)!;
    assert.equal(onPlugin.parameters.ak, 'AK-sealed-0001');
    assert.equal(onPlugin.parameters.sk, 'SK-very-secret-0001');
    assert.equal(onPlugin.parameters.dbPassword, 'pw-0001');

    // The same request again: recognised through the sealed digest, the same operation answered.
    const again = await t.gql(LcmInstantiate, { input }, t.tokens.tenantA);
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal(again.data!.instantiateApp.id, op.id);
    const other = await t.gql(LcmInstantiate, { input: { ...input, secretKey: 'SK-another' } }, t.tokens.tenantA);
    assert.equal(other.errors?.[0]?.extensions?.code, 'CONFLICT');
  });

  it('a controller with another key refuses to open them, with a reason, and sends nothing to the plugin', async () => {
    const other = await startTestServer('lcmsecrets2', { ...pluginEnv(sim.address), APPLCM_SECRETS_KEY: randomBytes(32).toString('base64') });
    try {
      const { host, pkg } = await readyToInstantiate(other);
      // Sealed by a controller whose key this one does not have.
      await other.server.engine.worker.stop();
      const id = randomUUID();
      const r = await other.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'wrongkey' } }, other.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const foreign = new (await import('../../src/auth/secret-box.js')).SecretBox(randomBytes(32));
      await sql(other.db.url, 'update app_instance set secrets = $2 where id = $1', [id, JSON.stringify(foreign.seal({ ak: 'x', sk: 'y' }))]);
      other.server.engine.worker.start();
      const op = await settled(other, r.data!.instantiateApp.id);
      assert.equal(op.state, 'FAILED_TEMP');
      assert.equal(op.error?.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(sim.instance(other.tenants.A, host.ip, id), undefined, 'nothing reached the plugin');
      // A retry does not change that: the key is the operator's to fix.
      const retried = await other.gql(LcmRetry, { id: op.id }, other.tokens.tenantA);
      assert.equal(retried.errors, undefined, JSON.stringify(retried.errors));
      assert.equal((await settled(other, op.id)).state, 'FAILED_TEMP');
    } finally {
      await other.close();
    }
  });
});
