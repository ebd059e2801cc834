import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { K8sPlugin } from '../../src/plugins/k8s/k8s-plugin.js';
import type { LcmOperationFieldsFragment } from '../__generated__/graphql.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { settled, SETTLED } from '../helpers/lcm-fixture.js';
import { fixture, uploadPackage } from '../helpers/package-client.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clusterApi, namespaceExists, releaseSecrets, startBackend, ALL_HELMS, backendKinds, type ClusterBackend } from '../k8s/k8s-harness.js';
import { RegisterHost } from '../operations/hosts.js';
import { AppInstanceLive, HostKpi } from '../operations/instances.js';
import { LcmDistribute, LcmInstanceById, LcmInstantiate, LcmOperate, LcmRemoveFromHost, LcmRetry, LcmRollback, LcmTerminate } from '../operations/lcm.js';
import { UploadHostConfig } from '../operations/plugins.js';

// The end-to-end GraphQL flow of lcm.test.ts with the k8s plugin behind the controller instead of the simulator:
// the real helm deploys the fixture packages to the fake API server (or a real cluster), and what the cluster holds
// is checked at each step.

for (const helm of ALL_HELMS) {
  for (const kind of backendKinds()) {
    describe(`the lifecycle through GraphQL with the k8s plugin (helm ${helm}, ${kind === 'fake' ? 'fake API server' : 'real cluster'})`, () => {
      let t: TestServer;
      let plugin: K8sPlugin;
      let backend: ClusterBackend;
      let ipSeq = 1;
      const settledOp = (id: string, states: string[] = SETTLED): Promise<LcmOperationFieldsFragment> => settled(t, id, states, 60_000);

      before(async () => {
        backend = await startBackend(kind);
        plugin = await K8sPlugin.start({ helmBin: await helmBinary(helm), helmTimeoutMs: 5000 });
        t = await startTestServer(`k8slcm${helm.replace(/\W/g, '')}`, {
          ...pluginEnv(plugin.address),
          APPLCM_WORKER_POLL_MS: '200',
          APPLCM_OPERATION_RETRY_BASE_MS: '100',
          APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: '60000',
          APPLCM_OPERATION_LEASE_MS: '10000',
        });
      });
      after(async () => {
        await t?.close();
        await plugin?.stop();
        await backend?.stop();
      });

      /** A k8s host of tenant A whose kubeconfig (through the controller) points at the cluster. */
      async function newHost(): Promise<{ id: string; ip: string }> {
        const n = ipSeq++;
        const r = await t.gql(RegisterHost, { input: { ip: `10.62.0.${n}`, name: `k8s-edge-${n}`, vim: 'k8s' } }, t.tokens.tenantA);
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        const host = r.data!.registerHost;
        const c = await t.gql(UploadHostConfig, { hostId: host.id, content: backend.kubeconfig }, t.tokens.tenantA);
        assert.equal(c.errors, undefined, JSON.stringify(c.errors));
        return host;
      }

      async function distributedPackage(file: string, hostId: string): Promise<string> {
        const up = await uploadPackage(t, fixture(file), { fields: { packageId: `pkg${randomUUID().slice(0, 8)}` } });
        assert.equal(up.status, 201, JSON.stringify(up.body));
        const pkg = String(up.body.packageId);
        const d = await t.gql(LcmDistribute, { packageId: pkg, hostIds: [hostId] }, t.tokens.tenantA);
        assert.equal(d.errors, undefined, JSON.stringify(d.errors));
        assert.equal((await settledOp(d.data!.distributePackage.id)).state, 'COMPLETED');
        return pkg;
      }

      async function instantiated(pkg: string, hostId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; op: LcmOperationFieldsFragment }> {
        const id = randomUUID();
        const r = await t.gql(LcmInstantiate, { input: { appInstanceId: id, packageId: pkg, hostId, name: 'k8sapp', ...extra } }, t.tokens.tenantA);
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        return { id, op: await settledOp(r.data!.instantiateApp.id) };
      }

      it('etherpad: distribute → instantiate → live status → stop/start → terminate → remove from host', async () => {
        const host = await newHost();
        const pkg = await distributedPackage('etherpad-k8splugin.csar', host.id);
        const { id, op } = await instantiated(pkg, host.id, { parameters: { region: 'xian', ak: 'AKEXAMPLE', sk: 'SKEXAMPLE' } });
        assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
        assert.deepEqual(await releaseSecrets(backend, 'default', `app-${id}`), { [`sh.helm.release.v1.app-${id}.v1`]: 'deployed' });

        const live = await t.gql(AppInstanceLive, { id }, t.tokens.tenantA);
        assert.equal(live.errors, undefined, JSON.stringify(live.errors));
        const inst = live.data!.appInstance;
        const st = inst.status;
        assert.ok(st && inst.statusJson && inst.workloadEventsJson, JSON.stringify(inst));
        assert.equal(st.state, 'RUNNING', st.reason);
        assert.equal(st.source, 'EXTENSIONS');
        assert.match(st.workloads[0]!.name, /^etherpad-/);
        assert.deepEqual(st.services.map((s) => [s.name, s.type, s.ports[0]!.nodePort]), [['etherpad-svc', 'NodePort', 32391]]);
        const original = JSON.parse(inst.statusJson) as { pods: { podstatus: string }[]; services: { serviceName: string }[] };
        assert.deepEqual(original.pods.map((p) => p.podstatus), ['Running']);
        assert.deepEqual(original.services.map((s) => s.serviceName), ['etherpad-svc']);
        const events = JSON.parse(inst.workloadEventsJson) as { pods: { podName: string; podEventsInfo: string[] }[] };
        assert.equal(events.pods[0]!.podName, st.workloads[0]!.name);
        const kpi = await t.gql(HostKpi, { id: host.id }, t.tokens.tenantA);
        assert.equal(kpi.errors, undefined, JSON.stringify(kpi.errors));
        assert.ok((JSON.parse(kpi.data!.host.kpi ?? '{}') as { data: { cpuusage: { total: number } } }).data.cpuusage.total > 0);

        const stop = await t.gql(LcmOperate, { id, action: 'STOP' }, t.tokens.tenantA);
        assert.equal((await settledOp(stop.data!.operateApp.id)).state, 'COMPLETED');
        assert.equal((await clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' })).spec?.replicas, 0);
        const start = await t.gql(LcmOperate, { id, action: 'START' }, t.tokens.tenantA);
        assert.equal((await settledOp(start.data!.operateApp.id)).state, 'COMPLETED');
        assert.equal((await clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' })).spec?.replicas, 1);

        const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
        assert.equal(term.errors, undefined, JSON.stringify(term.errors));
        assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
        assert.deepEqual(await releaseSecrets(backend, 'default', `app-${id}`), {});
        assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');

        const rm = await t.gql(LcmRemoveFromHost, { packageId: pkg, hostId: host.id }, t.tokens.tenantA);
        assert.equal((await settledOp(rm.data!.removePackageFromHost.id)).state, 'COMPLETED');
        assert.equal(fs.existsSync(path.join(plugin.dataDir, 'packages', t.tenants.A, host.ip, pkg)), false, 'the plugin dropped the package');
        const topics = await sql<{ state: string }>(t.db.url, `select payload->>'state' as state from event where subject_id = $1 and topic = 'operation.updated' order by seq`, [op.id]);
        assert.deepEqual(topics.map((r) => r.state), ['STARTING', 'PROCESSING', 'COMPLETED']);
      });

      it('appo-test-posiu in its own namespace: the generated AK/SK reach the mep-agent secret and are never shown', async () => {
        const host = await newHost();
        const pkg = await distributedPackage('appo-test-posiu.csar', host.id);
        const ns = `posiu-${randomUUID().slice(0, 8)}`;
        const { id, op } = await instantiated(pkg, host.id, { parameters: { namespace: ns } });
        assert.equal(op.state, 'COMPLETED', JSON.stringify(op.error));
        assert.equal(op.params.akSkGenerated, true);
        const secret = await clusterApi(backend).core.readNamespacedSecret({ namespace: ns, name: `aksk-${id}` });
        const ak = Buffer.from(secret.data!['accesskey']!, 'base64').toString();
        const sk = Buffer.from(secret.data!['secretkey']!, 'base64').toString();
        assert.match(ak, /^[A-Za-z0-9+/=]{20}$/);
        assert.match(sk, /^[A-Za-z0-9+/=]{64}$/);
        assert.equal(Buffer.from(secret.data!['appInsId']!, 'base64').toString(), id);
        const dump = JSON.stringify(await sql(t.db.url, `select payload from event where subject_id = $1`, [id]));
        assert.ok(!dump.includes(sk), 'the event log holds no secret');
        const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
        assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
        assert.equal(await namespaceExists(backend, ns), false);
      });

      it("a chart that fails to render: FAILED_TEMP with Helm's parse error as the reason; rollback removes the instance", async () => {
        const host = await newHost();
        const pkg = await distributedPackage('positioning-service.csar', host.id);
        const { id, op } = await instantiated(pkg, host.id);
        assert.equal(op.state, 'FAILED_TEMP');
        assert.equal(op.error?.code, 'PLUGIN_ERROR');
        assert.match(op.error.message, /parse error at \(positioning-service\/templates\/eg_templates\/mep-agent-configmap\.yaml:9\)/);
        await t.gql(LcmRollback, { id: op.id }, t.tokens.tenantA);
        assert.equal((await settledOp(op.id)).state, 'ROLLED_BACK');
        assert.equal((await t.gql(LcmInstanceById, { id }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
      });

      if (kind === 'fake') {
        it('a release that times out: the unready resources in the reason; retry once the pods run completes it', async () => {
          const host = await newHost();
          const pkg = await distributedPackage('etherpad-k8splugin.csar', host.id);
          backend.fake!.setWorkloadsReady(false);
          let op: LcmOperationFieldsFragment;
          let id: string;
          try {
            ({ id, op } = await instantiated(pkg, host.id));
          } finally {
            backend.fake!.setWorkloadsReady(true);
          }
          assert.equal(op.state, 'FAILED_TEMP', JSON.stringify(op));
          assert.match(op.error!.message, /not ready when it stopped: Deployment\/etherpad/);
          assert.match(op.error!.message, /ImagePullBackOff/);
          await t.gql(LcmRetry, { id: op.id }, t.tokens.tenantA);
          assert.equal((await settledOp(op.id)).state, 'COMPLETED');
          assert.deepEqual(await releaseSecrets(backend, 'default', `app-${id}`), { [`sh.helm.release.v1.app-${id}.v1`]: 'deployed' });
          const term = await t.gql(LcmTerminate, { id }, t.tokens.tenantA);
          assert.equal((await settledOp(term.data!.terminateApp.id)).state, 'COMPLETED');
        });
      }
    });
  }
}
