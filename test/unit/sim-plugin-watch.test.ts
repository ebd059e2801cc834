import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { InstanceStatus_State, type InstanceStatus, type WatchInstanceEvent } from '../../src/generated/proto/applcm_plugin.js';
import { StreamReader, deadlineIn, unary } from '../../src/plugins/conformance/grpc-calls.js';
import { DEADLINE_MS, deploy, identity, rejectsWith, startSim, type Identity, type SimHarness } from '../helpers/sim-harness.js';

const watch = (h: SimHarness, id: Identity, appInstanceId: string, o: { includeEvents?: boolean; heartbeatMs?: number } = {}) =>
  new StreamReader<WatchInstanceEvent>(
    h.ext.watchInstance({ ...id, appInstanceId, includeEvents: o.includeEvents ?? false, heartbeatMs: o.heartbeatMs ?? 0 }, { deadline: deadlineIn(DEADLINE_MS) }),
  );

/** The next message, which must be a status; returns it. */
async function nextStatus(r: StreamReader<WatchInstanceEvent>): Promise<InstanceStatus> {
  const m = await r.next(1000, 'status');
  assert.equal(m.event?.$case, 'status', `got ${JSON.stringify(m.event)}`);
  return (m.event as { value: InstanceStatus }).value;
}

describe('SimPlugin instance status and watch', () => {
  let h: SimHarness;
  before(async () => {
    h = await startSim({ heartbeatMs: 60_000 });
  });
  after(() => h.close());

  it('instanceStatus: one pod with container app, one ClusterIP service', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id, 'pkg-s');
    const s = await unary<InstanceStatus>(DEADLINE_MS, (md, o, cb) => h.ext.instanceStatus({ ...id, appInstanceId }, md, o, cb));
    assert.equal(s.state, InstanceStatus_State.RUNNING);
    assert.deepEqual(
      s.workloads.map((w) => [w.kind, w.name, w.phase, w.ready, w.containers.map((c) => c.name)]),
      [['Pod', `${appInstanceId.slice(0, 8)}-0`, 'Running', true, ['app']]],
    );
    assert.deepEqual(s.services[0]?.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 0 }]);
    assert.ok(!Number.isNaN(Date.parse(s.observedAt)));
  });

  it('sends the current status first, then every change; events only when asked', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    const plain = watch(h, id, appInstanceId);
    const withEvents = watch(h, id, appInstanceId, { includeEvents: true });
    assert.equal((await nextStatus(plain)).state, InstanceStatus_State.RUNNING);
    assert.equal((await nextStatus(withEvents)).state, InstanceStatus_State.RUNNING);
    h.sim.emitWorkloadEvent(id.tenantId, id.hostIp, appInstanceId, { type: 'Warning', reason: 'BackOff', message: 'back-off restarting' });
    h.sim.setInstanceState(id.tenantId, id.hostIp, appInstanceId, 'DEGRADED', 'container restarting');
    const ev = await withEvents.next(1000, 'event');
    assert.equal(ev.event?.$case, 'workloadEvent');
    assert.deepEqual(ev.event?.$case === 'workloadEvent' && [ev.event.value.type, ev.event.value.reason, ev.event.value.message], ['Warning', 'BackOff', 'back-off restarting']);
    for (const r of [plain, withEvents]) {
      const s = await nextStatus(r);
      assert.deepEqual([s.state, s.reason], [InstanceStatus_State.DEGRADED, 'container restarting']);
      assert.equal(s.workloads[0]?.containers[0]?.restarts, 1);
    }
    assert.equal(h.sim.instance(id.tenantId, id.hostIp, appInstanceId)?.state, 'DEGRADED');
    plain.stream.cancel();
    withEvents.stream.cancel();
    assert.equal((await plain.status(1000, 'cancelled')).code, status.CANCELLED);
    assert.equal((await withEvents.status(1000, 'cancelled')).code, status.CANCELLED);
  });

  it('heartbeats at the asked interval while nothing changes', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    const r = watch(h, id, appInstanceId, { heartbeatMs: 40 });
    await nextStatus(r);
    const started = Date.now();
    for (let i = 0; i < 3; i++) assert.equal((await r.next(1000, 'heartbeat')).event?.$case, 'heartbeat');
    assert.ok(Date.now() - started >= 100, 'three heartbeats take at least ~three intervals');
    r.stream.cancel();
    await r.status(1000, 'cancelled');
  });

  it('a cancelled watch leaves no listener or timer behind', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    const readers = Array.from({ length: 20 }, () => watch(h, id, appInstanceId, { heartbeatMs: 20 }));
    for (const r of readers) await nextStatus(r);
    assert.equal(h.sim.openResources.watchers, 20);
    for (const r of readers) r.stream.cancel();
    for (const r of readers) await r.status(1000, 'cancelled');
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(h.sim.openResources, { watchers: 0, calls: 0 });
  });

  it('terminate tells watchers ABSENT and ends their streams with OK', async () => {
    const id = identity();
    const appInstanceId = await deploy(h, id);
    const r = watch(h, id, appInstanceId);
    await nextStatus(r);
    await unary(DEADLINE_MS, (md, o, cb) => h.lcm.terminate({ ...id, appInstanceId }, md, o, cb));
    assert.equal((await nextStatus(r)).state, InstanceStatus_State.ABSENT);
    assert.equal((await r.status(1000, 'after terminate')).code, status.OK);
    await rejectsWith(unary(DEADLINE_MS, (md, o, cb) => h.ext.instanceStatus({ ...id, appInstanceId }, md, o, cb)), status.NOT_FOUND);
    await rejectsWith(new Promise((resolve, reject) => watch(h, id, appInstanceId).stream.on('error', reject).on('end', resolve)), status.NOT_FOUND);
  });

  it('deployDelayMs: DEPLOYING first, then RUNNING pushed to watchers with the Started event', async () => {
    const slow = await startSim({ deployDelayMs: 150 });
    try {
      const id = identity();
      const appInstanceId = await deploy(slow, id);
      const r = watch(slow, id, appInstanceId, { includeEvents: true });
      assert.equal((await nextStatus(r)).state, InstanceStatus_State.DEPLOYING);
      const q = JSON.parse((await unary<{ response: string }>(DEADLINE_MS, (md, o, cb) => slow.lcm.query({ ...id, appInstanceId }, md, o, cb))).response) as { pods: { podstatus: string }[] };
      assert.equal(q.pods[0]?.podstatus, 'Pending');
      const ev = await r.next(1000, 'Started event');
      assert.equal(ev.event?.$case === 'workloadEvent' && ev.event.value.reason, 'Started');
      assert.equal((await nextStatus(r)).state, InstanceStatus_State.RUNNING);
    } finally {
      await slow.close();
    }
  });

  it('stop() ends open watch streams with OK', async () => {
    const s = await startSim();
    const id = identity();
    const appInstanceId = await deploy(s, id);
    const r = watch(s, id, appInstanceId);
    await nextStatus(r);
    await s.close();
    assert.equal((await r.status(1000, 'after stop')).code, status.OK);
  });
});
