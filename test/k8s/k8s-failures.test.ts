import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { checkContext, openClients, putConfig, putPackage, query, terminate } from '../../src/plugins/conformance/check-context.js';
import { csarVariant } from './chart-variant.js';
import {
  ALL_HELMS,
  clusterApi,
  eachHelmAndCluster,
  failureOf,
  instanceStatus,
  instantiate,
  namespaceExists,
  queryKpi,
  releaseSecrets,
  startBackend,
  startPlugin,
  uploadFixture,
  type ClusterBackend,
  type PluginEnv,
} from './k8s-harness.js';

/** The etherpad chart without its fixed nodePort: two releases of it fit one cluster. */
const etherpadAnyPort = () => csarVariant('etherpad-k8splugin.csar', (_p, text) => text.replace(/^\s*nodePort: 32391\s*$/m, ''));

eachHelmAndCluster('k8s plugin failures', (helm, kind) => {
  let backend: ClusterBackend;
  let env: PluginEnv;
  before(async () => {
    backend = await startBackend(kind);
    env = await startPlugin(helm, backend, { helmTimeoutMs: 4000 });
  });
  after(async () => {
    await env?.close();
    await backend?.stop();
  });

  it('two instances of one chart on one host run side by side in their own namespaces; terminating one leaves the other', async () => {
    const { ctx } = env;
    const packageId = randomUUID().replace(/-/g, '');
    assert.equal((await putPackage(ctx, packageId, await etherpadAnyPort())).status, 'Success');
    const a = randomUUID();
    const b = randomUUID();
    const nsA = `a-${a.slice(0, 8)}`;
    const nsB = `b-${b.slice(0, 8)}`;
    assert.equal((await instantiate(ctx, a, packageId, { namespace: nsA })).status, 'Success');
    assert.equal((await instantiate(ctx, b, packageId, { namespace: nsB })).status, 'Success');
    for (const [id, ns] of [[a, nsA], [b, nsB]] as const) {
      assert.deepEqual(await releaseSecrets(backend, ns, `app-${id}`), { [`sh.helm.release.v1.app-${id}.v1`]: 'deployed' });
      const s = await instanceStatus(ctx, id);
      assert.equal(s.state, InstanceStatus_State.RUNNING, s.reason);
      assert.equal((await clusterApi(backend).apps.readNamespacedDeployment({ namespace: ns, name: 'etherpad' })).metadata?.annotations?.['meta.helm.sh/release-name'], `app-${id}`);
    }
    // A third in A's namespace collides with A's objects: Helm's own refusal reaches the caller, A is untouched.
    const c = randomUUID();
    const clash = await failureOf(instantiate(ctx, c, packageId, { namespace: nsA }));
    assert.equal(clash.code, status.UNKNOWN);
    assert.match(clash.details, new RegExp(`helm install of app-${c} .*failed: .*exists and cannot be imported into the current release.*app-${a}`));
    assert.equal((await failureOf(query(ctx, c))).code, status.NOT_FOUND);
    assert.equal((await instanceStatus(ctx, a)).state, InstanceStatus_State.RUNNING);

    assert.equal((await terminate(ctx, a)).status, 'Success');
    assert.equal(await namespaceExists(backend, nsA), false);
    assert.equal((await instanceStatus(ctx, b)).state, InstanceStatus_State.RUNNING);
    assert.equal((await terminate(ctx, b)).status, 'Success');
    assert.equal(await namespaceExists(backend, nsB), false);
  });

  it('the fixture chart twice on one cluster: its fixed nodePort is refused by the API server, and that reason is reported', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
    const a = randomUUID();
    const b = randomUUID();
    assert.equal((await instantiate(ctx, a, packageId, { namespace: `a-${a.slice(0, 8)}` })).status, 'Success');
    const f = await failureOf(instantiate(ctx, b, packageId, { namespace: `b-${b.slice(0, 8)}` }));
    assert.match(f.details, /nodePort: Invalid value: 32391: provided port is already allocated/);
    // Rolled back: nothing of b is left, not even the namespace made for it.
    assert.deepEqual(await releaseSecrets(backend, `b-${b.slice(0, 8)}`, `app-${b}`), {});
    assert.equal(await namespaceExists(backend, `b-${b.slice(0, 8)}`), false);
    assert.equal((await terminate(ctx, a)).status, 'Success');
  });

  it('a chart that fails to render (positioning-service): Helm parse error reported, nothing left behind', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'positioning-service.csar');
    const id = randomUUID();
    const f = await failureOf(instantiate(ctx, id, packageId, { ak: 'a', sk: 'b' }));
    assert.equal(f.code, status.UNKNOWN);
    assert.match(f.details, /parse error at \(positioning-service\/templates\/eg_templates\/mep-agent-configmap\.yaml:9\): bad character U\+005B '\['/);
    assert.doesNotMatch(f.details, /--debug/);
    assert.equal((await failureOf(query(ctx, id))).code, status.NOT_FOUND);
    assert.deepEqual(await releaseSecrets(backend, 'default', `app-${id}`), {});
    assert.equal((await terminate(ctx, id)).status, 'Success');
  });

  it('instantiate of a package without a chart is refused with the reason; uploadPackage of it still succeeded', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'vm-openstack.zip');
    const f = await failureOf(instantiate(ctx, randomUUID(), packageId));
    assert.equal(f.code, status.FAILED_PRECONDITION);
    assert.match(f.details, /no Helm chart under Artifacts\/Deployment\/Charts/);
  });

  if (kind === 'fake') {
    it('a release that never becomes ready times out: Helm reason and the unready resources reported, rolled back, retry works', async () => {
      const { ctx } = env;
      const fake = backend.fake!;
      const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
      const id = randomUUID();
      fake.setWorkloadsReady(false);
      const started = Date.now();
      let f;
      try {
        f = await failureOf(instantiate(ctx, id, packageId));
      } finally {
        fake.setWorkloadsReady(true);
      }
      assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
      assert.equal(f.code, status.UNKNOWN);
      assert.match(f.details, new RegExp(`helm install of app-${id} .*failed: .*(context deadline exceeded|not ready|timed out|timeout)`, 'i'));
      assert.match(f.details, /rollback-on-failure|atomic/);
      assert.match(f.details, /not ready when it stopped: Deployment\/etherpad/);
      assert.match(f.details, /etherpad waiting: ImagePullBackOff/);
      assert.deepEqual(await releaseSecrets(backend, 'default', `app-${id}`), {});
      await assert.rejects(clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' }), (e: { code?: number }) => e.code === 404);
      assert.equal((await failureOf(query(ctx, id))).code, status.NOT_FOUND);
      // The same instance again, now that the cluster runs its pods: no "name still in use".
      assert.equal((await instantiate(ctx, id, packageId)).status, 'Success');
      assert.equal((await instanceStatus(ctx, id)).state, InstanceStatus_State.RUNNING);
      assert.equal((await terminate(ctx, id)).status, 'Success');
    });
  }
});

