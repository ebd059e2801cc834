import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { DomainError, ErrorCode } from '../../src/errors.js';
import { PluginClient, type PluginTarget } from '../../src/plugins/plugin-client.js';
import { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { createLogger } from '../../src/observability/logger.js';
import { testCerts } from '../helpers/test-certs.js';

const quietLog = createLogger('silent');

const target = (): PluginTarget => ({ accessToken: 'caller-token', tenantId: randomUUID(), hostIp: '10.20.30.40' });

function* bytesOf(buf: Buffer, piece = 100_000): Generator<Uint8Array> {
  for (let i = 0; i < buf.length; i += piece) yield buf.subarray(i, i + piece);
}

const coded = (code: ErrorCode, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

/** A port with nothing listening: bind, note it, close. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('plugin client against the simulator plugin', () => {
  let sim: SimPlugin;
  let client: PluginClient;
  const tokensSeen: string[] = [];

  before(async () => {
    sim = await SimPlugin.start({ verifyToken: (t) => (tokensSeen.push(t), true) });
    client = new PluginClient({ vim: 'k8s', address: sim.address, deadlines: { query: 1500, config: 1500, lifecycle: 1500, transfer: 5000 } });
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  it('uploads config and a multi-chunk package; the plugin stores exactly the bytes sent, with the caller token', async () => {
    const t = target();
    const cfg = Buffer.from('apiVersion: v1\nkind: Config\nclusters: []\n');
    await client.uploadConfig(t, cfg);
    assert.deepEqual(sim.config(t.tenantId, t.hostIp), cfg);
    const pkg = randomBytes(3 * 1024 * 1024 + 17);
    const progress: number[] = [];
    await client.uploadPackage(t, 'pkg-1', bytesOf(pkg), { onProgress: (n) => progress.push(n) });
    const stored = sim.package(t.tenantId, t.hostIp, 'pkg-1');
    assert.ok(stored);
    assert.equal(stored.bytes, pkg.length);
    assert.equal(stored.sha256, createHash('sha256').update(pkg).digest('hex'));
    assert.equal(progress.at(-1), pkg.length);
    assert.ok(progress.length >= 12, `256 KiB chunks: ${progress.length} progress steps for 3 MiB`);
    assert.equal(await client.queryPackageStatus(t, 'pkg-1'), 'DISTRIBUTED');
    assert.ok(tokensSeen.includes('caller-token'), 'the caller token reaches the plugin in accessToken');
  });

  it('instantiate / query / terminate round trip, and NOT_FOUND for an unknown instance', async () => {
    const t = target();
    await client.uploadConfig(t, Buffer.from('a: b\n'));
    await client.uploadPackage(t, 'pkg-2', bytesOf(randomBytes(1000)));
    const id = randomUUID();
    await client.instantiate(t, { appInstanceId: id, appPackageId: 'pkg-2', parameters: { ak: 'A', sk: 'S' }, akSkLcmGen: true });
    const q = JSON.parse(await client.query(t, id)) as { pods: unknown[]; services: unknown[] };
    assert.ok(Array.isArray(q.pods) && q.pods.length > 0);
    const s = await client.instanceStatus(t, id);
    assert.equal(s.appInstanceId, id);
    await client.terminate(t, id);
    await assert.rejects(client.query(t, id), coded(ErrorCode.NOT_FOUND));
    assert.equal(sim.instance(t.tenantId, t.hostIp, id), undefined);
  });

  it('a plugin error status maps to a coded error with the plugin text, sanitised', async () => {
    sim.injectFault({ rpc: 'queryKPI', kind: 'fail', code: status.INTERNAL, message: 'boom\nsecond line\u0000', times: 1 });
    await assert.rejects(client.queryKpi(target()), (e: unknown) => coded(ErrorCode.PLUGIN_ERROR, /boom second line/)(e) && !(e as Error).message.includes('\n'));
    sim.injectFault({ rpc: 'queryKPI', kind: 'fail', code: status.RESOURCE_EXHAUSTED, message: 'service is over rate limit', times: 1 });
    await assert.rejects(client.queryKpi(target()), coded(ErrorCode.RATE_LIMITED));
  });

  it('a stalled plugin: the call ends with DEADLINE_EXCEEDED at its deadline, not later', async () => {
    sim.injectFault({ rpc: 'query', kind: 'stall', times: 1 });
    const started = Date.now();
    await assert.rejects(client.query(target(), randomUUID()), coded(ErrorCode.DEADLINE_EXCEEDED, /outcome is unknown/));
    const took = Date.now() - started;
    assert.ok(took >= 1400 && took < 4000, `deadline 1.5 s, took ${took} ms`);
  });

  it('a package stream dropped half-way: a clear error, and the plugin keeps no partial package', async () => {
    const t = target();
    await client.uploadConfig(t, Buffer.from('a: b\n'));
    sim.injectFault({ rpc: 'uploadPackage', kind: 'drop', afterBytes: 1024 * 1024, times: 1 });
    await assert.rejects(client.uploadPackage(t, 'pkg-drop', bytesOf(randomBytes(4 * 1024 * 1024))), (e: unknown) => e instanceof DomainError && [ErrorCode.PLUGIN_UNAVAILABLE, ErrorCode.PLUGIN_ERROR].includes(e.code));
    assert.equal(sim.package(t.tenantId, t.hostIp, 'pkg-drop'), undefined);
    await assert.rejects(client.queryPackageStatus(t, 'pkg-drop'), coded(ErrorCode.NOT_FOUND));
    // The channel recovers: the next upload of the same id succeeds.
    await client.uploadPackage(t, 'pkg-drop', bytesOf(randomBytes(2000)));
    assert.equal(sim.package(t.tenantId, t.hostIp, 'pkg-drop')?.bytes, 2000);
  });

  it('a source that fails mid-read cancels the stream: the plugin stores nothing', async () => {
    const t = target();
    await client.uploadConfig(t, Buffer.from('a: b\n'));
    function* failing(): Generator<Uint8Array> {
      yield randomBytes(600_000);
      throw new Error('disk read error');
    }
    await assert.rejects(client.uploadPackage(t, 'pkg-src', failing()), /disk read error/);
    assert.equal(sim.package(t.tenantId, t.hostIp, 'pkg-src'), undefined);
  });

  it('cancelling through an AbortSignal stops the call at once', async () => {
    sim.injectFault({ rpc: 'terminate', kind: 'stall', times: 1 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await assert.rejects(client.terminate(target(), randomUUID(), { signal: ac.signal }), /cancelled by the caller/);
    assert.ok(Date.now() - started < 1000);
  });

  it('refuses a response over the client receive limit, and a chunk over the plugin receive limit', async () => {
    const t = target();
    await client.uploadConfig(t, Buffer.from('a: b\n'));
    const tiny = new PluginClient({ vim: 'k8s', address: sim.address, maxReceiveMessageBytes: 64 });
    try {
      await assert.rejects(tiny.queryKpi(t), coded(ErrorCode.PAYLOAD_TOO_LARGE, /larger than max/));
    } finally {
      tiny.close();
    }
    const strict = await SimPlugin.start({ maxReceiveMessageBytes: 128 * 1024 });
    const big = new PluginClient({ vim: 'k8s', address: strict.address, chunkBytes: 1024 * 1024 });
    try {
      await big.uploadConfig(t, Buffer.from('a: b\n'));
      await assert.rejects(big.uploadPackage(t, 'pkg-big', bytesOf(randomBytes(3 * 1024 * 1024))), coded(ErrorCode.PAYLOAD_TOO_LARGE));
      assert.equal(strict.package(t.tenantId, t.hostIp, 'pkg-big'), undefined);
    } finally {
      big.close();
      await strict.stop();
    }
  });

  it('watchInstance: the current status first, then pushed changes; aborting ends the stream', async () => {
    const t = target();
    await client.uploadConfig(t, Buffer.from('a: b\n'));
    await client.uploadPackage(t, 'pkg-w', bytesOf(randomBytes(100)));
    const id = randomUUID();
    await client.instantiate(t, { appInstanceId: id, appPackageId: 'pkg-w', parameters: {}, akSkLcmGen: true });
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const ev of client.watchInstance(t, id, { signal: ac.signal, includeEvents: true })) {
      if (ev.event?.$case === 'status') seen.push(`status:${ev.event.value.state}`);
      if (ev.event?.$case === 'workloadEvent') seen.push(`event:${ev.event.value.reason}`);
      if (seen.length === 1) {
        sim.setInstanceState(t.tenantId, t.hostIp, id, 'DEGRADED', 'container restarting');
        sim.emitWorkloadEvent(t.tenantId, t.hostIp, id, { type: 'Warning', reason: 'BackOff', message: 'back-off restarting' });
      }
      if (seen.length === 3) ac.abort();
    }
    assert.equal(seen.length, 3);
    assert.match(seen[0]!, /^status:/);
    assert.ok(seen.includes('event:BackOff'));
  });
});

describe('plugin availability', () => {
  it('a plugin that is down answers PLUGIN_UNAVAILABLE within a second, and the registry reports it', async () => {
    const port = await closedPort();
    const client = new PluginClient({ vim: 'k8s', address: `127.0.0.1:${port}` });
    const started = Date.now();
    await assert.rejects(client.query(target(), randomUUID()), coded(ErrorCode.PLUGIN_UNAVAILABLE, /k8s plugin \(127\.0\.0\.1:\d+\) is unavailable/));
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    client.close();

    const registry = new PluginRegistry([{ vim: 'k8s', endpoint: `127.0.0.1:${port}`, source: 'env' }], { healthIntervalMs: 0, log: quietLog });
    try {
      const t0 = Date.now();
      await assert.rejects(registry.clientFor('k8s'), coded(ErrorCode.PLUGIN_UNAVAILABLE));
      assert.ok(Date.now() - t0 < 1500);
      const [state] = registry.list();
      assert.equal(state!.healthy, false);
      assert.match(state!.lastError!, /unavailable/);
      await assert.rejects(registry.clientFor('openstack'), coded(ErrorCode.PLUGIN_UNAVAILABLE, /no plugin is configured for VIM type "openstack"/));
    } finally {
      registry.stop();
    }
  });

  it('an unresolvable plugin host does not stop the registry; a plugin that comes back is used again', async () => {
    const sim = await SimPlugin.start();
    const registry = new PluginRegistry(
      [
        { vim: 'k8s', endpoint: sim.address, source: 'env' },
        { vim: 'ghost', endpoint: 'no-such-plugin.invalid:8095', source: 'file' },
      ],
      { healthIntervalMs: 0, log: quietLog },
    );
    try {
      const states = await registry.checkAll();
      assert.deepEqual(states.map((s) => [s.vim, s.healthy]), [['k8s', true], ['ghost', false]]);
      assert.equal(states[0]!.capabilities?.protocolVersion, '1.0');
      sim.setHealthy(false, 'database down');
      await registry.check('k8s');
      await assert.rejects(registry.clientFor('k8s'), coded(ErrorCode.PLUGIN_UNAVAILABLE, /database down/));
      sim.setHealthy(true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await registry.clientFor('k8s')).address, sim.address);
    } finally {
      registry.stop();
      await sim.stop();
    }
  });
});

describe('plugin TLS', () => {
  const certs = testCerts();
  let sim: SimPlugin;
  let mtls: SimPlugin;
  const t = target();

  before(async () => {
    sim = await SimPlugin.start({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
    mtls = await SimPlugin.start({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile, requireClientCert: true } });
  });
  after(async () => {
    await sim.stop();
    await mtls.stop();
  });

  const tryHealth = async (address: string, tls: ConstructorParameters<typeof PluginClient>[0]['tls']) => {
    const c = new PluginClient({ vim: 'k8s', address, tls, deadlines: { health: 3000, config: 3000 } });
    try {
      await c.uploadConfig(t, Buffer.from('a: b\n'));
      return 'ok';
    } catch (e) {
      return e as DomainError;
    } finally {
      c.close();
    }
  };

  it('verifies the plugin certificate against the configured CA', async () => {
    assert.equal(await tryHealth(sim.address, { caFile: certs.caFile }), 'ok');
  });

  it('refuses a plugin whose certificate another CA signed, and a plaintext client gets no answer', async () => {
    const rogue = await SimPlugin.start({ tls: { certFile: certs.rogueServerCertFile, keyFile: certs.rogueServerKeyFile } });
    try {
      const e = await tryHealth(rogue.address, { caFile: certs.caFile });
      assert.ok(e instanceof DomainError && e.code === ErrorCode.PLUGIN_UNAVAILABLE, String(e));
      assert.equal(rogue.callCount('uploadConfig'), 0, 'nothing reached the impostor');
    } finally {
      await rogue.stop();
    }
    const plain = await tryHealth(sim.address, undefined);
    assert.ok(plain instanceof DomainError && plain.code === ErrorCode.PLUGIN_UNAVAILABLE, String(plain));
  });

  it('refuses an expired plugin certificate and a host name the certificate does not cover', async () => {
    const expired = await SimPlugin.start({ tls: { certFile: certs.expiredServerCertFile, keyFile: certs.expiredServerCertFile.replace(/\.crt$/, '.key') } });
    try {
      const e = await tryHealth(expired.address, { caFile: certs.caFile });
      assert.ok(e instanceof DomainError && e.code === ErrorCode.PLUGIN_UNAVAILABLE, String(e));
    } finally {
      await expired.stop();
    }
    const wrongName = await tryHealth(sim.address, { caFile: certs.caFile, serverName: 'osplugin.example' });
    assert.ok(wrongName instanceof DomainError && wrongName.code === ErrorCode.PLUGIN_UNAVAILABLE, String(wrongName));
  });

  it('mutual TLS: the plugin accepts a client certificate of its CA and refuses a client without one', async () => {
    assert.equal(await tryHealth(mtls.address, { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }), 'ok');
    const e = await tryHealth(mtls.address, { caFile: certs.caFile });
    assert.ok(e instanceof DomainError && e.code === ErrorCode.PLUGIN_UNAVAILABLE, String(e));
    assert.equal(mtls.config(t.tenantId, t.hostIp)?.toString(), 'a: b\n');
  });
});
