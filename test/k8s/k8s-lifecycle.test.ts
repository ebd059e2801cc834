import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { query, terminate } from '../../src/plugins/conformance/check-context.js';
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
  workloadEvents,
  type ClusterBackend,
  type PluginEnv,
} from './k8s-harness.js';

// Instantiate, query, events, KPI and terminate of the fixture packages through the k8s plugin's gRPC services,
// with the real helm 3 and helm 4 against the fake API server (and a real cluster when one is configured).

eachHelmAndCluster('k8s plugin lifecycle', (helm, kind) => {
  let backend: ClusterBackend;
  let env: PluginEnv;
  before(async () => {
    backend = await startBackend(kind);
    env = await startPlugin(helm, backend);
  });
  after(async () => {
    await env?.close();
    await backend?.stop();
  });

  it('etherpad-k8splugin: instantiate, query (original JSON and structured), events, KPI, terminate twice', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
    const id = randomUUID();
    const release = `app-${id}`;
    assert.equal((await instantiate(ctx, id, packageId, { ak: 'AK-etherpad', sk: 'SK-etherpad' })).status, 'Success');
    assert.deepEqual(await releaseSecrets(backend, 'default', release), { [`sh.helm.release.v1.${release}.v1`]: 'deployed' });

    const q = JSON.parse((await query(ctx, id)).response) as {
      pods: { podstatus: string; podname: string; containers: { containername: string; metricsusage: Record<string, string> }[] }[];
      services: { serviceName: string; type: string; ports: Record<string, string>[] }[];
      cpupercent: number;
      mempercent: number;
    };
    assert.equal(q.pods.length, 1);
    assert.equal(q.pods[0]!.podstatus, 'Running');
    assert.match(q.pods[0]!.podname, /^etherpad-/);
    assert.equal(q.services.length, 1);
    assert.deepEqual(q.services[0], { serviceName: 'etherpad-svc', type: 'NodePort', ports: [{ port: '9001', targetPort: '9001', nodePort: '32391', protocol: 'TCP', name: 'function' }] });
    assert.equal(typeof q.cpupercent, 'number');
    if (backend.fake) {
      // The fake serves metrics.k8s.io: 2.5 m CPU and 32 MiB per container, against the node's 4 cores.
      assert.equal(q.pods[0]!.containers[0]!.containername, 'etherpad');
      assert.equal(q.pods[0]!.containers[0]!.metricsusage['cpuusage'], '3/4000');
      assert.equal(q.pods[0]!.containers[0]!.metricsusage['memusage'], `${32 * 1024 * 1024}/${8045920 * 1024}`);
    }

    const s = await instanceStatus(ctx, id);
    assert.equal(s.state, InstanceStatus_State.RUNNING, s.reason);
    assert.equal(s.workloads.length, 1);
    assert.equal(s.workloads[0]!.ready, true);
    assert.equal(s.workloads[0]!.containers[0]!.name, 'etherpad');
    assert.equal(s.workloads[0]!.containers[0]!.state, 'running');
    assert.equal(s.workloads[0]!.containers[0]!.image, '119.8.36.45/developer/etherpad:latest');
    assert.deepEqual(s.services[0]!.ports[0], { name: 'function', protocol: 'TCP', port: 9001, targetPort: '9001', nodePort: 32391 });

    const ev = JSON.parse((await workloadEvents(ctx, id)).response) as { pods: { podName: string; podEventsInfo: string[] }[] };
    assert.equal(ev.pods.length, 1);
    assert.equal(ev.pods[0]!.podName, q.pods[0]!.podname);
    if (backend.fake) assert.ok(ev.pods[0]!.podEventsInfo.includes('Started container etherpad'), JSON.stringify(ev));

    const kpi = JSON.parse((await queryKpi(ctx)).response) as { data: { cpuusage: { total: number; used: number }; memusage: { total: number; used: number } }; retCode: number };
    assert.equal(kpi.retCode, 0);
    assert.ok(kpi.data.cpuusage.total > 0 && kpi.data.memusage.total > 0, JSON.stringify(kpi));
    if (backend.fake) assert.deepEqual(kpi.data, { cpuusage: { total: 4, used: 0.412 }, memusage: { total: 8045920 * 1024, used: 2048000 * 1024 } });

    assert.equal((await terminate(ctx, id)).status, 'Success');
    assert.deepEqual(await releaseSecrets(backend, 'default', release), {});
    await assert.rejects(clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' }), (e: { code?: number }) => e.code === 404);
    assert.equal((await terminate(ctx, id)).status, 'Success', 'terminate of a terminated instance');
    assert.equal((await failureOf(query(ctx, id))).code, status.NOT_FOUND);
  });

  it('appo-test-posiu: the mep-agent secret carries the AK/SK and instance id; a Pod with two containers', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'appo-test-posiu.csar');
    const id = randomUUID();
    assert.equal((await instantiate(ctx, id, packageId, { ak: 'AK-posiu', sk: 'SK-posiu' })).status, 'Success');
    const api = clusterApi(backend);
    const secret = await api.core.readNamespacedSecret({ namespace: 'default', name: `aksk-${id}` });
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    assert.deepEqual(data, { accesskey: 'AK-posiu', secretkey: 'SK-posiu', appInsId: id });
    assert.equal(secret.metadata?.annotations?.['meta.helm.sh/release-name'], `app-${id}`);
    const cm = await api.core.readNamespacedConfigMap({ namespace: 'default', name: 'mepagent960cb616-4ef5-4454-b2c3-a5803fda6972' });
    assert.ok(cm.data?.['app_instance_info.yaml']?.includes('serAvailabilityNotificationSubscriptions'));

    const s = await instanceStatus(ctx, id);
    assert.equal(s.state, InstanceStatus_State.RUNNING, s.reason);
    assert.deepEqual(
      s.workloads.map((w) => [w.name, w.containers.map((c) => c.name)]),
      [['positioning-service', ['positioning', 'mep-agent']]],
    );
    const q = JSON.parse((await query(ctx, id)).response) as { pods: { podname: string; podstatus: string }[]; services: { serviceName: string }[] };
    assert.deepEqual(q.pods.map((p) => [p.podname, p.podstatus]), [['positioning-service', 'Running']]);
    assert.deepEqual(q.services.map((x) => x.serviceName), ['positioning-service']);
    const ev = JSON.parse((await workloadEvents(ctx, id)).response) as { pods: { podName: string; podEventsInfo: string[] }[] };
    assert.equal(ev.pods[0]!.podName, 'positioning-service');
    if (backend.fake) assert.ok(ev.pods[0]!.podEventsInfo.some((m) => m.startsWith('Successfully assigned default/positioning-service')), JSON.stringify(ev));

    assert.equal((await terminate(ctx, id)).status, 'Success');
    await assert.rejects(api.core.readNamespacedSecret({ namespace: 'default', name: `aksk-${id}` }), (e: { code?: number }) => e.code === 404);
    await assert.rejects(api.core.readNamespacedPod({ namespace: 'default', name: 'positioning-service' }), (e: { code?: number }) => e.code === 404);
  });

  it('a namespace from the instantiate parameters is created for the instance and removed with it', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'appo-test-posiu.csar');
    const id = randomUUID();
    const ns = `ns-${id.slice(0, 8)}`;
    assert.equal(await namespaceExists(backend, ns), false);
    assert.equal((await instantiate(ctx, id, packageId, { ak: 'a', sk: 'b', namespace: ns })).status, 'Success');
    assert.equal(await namespaceExists(backend, ns), true);
    assert.deepEqual(await releaseSecrets(backend, ns, `app-${id}`), { [`sh.helm.release.v1.app-${id}.v1`]: 'deployed' });
    assert.equal((await clusterApi(backend).core.readNamespacedPod({ namespace: ns, name: 'positioning-service' })).metadata?.namespace, ns);
    assert.equal((await terminate(ctx, id)).status, 'Success');
    assert.equal(await namespaceExists(backend, ns), false);
  });
});