describe('k8s plugin: a cluster that cannot be reached', () => {
  for (const helm of ALL_HELMS) {
    it(`refused connections and a silent API server give a clear error quickly (helm ${helm})`, async () => {
      const backend = await startBackend('fake');
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const silentPort = (silent.address() as net.AddressInfo).port;
      const env = await startPlugin(helm, backend, { kubeRequestTimeoutMs: 1000 });
      try {
        const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
        for (const [server, expect] of [
          ['https://127.0.0.1:1', /Kubernetes API at https:\/\/127\.0\.0\.1:1 is unreachable \(GET \/version\).*ECONNREFUSED/],
          [`https://127.0.0.1:${silentPort}`, new RegExp(`Kubernetes API at https://127\\.0\\.0\\.1:${silentPort} did not answer GET /version within 1 s`)],
        ] as const) {
          const cleanups: (() => Promise<unknown>)[] = [];
          const clients = openClients({ address: env.plugin.address, accessToken: 't' });
          const ctx = checkContext(
            { address: env.plugin.address, accessToken: 't', tenantId: env.ctx.tenantId, hostIp: env.ctx.hostIp, configFile: Buffer.from(backend.kubeconfig.replace(backend.fake!.url, server)), deadlineMs: 20_000 },
            clients,
            cleanups,
          );
          try {
            assert.equal((await putConfig(ctx)).status, 'Success');
            const t0 = Date.now();
            const f = await failureOf(instantiate(ctx, randomUUID(), packageId));
            assert.equal(f.code, status.UNKNOWN);
            assert.match(f.details, expect);
            const k = await failureOf(queryKpi(ctx));
            assert.match(k.details, /queryKPI: the Kubernetes API at .* (is unreachable|did not answer)/);
            assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
          } finally {
            clients.close();
          }
        }
      } finally {
        await env.close();
        silent.close();
        await backend.stop();
      }
    });
  }
});

describe('k8s plugin: kubeconfigs that would run programs or read the plugin\'s files are refused', () => {
  it('exec, auth-provider and file paths are INVALID_ARGUMENT and nothing is stored; inline credentials are accepted', async () => {
    const backend = await startBackend('fake');
    const env = await startPlugin(ALL_HELMS[0]!, backend);
    try {
      const user = (body: string) => `apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster:\n      server: https://127.0.0.1:6443\nusers:\n  - name: u\n    user:\n${body}\n`;
      const cases: [string, RegExp][] = [
        [user('      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: /bin/sh\n        args: ["-c", "touch /tmp/pwned"]'), /runs a credential plugin \(exec\)/],
        [user('      auth-provider:\n        name: gcp'), /auth-provider/],
        [user('      client-key: /etc/shadow'), /names a file \(client-key\); give the content inline \(client-key-data\)/],
        [user('      tokenFile: /var/run/secrets/token'), /names a file \(tokenFile\)/],
        ['apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster:\n      server: https://x\n      certificate-authority: /etc/ssl/ca.pem\n', /cluster "c" names a file \(certificate-authority\)/],
      ];
      const tenantId = randomUUID();
      for (const [text, expect] of cases) {
        const clients = openClients({ address: env.plugin.address, accessToken: 't' });
        const ctx = checkContext({ address: env.plugin.address, accessToken: 't', tenantId, hostIp: '192.0.2.99', configFile: Buffer.from(text) }, clients, []);
        try {
          const f = await failureOf(putConfig(ctx));
          assert.equal(f.code, status.INVALID_ARGUMENT);
          assert.match(f.details, expect);
          // Nothing stored: the host still has no configuration.
          assert.equal((await failureOf(queryKpi(ctx))).code, status.FAILED_PRECONDITION);
        } finally {
          clients.close();
        }
      }
      assert.equal((await putConfig(env.ctx)).status, 'Success', 'the fake cluster\'s kubeconfig (token, certificate-authority-data) is accepted');
    } finally {
      await env.close();
      await backend.stop();
    }
  });
});
