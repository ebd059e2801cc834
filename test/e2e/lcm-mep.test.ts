import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmInstantiate, LcmTerminate } from '../operations/lcm.js';
import { readyToInstantiate, settled } from '../helpers/lcm-fixture.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the MEP's two endpoints the controller calls; answers `status` (200 unless told otherwise). */
function fakeMep() {
  const seen: Seen[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : '{"detail":"refused by mep"}');
    });
  });
  return {
    seen,
    setStatus: (s: number) => (status = s),
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise((r) => server.close(r)),
  };
}

let t: TestServer;
let sim: SimPlugin;
const mep = fakeMep();
let host: { id: string; ip: string };
let pkg: string;

const settledOp = (id: string) => settled(t, id, ['COMPLETED', 'FAILED_TEMP'], 10_000);

before(async () => {
  sim = await SimPlugin.start();
  const url = await mep.start();
  t = await startTestServer('lcm-mep', { ...pluginEnv(sim.address), APPLCM_MEP_URL: url, APPLCM_WORKER_POLL_MS: '200', APPLCM_OPERATION_MAX_ATTEMPTS: '1' });
  ({ host, pkg } = await readyToInstantiate(t));
});
after(async () => {
  await t.close();
  await sim.stop();
  await mep.stop();
});

describe('MEP registration, as the original', () => {
  it('instantiate registers the AK/SK and the AppD services before deploying; terminate notifies the MEP', async () => {
    const id = randomUUID();
    const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'posapp', accessKey: 'AK0123456789', secretKey: 'SK0123456789' } }, t.tokens.tenantA);
    assert.equal((await settledOp(r.data!.instantiateApp.id)).state, 'COMPLETED');
    const put = mep.seen.find((s) => s.method === 'PUT')!;
    assert.equal(put.url, `/mep/appMng/v1/applications/${id}/confs`);
    assert.deepEqual(JSON.parse(put.body), {
      authInfo: { credentials: { accessKeyId: 'AK0123456789', secretKey: 'SK0123456789', appName: 'posapp' } },
      // The positioning fixture's app_configuration: optional, produced, then required services.
      appInfo: { appName: 'positioning-service', requiredServices: ['appService2', 'positioning-service', 'test'] },
    });
    const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
    assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
    const del = mep.seen.find((s) => s.method === 'DELETE')!;
    assert.equal(del.url, `/mep/mec_app_support/v1/applications/${id}/AppInstanceTermination`);
    assert.equal(del.headers['x-appinstanceid'], id);
  });

  it('a MEP that refuses the registration stops the instantiate before anything is deployed', async () => {
    mep.setStatus(500);
    try {
      const id = randomUUID();
      const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId: host.id, name: 'refused' } }, t.tokens.tenantA);
      const op = await settledOp(r.data!.instantiateApp.id);
      assert.equal(op.state, 'FAILED_TEMP');
      assert.equal(op.error?.code, 'MEP_ERROR');
      assert.match(op.error.message, /500.*refused by mep/);
      assert.equal(sim.instance(t.tenants.A, host.ip, id), undefined, 'nothing reached the plugin');
    } finally {
      mep.setStatus(200);
    }
  });
});
