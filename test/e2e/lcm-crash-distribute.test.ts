// Requirement (hardening R1e): a controller killed with SIGKILL in the middle of streaming a package to a plugin
// leaves the distribution resumable: the plugin keeps nothing of the cut stream, the next controller sends the package
// again in full (with a service token) or stops the operation in FAILED_TEMP for lack of a token, saying so, until a
// user retries it. The controller is `applcm serve` in a child process; a TCP proxy holds the stream half-way.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { LcmRetry } from '../operations/lcm.js';
import { startController, type ControllerProcess } from '../helpers/controller-process.js';
import { bigPackage, callsFor, identities, pluginEnv, newHost, newPackage, operationRows, operationsIn, settled, startDistribution } from '../helpers/lcm-fixture.js';
import { eventually } from '../helpers/package-client.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, sql } from '../helpers/test-db.js';
import { generateTestKeys } from '../helpers/test-keys.js';

const PACKAGE_MIB = 24;

let sim: SimPlugin;
let proxy: TcpProxy;
let work: string;
let simDir: string;
let big: { file: string; bytes: number; sha256: string };
const children: ControllerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-crash-dist-'));
  simDir = path.join(work, 'sim');
  sim = await SimPlugin.start({ dataDir: simDir });
  proxy = await TcpProxy.start('127.0.0.1', sim.port);
  const made = await bigPackage(work, PACKAGE_MIB);
  big = { ...made, sha256: createHash('sha256').update(fs.readFileSync(made.file)).digest('hex') };
});

after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await proxy?.close();
  await sim?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const staged = () => {
  const tmp = path.join(simDir, 'tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.part')) : [];
};

interface Cut {
  dbUrl: string;
  opId: string;
  pkg: string;
  host: { id: string; ip: string };
  tenantA: string;
  start(): Promise<ControllerProcess>;
}

/** A controller streams the package to a fresh host; half-way through it is killed. Checks what it left. */
async function killedMidStream(label: string, withServiceToken: boolean): Promise<Cut> {
  const db = await createTestDatabase(label);
  cleanups.push(() => db.drop());
  const dataDir = fs.mkdtempSync(path.join(work, `${label}-`));
  const ids = await identities(generateTestKeys());
  const env = {
    ...pluginEnv(proxy.address),
    APPLCM_OPERATION_LEASE_MS: '2000',
    APPLCM_WORKER_POLL_MS: '200',
    // No periodic health check: it would wait behind the held stream and mark the plugin down.
    APPLCM_PLUGIN_HEALTH_INTERVAL_MS: '0',
    ...(withServiceToken ? { APPLCM_PLUGIN_ACCESS_TOKEN: ids.tokens.admin } : {}),
  };
  const start = async () => {
    const c = await startController({ databaseUrl: db.url, ids, dataDir, env });
    children.push(c);
    return c;
  };
  const first = await start();
  const host = await newHost(first);
  const pkg = await newPackage(first, big.file);

  proxy.holdRequestsAfter(Math.floor(big.bytes / 2));
  const opId = await startDistribution(first, pkg, [host.id]);
  await eventually(
    async () => {
      const part = staged();
      const size = part.length === 1 ? fs.statSync(path.join(simDir, 'tmp', part[0]!)).size : 0;
      const [dist] = await sql<{ state: string }>(db.url, 'select state from package_distribution where package_id = $1', [pkg]);
      return proxy.heldBytes > 0 && size > 4 * 1024 * 1024 && dist?.state === 'DISTRIBUTING' ? true : undefined;
    },
    15_000,
    'the plugin to have part of the package staged, the rest held back',
  );
  assert.equal((await first.kill('SIGKILL')).signal, 'SIGKILL');
  proxy.holdRequestsAfter(undefined);

  // The plugin saw the stream cut and keeps nothing of it.
  await eventually(() => Promise.resolve(staged().length === 0 ? true : undefined), 10_000, 'the plugin to discard the cut upload');
  assert.equal(sim.package(ids.tenants.A, host.ip, pkg), undefined);
  // The database: the operation under the dead controller's lease, the host's row still DISTRIBUTING.
  const [op] = await operationRows(db.url, [opId]);
  assert.equal(op!.state, 'PROCESSING');
  assert.ok(op!.lease_owner);
  const [dist] = await sql<{ state: string }>(db.url, 'select state from package_distribution where package_id = $1', [pkg]);
  assert.equal(dist?.state, 'DISTRIBUTING');
  return { dbUrl: db.url, opId, pkg, host, tenantA: ids.tenants.A, start };
}

async function assertDistributed(c: Cut): Promise<void> {
  const [dist] = await sql<{ state: string; error: string | null }>(c.dbUrl, 'select state, error from package_distribution where package_id = $1', [c.pkg]);
  assert.deepEqual(dist, { state: 'DISTRIBUTED', error: null });
  const stored = sim.package(c.tenantA, c.host.ip, c.pkg);
  assert.equal(stored?.bytes, big.bytes);
  assert.equal(stored.sha256, big.sha256, 'the plugin holds the whole package');
  assert.equal(callsFor(sim, 'uploadPackage', c.pkg), 2, 'the cut stream, then one complete one');
  assert.deepEqual(staged(), []);
}

describe('SIGKILL of the controller in the middle of a package stream', () => {
  it('with a service token: the next controller sends the whole package again and completes the distribution', async () => {
    const c = await killedMidStream('lcmcrashdist', true);
    const second = await c.start();
    const [op] = await operationsIn(c.dbUrl, [c.opId], ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
    assert.equal(op!.state, 'COMPLETED', JSON.stringify(op!.error));
    assert.equal(op!.attempts, 2);
    await assertDistributed(c);
    assert.equal((await second.kill('SIGTERM')).code, 0);
  });

  it('without a service token: FAILED_TEMP saying NO_TOKEN_TO_RESUME, nothing sent; the user retry completes it', async () => {
    const c = await killedMidStream('lcmcrashdistnotok', false);
    const second = await c.start();
    const [op] = await operationsIn(c.dbUrl, [c.opId], ['COMPLETED', 'FAILED_TEMP', 'FAILED'], 30_000);
    assert.equal(op!.state, 'FAILED_TEMP');
    const stopped = op!.error;
    assert.equal(callsFor(sim, 'uploadPackage', c.pkg), 1, 'nothing was sent without a token');

    const r = await second.gql(LcmRetry, { id: c.opId }, second.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal((await settled(second, c.opId)).state, 'COMPLETED');
    await assertDistributed(c);
    assert.equal((await second.kill('SIGTERM')).code, 0);
    // The reason is the same as for any operation resumed without a token (not a failure of the host or plugin).
    assert.equal(stopped?.details?.reason, 'NO_TOKEN_TO_RESUME', `the distribution stopped with ${JSON.stringify(stopped)}`);
  });
});