describe('k8s plugin on a cluster without metrics.k8s.io', () => {
  for (const helm of ALL_HELMS) {
    it(`query answers the original's blank container per pod, the status has no usage, KPI used is 0 (helm ${helm})`, async () => {
      const backend = await startBackend('fake', { metrics: false });
      const env = await startPlugin(helm, backend);
      try {
        const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
        const id = randomUUID();
        assert.equal((await instantiate(env.ctx, id, packageId)).status, 'Success');
        const q = JSON.parse((await query(env.ctx, id)).response) as { pods: { podstatus: string; containers: unknown[] }[]; cpupercent: number };
        assert.deepEqual(q.pods[0]!.containers, [{ containername: '', metricsusage: { cpuusage: '', memusage: '', diskusage: '' } }]);
        assert.equal(q.pods[0]!.podstatus, 'Running');
        assert.equal(q.cpupercent, 0);
        const s = await instanceStatus(env.ctx, id);
        assert.equal(s.state, InstanceStatus_State.RUNNING);
        assert.deepEqual([s.workloads[0]!.containers[0]!.cpuUsage, s.workloads[0]!.containers[0]!.memoryUsage], ['', '']);
        const kpi = JSON.parse((await queryKpi(env.ctx)).response) as { data: { cpuusage: { total: number; used: number } } };
        assert.deepEqual(kpi.data.cpuusage, { total: 4, used: 0 });
        assert.equal((await terminate(env.ctx, id)).status, 'Success');
      } finally {
        await env.close();
        await backend.stop();
      }
    });
  }
});
