import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { InstanceStatus_State, OperateRequest_Action, type InstanceStatus, type OperateResponse, type WatchInstanceEvent, type WorkloadEvent } from '../../src/generated/proto/applcm_plugin.js';
import { terminate } from '../../src/plugins/conformance/check-context.js';
import { deadlineIn, StreamReader, unary } from '../../src/plugins/conformance/grpc-calls.js';
import { clusterApi, eachHelmAndCluster, failureOf, instanceStatus, instantiate, startBackend, startPlugin, uploadFixture, type ClusterBackend, type PluginEnv } from './k8s-harness.js';

// The live status stream (PluginExtensions.watchInstance) fed by Kubernetes watches, and operate (scale to zero and
// back).

eachHelmAndCluster('k8s plugin watch and operate', (helm, kind) => {
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

  const operate = (id: string, action: OperateRequest_Action) =>
    unary<OperateResponse>(env.ctx.deadlineMs, (md, o, cb) => env.ctx.ext.operate({ accessToken: env.ctx.token, tenantId: env.ctx.tenantId, hostIp: env.ctx.hostIp, appInstanceId: id, action }, md, o, cb));

  it('operate STOP scales the deployment to zero (STOPPED), START brings it back (RUNNING); both idempotent', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
    const id = randomUUID();
    assert.equal((await instantiate(ctx, id, packageId)).status, 'Success');
    try {
      assert.equal((await operate(id, OperateRequest_Action.STOP)).status, 'Success');
      assert.equal((await operate(id, OperateRequest_Action.STOP)).status, 'Success');
      assert.equal((await clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' })).spec?.replicas, 0);
      const stopped = await instanceStatus(ctx, id);
      assert.equal(stopped.state, InstanceStatus_State.STOPPED);
      if (backend.fake) assert.deepEqual(stopped.workloads, []);
      assert.equal((await operate(id, OperateRequest_Action.START)).status, 'Success');
      assert.equal((await operate(id, OperateRequest_Action.START)).status, 'Success');
      assert.equal((await clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' })).spec?.replicas, 1);
      if (backend.fake) assert.equal((await instanceStatus(ctx, id)).state, InstanceStatus_State.RUNNING);
    } finally {
      await terminate(ctx, id);
    }
  });

  it('operate STOP of a release with a bare Pod is refused: a pod without a controller cannot be scaled', async () => {
    const { ctx } = env;
    const packageId = await uploadFixture(env, 'appo-test-posiu.csar');
    const id = randomUUID();
    assert.equal((await instantiate(ctx, id, packageId)).status, 'Success');
    try {
      const f = await failureOf(operate(id, OperateRequest_Action.STOP));
      assert.equal(f.code, status.FAILED_PRECONDITION);
      assert.match(f.details, /Pod\/positioning-service/);
    } finally {
      await terminate(ctx, id);
    }
  });

  if (kind === 'fake') {
    it('watchInstance: status first, changes pushed by Kubernetes watches (not polling), events, heartbeats, ABSENT on terminate', async () => {
      const { ctx } = env;
      const fake = backend.fake!;
      const packageId = await uploadFixture(env, 'etherpad-k8splugin.csar');
      const id = randomUUID();
      assert.equal((await instantiate(ctx, id, packageId)).status, 'Success');
      const stream = ctx.ext.watchInstance(
        { accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId: id, includeEvents: true, heartbeatMs: 300 },
        { deadline: deadlineIn(30_000) },
      );
      const reader = new StreamReader<WatchInstanceEvent>(stream);
      const next = async <C extends NonNullable<WatchInstanceEvent['event']>['$case']>(c: C, what: string, accept: (v: Extract<NonNullable<WatchInstanceEvent['event']>, { $case: C }>['value']) => boolean = () => true) => {
        for (;;) {
          const m = await reader.next(5000, what);
          if (m.event?.$case === c && accept(m.event.value as never)) return m.event.value as Extract<NonNullable<WatchInstanceEvent['event']>, { $case: C }>['value'];
        }
      };
      try {
        const first = await reader.next(5000, 'first message');
        assert.equal(first.event?.$case, 'status');
        assert.equal(first.event.value.state, InstanceStatus_State.RUNNING);
        await next('heartbeat', 'a heartbeat while nothing changes');
        // The watches are open by now (and the one look that closes the gap to the first status is done).
        await next('heartbeat', 'a second heartbeat');
        await next('heartbeat', 'a third heartbeat');

        // Listing pods is what polling would do: none may happen while the stream only waits.
        const lists = () => fake.cluster.requests.filter((r) => /^GET \/api\/v1\/namespaces\/default\/pods(\?|$)/.test(r) && !r.includes('watch=true')).length;
        const listsBefore = lists();
        await next('heartbeat', 'another heartbeat');
        await next('heartbeat', 'and another');
        assert.equal(lists(), listsBefore, 'pods listed while idle: polling');
        assert.ok(fake.cluster.requests.some((r) => r.startsWith('GET /api/v1/namespaces/default/pods?') && r.includes('watch=true')), 'no pod watch');

        // The kubelet's event and the status change it causes, in whatever order they come.
        const both = async (what: string, status: (s: InstanceStatus) => boolean, event: (e: WorkloadEvent) => boolean): Promise<{ s: InstanceStatus; e: WorkloadEvent }> => {
          let s: InstanceStatus | undefined;
          let e: WorkloadEvent | undefined;
          while (!s || !e) {
            const m = (await reader.next(5000, what)).event;
            if (m?.$case === 'status' && status(m.value)) s = m.value;
            if (m?.$case === 'workloadEvent' && event(m.value)) e = m.value;
          }
          return { s, e };
        };
        fake.setWorkloadsReady(false);
        const down = await both('the pod turning unready', (x) => x.state === InstanceStatus_State.DEGRADED, (x) => x.reason === 'BackOff');
        assert.match(down.s.reason, /etherpad waiting: ImagePullBackOff/);
        assert.equal(down.e.kind, 'Pod');
        assert.equal(down.e.type, 'Warning');
        assert.match(down.e.name, /^etherpad-/);
        fake.setWorkloadsReady(true);
        await both('the pod ready again', (x) => x.state === InstanceStatus_State.RUNNING, (x) => x.reason === 'Started');

        assert.equal((await terminate(ctx, id)).status, 'Success');
        await next('status', 'the instance gone', (s) => s.state === InstanceStatus_State.ABSENT);
        const end = await reader.status(5000, 'the stream after terminate');
        assert.equal(end.code, status.OK);
      } finally {
        stream.cancel();
        await terminate(ctx, id);
      }
      assert.deepEqual(env.plugin.openResources, { watchers: 0, calls: 0 });
    });
  }
});
