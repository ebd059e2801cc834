// The embedded default as a newcomer meets it: the real `applcm dev` process on PGlite, no DATABASE_URL,
// driven only through what it prints and the CLI, then stopped and started again on the same data dir.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hosts, RegisterHost, Viewer } from '../operations/hosts.js';
import { Plugins, UploadHostConfig } from '../operations/plugins.js';
import { gql, kill, runCli, startDev, stopDev, type DevProcess } from '../helpers/dev-process.js';
import { httpGql, readyToInstantiate, settled, startInstantiate, type LcmApi } from '../helpers/lcm-fixture.js';
import { LcmTerminate } from '../operations/lcm.js';

let root: string;
let dataDir: string;
let dev: DevProcess | undefined;

const tenant = randomUUID();
const hostInput = { ip: '10.30.0.1', name: 'edge-embedded', city: 'Xian' };
let hostId: string;
let firstAdminToken: string;
let tenantToken: string;
/** The host the lifecycle ran on (kept across the restart like the first one). */
let lifecycleHost: { id: string; ip: string };

/** Log lines at warn or above, and anything on stderr: a clean run has none. */
function problems(d: DevProcess): string[] {
  const warnings = d
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .filter((l) => (JSON.parse(l) as { level: number }).level >= 40);
  return [...warnings, ...(d.stderr() ? [d.stderr()] : [])];
}

const cliToken = async (role: string) => (await runCli(['token', '--data-dir', dataDir, '--role', role, '--tenant', tenant], root)).trim();

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-embedded-dev-'));
  dataDir = path.join(root, 'data');
});

