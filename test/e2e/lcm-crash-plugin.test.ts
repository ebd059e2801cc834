// Requirement (hardening P5, P6, R1e): a plugin that goes away in the middle of a package stream leaves the
// distribution to that host FAILED_TEMP with a clear error, the server's own copy intact and nothing half-stored on
// the plugin; once a plugin is back on the same port, a retry completes the distribution over a new connection
// (without restarting the controller) and the package can be instantiated.
//   stop:    the simulator in this process is stopped while it holds the stream (an orderly shutdown: UNAVAILABLE);
//   SIGKILL: the simulator runs in a child process killed while it has half the package on disk (connection reset).
// The controller reaches the plugin port through a TCP proxy, so the plugin behind it can be swapped on one port.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmRetry } from '../operations/lcm.js';
import {
  bigPackage,
  callsFor,
  pluginEnv,
  newHost,
  newPackage,
  operationRows,
  settled,
  startDistribution,
  startInstantiate,
} from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { startSimProcess } from '../helpers/sim-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PACKAGE_MIB = 24;

let t: TestServer;
let proxy: TcpProxy;
/** The plugin's port (behind the proxy) and data dir, the same for every plugin started here. */
let port: number;
let simDir: string;
/** The plugin serving now, if any. */
let current: { stop(): Promise<unknown> } | undefined;
let work: string;
let big: { file: string; bytes: number; sha256: string };
let pkg: string;

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-crash-plugin-'));
  simDir = path.join(work, 'sim');
  // A first plugin picks the port every later one reuses.
  const first = await SimPlugin.start({ dataDir: simDir });
  port = first.port;
  current = first;
  proxy = await TcpProxy.start('127.0.0.1', port);
  t = await startTestServer('lcmcrashplugin', { ...pluginEnv(proxy.address), APPLCM_WORKER_POLL_MS: '200', APPLCM_OPERATION_LEASE_MS: '3000', APPLCM_OPERATION_RETRY_BASE_MS: '200',
    // No periodic health check: the retry itself must find the plugin back (a new connection on first use).
    APPLCM_PLUGIN_HEALTH_INTERVAL_MS: '0',
  });
  const made = await bigPackage(work, PACKAGE_MIB);
  big = { ...made, sha256: sha256(made.file) };
  pkg = await newPackage(t, big.file);
});