after(async () => {
  await kill(dev?.child);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('applcm dev on the embedded database', { timeout: 180_000 }, () => {
  it('starts on an ephemeral port (--port 0) and prints the URL it really listens on', async () => {
    dev = await startDev(dataDir, { cwd: root });
    const { baseUrl, graphqlUrl, adminToken } = dev.banner;
    assert.match(baseUrl, /^http:\/\/localhost:\d+$/);
    assert.notEqual(new URL(baseUrl).port, '0');
    assert.equal(graphqlUrl, `${baseUrl}/graphql`);
    assert.match(adminToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the admin token is a JWT');
    firstAdminToken = adminToken;
  });

  it('answers the banner’s "Try it" request exactly as printed', async () => {
    const { example, graphqlUrl, adminToken } = dev!.banner;
    assert.equal(example.url, graphqlUrl);
    assert.equal(example.headers.authorization, `Bearer ${adminToken}`);
    const res = await fetch(example.url, { method: 'POST', headers: example.headers, body: example.body });
    const body = (await res.json()) as { data?: { viewer: { role: string }; hosts: { totalCount: unknown } }; errors?: unknown };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data?.viewer.role, 'ADMIN');
    assert.equal(typeof body.data?.hosts.totalCount, 'number');
  });

  it('registers a host and reports itself healthy and ready', async () => {
    const { graphqlUrl, baseUrl, adminToken } = dev!.banner;
    const r = await gql(graphqlUrl, adminToken, RegisterHost, { input: hostInput });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data?.registerHost.ip, hostInput.ip);
    hostId = r.data.registerHost.id;

    const health = await fetch(`${baseUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'ok' });
  });

  it('serves k8s and openstack hosts through in-process plugins on loopback, which accept a kubeconfig', async () => {
    const { graphqlUrl, adminToken } = dev!.banner;
    const p = await gql(graphqlUrl, adminToken, Plugins, { refresh: true });
    assert.equal(p.errors, undefined, JSON.stringify(p.errors));
    assert.deepEqual(p.data!.plugins.map((x) => [x.vimType, x.source, x.healthy, x.capabilities?.pluginName]), [
      ['k8s', 'embedded', true, 'applcm-sim'],
      ['openstack', 'embedded', true, 'applcm-sim'],
    ]);
    assert.match(p.data!.plugins[0]!.endpoint, /^127\.0\.0\.1:\d+$/);
    const up = await gql(graphqlUrl, adminToken, UploadHostConfig, { hostId, content: 'apiVersion: v1\nkind: Config\nclusters: []\n' });
    assert.equal(up.errors, undefined, JSON.stringify(up.errors));
    assert.equal(up.data!.uploadHostConfig.configStatus, 'UPLOADED');
  });

  it('accepts tokens minted by `applcm token` and enforces the role they carry', async () => {
    const { graphqlUrl, adminToken } = dev!.banner;
    tenantToken = await cliToken('tenant');
    const viewer = await gql(graphqlUrl, tenantToken, Viewer);
    assert.equal(viewer.errors, undefined, JSON.stringify(viewer.errors));
    assert.equal(viewer.data?.viewer.role, 'TENANT');
    assert.equal(viewer.data?.viewer.tenantId, tenant);

    const guest = await cliToken('guest');
    const refused = await gql(graphqlUrl, guest, RegisterHost, { input: { ...hostInput, ip: '10.30.0.2', name: 'edge-guest' } });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(refused.errors));
    const hosts = await gql(graphqlUrl, adminToken, Hosts, { first: 10 });
    assert.equal(hosts.data?.hosts.totalCount, 1, 'the refused registration wrote nothing');
  });

  it('runs the lifecycle on the embedded database: distribute, instantiate and terminate, each COMPLETED', async () => {
    const { baseUrl, adminToken } = dev!.banner;
    const api: LcmApi = { url: baseUrl, tokens: { admin: adminToken, tenantA: tenantToken }, tenants: { A: tenant }, gql: httpGql(() => baseUrl, tenantToken) };
    const { host, pkg } = await readyToInstantiate(api);
    lifecycleHost = host;
    const { opId, instanceId } = await startInstantiate(api, pkg, host.id, 'embedded-app');
    const inst = await settled(api, opId, undefined, 30_000);
    assert.equal(inst.state, 'COMPLETED', JSON.stringify(inst.error));
    const term = await api.gql(LcmTerminate, { id: instanceId, options: { mode: 'FORCEFUL', timeoutSeconds: 0 } }, tenantToken);
    assert.equal(term.errors, undefined, JSON.stringify(term.errors));
    const done = await settled(api, term.data!.terminateApp.id, undefined, 30_000);
    assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
  });

  it('keeps the dev private key and the key sealing AK/SK readable by their owner only (0600)', () => {
    for (const file of ['jwt-private.pem', 'secrets.key']) {
      const mode = fs.statSync(path.join(dataDir, 'keys', file)).mode & 0o777;
      assert.equal(mode.toString(8), '600', file);
    }
  });

  it('shuts down gracefully on SIGTERM with exit code 0', async () => {
    const exit = await stopDev(dev!);
    assert.deepEqual(exit, { code: 0, signal: null }, `stdout:\n${dev!.stdout()}\nstderr:\n${dev!.stderr()}`);
    assert.deepEqual(problems(dev!), []);
  });

  it('starts again on the same data dir, keeping hosts and keys, with no migration left to apply', async () => {
    dev = await startDev(dataDir, { cwd: root });
    const { graphqlUrl, adminToken } = dev.banner;

    const hosts = await gql(graphqlUrl, adminToken, Hosts, { first: 10 });
    assert.equal(hosts.errors, undefined, JSON.stringify(hosts.errors));
    assert.deepEqual(
      hosts.data?.hosts.edges.map((e) => [e.node.id, e.node.ip]),
      [
        [hostId, hostInput.ip],
        [lifecycleHost.id, lifecycleHost.ip],
      ],
    );

    // The key pair and the admin identity are reused: tokens from before the restart still verify.
    const before = await gql(graphqlUrl, firstAdminToken, Viewer);
    const now = await gql(graphqlUrl, adminToken, Viewer);
    assert.equal(before.data?.viewer.role, 'ADMIN', JSON.stringify(before.errors));
    assert.equal(before.data?.viewer.userId, now.data?.viewer.userId);
    const tenantViewer = await gql(graphqlUrl, tenantToken, Viewer);
    assert.equal(tenantViewer.data?.viewer.role, 'TENANT', JSON.stringify(tenantViewer.errors));
  });

  it('shuts down gracefully again, having logged no warning or error on the second run', async () => {
    const exit = await stopDev(dev!);
    assert.deepEqual(exit, { code: 0, signal: null }, `stdout:\n${dev!.stdout()}\nstderr:\n${dev!.stderr()}`);
    assert.deepEqual(problems(dev!), []);
    // The migration ledger survived both runs intact, so neither start had anything to re-apply.
    assert.equal(await runCli(['migrate', '--data-dir', dataDir], root), 'database is up to date\n');
  });
});