after(async () => {
  await t?.close();
  await current?.stop();
  await proxy?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The server's stored copy of the package: its row and its file, unchanged. */
async function assertServerCopyIntact(): Promise<void> {
  const [row] = await sql<{ onboarding_state: string; sha256: string; storage_key: string; size_bytes: string }>(t.db.url, 'select onboarding_state, sha256, storage_key, size_bytes from app_package where id = $1', [pkg]);
  assert.equal(row?.onboarding_state, 'ONBOARDED');
  assert.equal(row.sha256, big.sha256);
  assert.equal(Number(row.size_bytes), big.bytes);
  const file = path.join(t.dataDir, 'packages', `${row.storage_key}.csar`);
  assert.equal(sha256(file), big.sha256, "the server's copy is intact");
}

interface DistributionRow {
  state: string;
  error: string | null;
}
const distributionRow = async (hostId: string): Promise<DistributionRow | undefined> =>
  (await sql<DistributionRow>(t.db.url, 'select state, error from package_distribution where package_id = $1 and host_id = $2', [pkg, hostId]))[0];

/** The distribution stopped for the host, with a clear error, on the operation, its result and the host's row. */
async function assertFailedForHost(opId: string, hostId: string): Promise<void> {
  const op = await settled(t, opId);
  assert.equal(op.state, 'FAILED_TEMP', JSON.stringify(op));
  assert.equal(op.error?.code, 'PLUGIN_ERROR');
  assert.match(op.error.message, /1 of 1 host\(s\) did not receive the package: .*k8s plugin.*unavailable/i);
  assert.deepEqual(op.error.details?.failedHosts, [hostId]);
  const hosts = (op.result as { hosts: { hostId: string; state: string; error: string | null }[] }).hosts;
  assert.deepEqual(hosts.map((h) => [h.hostId, h.state]), [[hostId, 'ERROR']]);
  assert.ok(hosts[0]!.error);
  const [row] = await operationRows(t.db.url, [opId]);
  assert.equal(row!.lease_owner, null);
  const dist = await distributionRow(hostId);
  assert.equal(dist?.state, 'ERROR');
  assert.match(dist.error ?? '', /unavailable/i);
}

/**
 * A new plugin on the same port and data dir: nothing half-stored; the retry, straight away, reconnects and delivers
 * the whole package.
 */
async function assertRetryCompletes(sim: SimPlugin, opId: string, host: { id: string; ip: string }): Promise<void> {
  assert.ok(sim.config(t.tenants.A, host.ip), 'the host configuration survived the plugin restart');
  assert.equal(sim.package(t.tenants.A, host.ip, pkg), undefined, 'the plugin kept nothing of the broken stream');
  assert.deepEqual(fs.readdirSync(path.join(simDir, 'tmp')), [], 'no staged upload is left on the plugin');
  const r = await t.gql(LcmRetry, { id: opId }, t.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const done = await settled(t, opId);
  assert.equal(done.state, 'COMPLETED', JSON.stringify(done.error));
  assert.equal((await distributionRow(host.id))?.state, 'DISTRIBUTED');
  const stored = sim.package(t.tenants.A, host.ip, pkg);
  assert.equal(stored?.bytes, big.bytes);
  assert.equal(stored.sha256, big.sha256, 'the plugin holds exactly the server copy');
  assert.equal(callsFor(sim, 'uploadPackage', pkg), 1, 'the new plugin got one complete stream');
  await assertServerCopyIntact();
  // The package is usable on the host.
  const inst = await startInstantiate(t, pkg, host.id);
  assert.equal((await settled(t, inst.opId)).state, 'COMPLETED');
  assert.equal(sim.instance(t.tenants.A, host.ip, inst.instanceId)?.state, 'RUNNING');
}

describe('the plugin goes away in the middle of a package stream', () => {
  it('stopped while it holds the stream: FAILED_TEMP for the host, server copy intact; a plugin restarted on the port takes the retry', async () => {
    const sim = current as SimPlugin;
    const host = await newHost(t);
    sim.injectFault({ rpc: 'uploadPackage', kind: 'stall', afterBytes: Math.floor(big.bytes / 2), times: 1 });
    const opId = await startDistribution(t, pkg, [host.id]);
    await eventually(async () => (sim.openResources.calls === 1 && (await distributionRow(host.id))?.state === 'DISTRIBUTING' ? true : undefined), 15_000, 'the stream to stop half-way');

    await sim.stop();
    current = undefined;
    await assertFailedForHost(opId, host.id);
    await assertServerCopyIntact();

    const next = await SimPlugin.start({ port, dataDir: simDir });
    current = next;
    await assertRetryCompletes(next, opId, host);
  });

  it('killed with SIGKILL with half the package on disk: the same, and the restarted plugin clears the half-written file', async () => {
    await current?.stop();
    const child = await startSimProcess({ port, dataDir: simDir });
    current = { stop: () => child.kill('SIGTERM') };
    const host = await newHost(t);

    // Half the package gets through to the plugin; the rest is held back in the proxy.
    proxy.holdRequestsAfter(Math.floor(big.bytes / 2));
    const opId = await startDistribution(t, pkg, [host.id]);
    const tmp = path.join(simDir, 'tmp');
    await eventually(
      async () => {
        const staged = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.part')) : [];
        const size = staged.length === 1 ? fs.statSync(path.join(tmp, staged[0]!)).size : 0;
        return proxy.heldBytes > 0 && size > 4 * 1024 * 1024 && (await distributionRow(host.id))?.state === 'DISTRIBUTING' ? true : undefined;
      },
      15_000,
      'the plugin to have part of the package staged, the rest held back',
    );

    const killed = await child.kill('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    current = undefined;
    proxy.holdRequestsAfter(undefined);
    assert.equal(fs.readdirSync(tmp).filter((f) => f.endsWith('.part')).length, 1, 'the killed plugin left its half-written upload behind');
    await assertFailedForHost(opId, host.id);
    await assertServerCopyIntact();

    const next = await SimPlugin.start({ port, dataDir: simDir });
    current = next;
    await assertRetryCompletes(next, opId, host);
  });
});
