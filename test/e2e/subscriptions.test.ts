import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import pg from 'pg';
import { commitSignalOf } from '../../src/events/commit-signal.js';
import { appendEvent } from '../../src/events/event-log.js';
import { LISTENER_APPLICATION_NAME } from '../../src/events/pg-listener.js';
import { AppInstanceUpdated, OperationSequences, OperationUpdated, PackageDistributionUpdated } from '../operations/subscriptions.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, wsExecute, type TestServer } from '../helpers/test-server.js';
import {
  appendViaOrm,
  appendViaSql,
  collect,
  distEvent,
  distributionSnapshot,
  eventually,
  committedPositions,
  headSequence,
  instanceSnapshot,
  instEvent,
  opEvent,
  operationSnapshot,
  sequencesOf,
  startPeer,
  strictlyIncreasing,
  type NewEvent,
} from './subscriptions-support.js';

let t: TestServer;
before(async () => {
  // Small replay pages, so replays cross several pages.
  t = await startTestServer('subs', { APPLCM_SUBSCRIPTION_REPLAY_PAGE: '50' });
});
after(async () => {
  await t?.close();
});

const open = () => t.server.events.subscriptions.size;
// Tests run one after another; each leaves no subscription open, so the next one counts from zero.
afterEach(() => eventually(() => open() === 0, 5000, 'subscriptions of the previous test closed'));

/** Waits until `n` more subscriptions than `base` are open on the server (their taps are in place). */
const subscribed = (base: number, n: number) => eventually(() => open() >= base + n, 5000, `${n} subscription(s)`);

/** Positions of a tenant's operation events after `from`, as committed. */
const committedOperationSequences = (from: bigint, tenantId: string) => committedPositions(t, from, "topic = 'operation.updated' and tenant_id = $2", [tenantId]);

describe('operationUpdated', () => {
  it('delivers live changes from now on, with the operation rebuilt from the snapshot', async () => {
    const base = open();
    const c = collect(t.ws(t.tokens.tenantA), OperationUpdated, {});
    await subscribed(base, 1);
    const before = operationSnapshot(t.tenants.A, { state: 'PROCESSING', progress: { step: 'instantiate', done: 1, total: 3 }, startedAt: new Date().toISOString(), attempts: 1 });
    await appendViaOrm(t.orm, [opEvent(before)]);
    const done = { ...before, state: 'FAILED', error: { code: 'PLUGIN_ERROR', message: 'helm failed' }, finishedAt: new Date().toISOString(), rowVersion: 3 };
    await appendViaOrm(t.orm, [opEvent(done)]);
    const [first, second] = await c.waitFor(2);
    const op = first!.operationUpdated.operation;
    assert.equal(op.id, before.id);
    assert.equal(op.tenantId, t.tenants.A);
    assert.equal(op.type, 'INSTANTIATE');
    assert.equal(op.state, 'PROCESSING');
    assert.deepEqual(op.progress, { step: 'instantiate', done: 1, total: 3 });
    assert.equal(op.createdAt, before.createdAt);
    assert.equal(op.startedAt, before.startedAt);
    assert.equal(op.finishedAt, null);
    assert.equal(op.attempts, 1);
    const op2 = second!.operationUpdated.operation;
    assert.equal(op2.state, 'FAILED');
    assert.deepEqual(op2.error, { code: 'PLUGIN_ERROR', message: 'helm failed' });
    assert.equal(op2.rowVersion, 3);
    assert.match(first!.operationUpdated.sequence, /^\d+$/);
    assert.ok(BigInt(second!.operationUpdated.sequence) > BigInt(first!.operationUpdated.sequence));
    c.unsubscribe();
  });

  it('refuses an afterSequence that is not a sequence (BAD_USER_INPUT)', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const r = await wsExecute(t.ws(t.tokens.tenantA), OperationUpdated, { after: bad });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', bad);
      assert.equal(r.errors?.[0]?.extensions?.field, 'afterSequence');
    }
  });
});

describe('replay and resume', () => {
  it('replays the rows after afterSequence page by page, then continues live without gap or duplicate', async () => {
    const head = await headSequence(t);
    await appendViaSql(t.db.url, Array.from({ length: 120 }, () => opEvent(operationSnapshot(t.tenants.A))));
    // Sequences have gaps (rolled-back transactions, cached sequence values): the 20th row is not head + 20.
    const from = (await committedOperationSequences(head, t.tenants.A))[19]!;
    const c = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: from.toString() });
    await c.waitFor(100);
    // Live events after the replay; the first batch lands while the subscription may still be replaying.
    await appendViaOrm(t.orm, Array.from({ length: 15 }, () => opEvent(operationSnapshot(t.tenants.A))));
    await appendViaSql(t.db.url, Array.from({ length: 15 }, () => opEvent(operationSnapshot(t.tenants.A))));
    const expected = await committedOperationSequences(from, t.tenants.A);
    assert.equal(expected.length, 130);
    await c.waitFor(130);
    assert.deepEqual(sequencesOf(c.items.map((i) => i.operationUpdated)), expected);
    c.unsubscribe();
  });

  it('a resumed subscription starts exactly after the sequence it was given', async () => {
    const c1 = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: (await headSequence(t)).toString() });
    await appendViaOrm(t.orm, Array.from({ length: 10 }, () => opEvent(operationSnapshot(t.tenants.A))));
    const items = await c1.waitFor(10);
    c1.unsubscribe();
    const resumeAfter = items[4]!.operationUpdated.sequence;
    const c2 = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: resumeAfter });
    const resumed = await c2.waitFor(5);
    assert.deepEqual(resumed.map((i) => i.operationUpdated.sequence), items.slice(5).map((i) => i.operationUpdated.sequence));
    c2.unsubscribe();
  });

  it('with many concurrent writers, a subscriber started mid-flight receives every committed event exactly once, in order', async () => {
    const head = await headSequence(t);
    const writers = 24;
    const rounds = 5;
    let started = 0;
    const pool = new pg.Pool({ connectionString: t.db.url, max: 12 });
    const write = async (w: number) => {
      for (let r = 0; r < rounds; r++) {
        const events = Array.from({ length: 3 }, () => opEvent(operationSnapshot(t.tenants.A)));
        if ((w + r) % 2 === 0) {
          await appendViaOrm(t.orm, events);
        } else {
          const c = await pool.connect();
          try {
            await c.query('begin');
            for (const e of events) await c.query('insert into event (tenant_id, topic, subject_id, payload) values ($1, $2, $3, $4)', [e.tenantId, e.topic, e.subjectId, JSON.stringify(e.payload)]);
            // Every fifth SQL transaction rolls back: its sequence numbers become gaps no reader may wait for.
            await c.query(r % 5 === 1 ? 'rollback' : 'commit');
          } finally {
            c.release();
          }
        }
        started++;
      }
    };
    const running = Promise.all(Array.from({ length: writers }, (_, w) => write(w)));
    await eventually(() => started >= 10, 10_000, 'writers under way');
    const base = open();
    const replaying = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: head.toString() });
    const live = collect(t.ws(t.tokens.tenantA), OperationSequences, {});
    await subscribed(base, 2);
    await running;
    await pool.end();
    const expected = await committedOperationSequences(head, t.tenants.A);
    assert.ok(expected.length > 150 && expected.length < writers * rounds * 3, `some transactions rolled back (${expected.length})`);
    await replaying.waitFor(expected.length, 10_000);
    const got = sequencesOf(replaying.items.map((i) => i.operationUpdated));
    assert.deepEqual(got, expected, 'all committed events, in commit order, once');
    // The live subscriber missed what came before it subscribed, and nothing after.
    await t.server.events.bus.sync();
    await eventually(() => live.items.length > 0 && BigInt(live.items.at(-1)!.operationUpdated.sequence) === expected.at(-1), 5000, 'live subscriber caught up');
    const liveSeqs = sequencesOf(live.items.map((i) => i.operationUpdated));
    assert.ok(strictlyIncreasing(liveSeqs));
    assert.deepEqual(liveSeqs, expected.slice(expected.indexOf(liveSeqs[0]!)));
    replaying.unsubscribe();
    live.unsubscribe();
  });
});

describe('tenant isolation', () => {
  it('a tenant receives only its own events (live and replayed); guests read their tenant; admins see all', async () => {
    const head = await headSequence(t);
    const base = open();
    const a = collect(t.ws(t.tokens.tenantA), OperationSequences, {});
    const b = collect(t.ws(t.tokens.tenantB), OperationSequences, {});
    const guest = collect(t.ws(t.tokens.guestA), OperationSequences, {});
    const admin = collect(t.ws(t.tokens.admin), OperationSequences, {});
    await subscribed(base, 4);
    const aEvents = Array.from({ length: 5 }, () => opEvent(operationSnapshot(t.tenants.A)));
    const marker = operationSnapshot(t.tenants.B);
    await appendViaOrm(t.orm, aEvents);
    await appendViaSql(t.db.url, [opEvent(marker)]);
    await admin.waitFor(6);
    await b.waitFor(1);
    await a.waitFor(5);
    await guest.waitFor(5);
    // Everything of A's precedes the marker in sequence order, and one connection delivers in order: B saw none of it.
    assert.deepEqual(b.items.map((i) => i.operationUpdated.operation.id), [marker.id]);
    assert.deepEqual(a.items.map((i) => i.operationUpdated.operation.id), aEvents.map((e) => e.subjectId));
    assert.deepEqual(guest.items.map((i) => i.operationUpdated.operation.id), aEvents.map((e) => e.subjectId));
    assert.deepEqual(admin.items.map((i) => i.operationUpdated.operation.id), [...aEvents.map((e) => e.subjectId), marker.id]);

    const bReplay = collect(t.ws(t.tokens.tenantB), OperationSequences, { after: head.toString() });
    await bReplay.waitFor(1);
    const aReplay = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: head.toString() });
    await aReplay.waitFor(5);
    await appendViaOrm(t.orm, [opEvent(operationSnapshot(t.tenants.B, { id: marker.id, state: 'COMPLETED' }))]);
    await bReplay.waitFor(2);
    assert.deepEqual(bReplay.items.map((i) => i.operationUpdated.operation.state), ['STARTING', 'COMPLETED']);
    assert.equal(aReplay.items.length, 5);
    for (const c of [a, b, guest, admin, aReplay, bReplay]) c.unsubscribe();
  });
});

describe('filters', () => {
  it('operationUpdated filters by id, instance, type and state, live and replayed alike', async () => {
    const head = await headSequence(t);
    const instanceId = randomUUID();
    const op = operationSnapshot(t.tenants.A, { instanceId });
    const events: NewEvent[] = [
      opEvent(op),
      opEvent(operationSnapshot(t.tenants.A)),
      opEvent({ ...op, state: 'PROCESSING' }),
      opEvent(operationSnapshot(t.tenants.A, { type: 'TERMINATE', state: 'COMPLETED' })),
      opEvent({ ...op, state: 'COMPLETED' }),
    ];
    const base = open();
    const client = t.ws(t.tokens.tenantA);
    const byInstance = collect(client, OperationUpdated, { filter: { instanceId } });
    const byId = collect(client, OperationUpdated, { filter: { id: op.id, state: 'COMPLETED' } });
    const byType = collect(client, OperationUpdated, { filter: { type: 'TERMINATE' } });
    const byState = collect(client, OperationUpdated, { filter: { state: 'COMPLETED' } });
    await subscribed(base, 4);
    await appendViaOrm(t.orm, events);
    await byInstance.waitFor(3);
    await byState.waitFor(2);
    await byType.waitFor(1);
    await byId.waitFor(1);
    assert.deepEqual(byInstance.items.map((i) => i.operationUpdated.operation.state), ['STARTING', 'PROCESSING', 'COMPLETED']);
    assert.deepEqual(byState.items.map((i) => i.operationUpdated.operation.type), ['TERMINATE', 'INSTANTIATE']);
    assert.equal(byType.items[0]!.operationUpdated.operation.state, 'COMPLETED');
    assert.equal(byId.items[0]!.operationUpdated.operation.id, op.id);
    const replayed = collect(client, OperationUpdated, { filter: { instanceId }, after: head.toString() });
    await replayed.waitFor(3);
    assert.deepEqual(replayed.items.map((i) => i.operationUpdated.sequence), byInstance.items.map((i) => i.operationUpdated.sequence));
    for (const c of [byInstance, byId, byType, byState, replayed]) c.unsubscribe();
    // Nothing else arrived meanwhile.
    assert.equal(byInstance.items.length, 3);
    assert.equal(byType.items.length, 1);
  });

  it('appInstanceUpdated reports updates and removals (deleted) of the matching instances', async () => {
    const hostId = randomUUID();
    const inst = instanceSnapshot(t.tenants.A, { hostId, packageId: 'pkg-x', parameters: { replicas: '2' } });
    const base = open();
    const client = t.ws(t.tokens.tenantA);
    const byHost = collect(client, AppInstanceUpdated, { filter: { hostId } });
    const byPackage = collect(client, AppInstanceUpdated, { filter: { packageId: 'pkg-x', id: inst.id } });
    await subscribed(base, 2);
    await appendViaOrm(t.orm, [
      instEvent(inst),
      instEvent(instanceSnapshot(t.tenants.A)),
      instEvent({ ...inst, instantiationState: 'INSTANTIATED', operationalState: 'STARTED', rowVersion: 2 }),
      instEvent({ ...inst, instantiationState: 'NOT_INSTANTIATED', operationalState: null, rowVersion: 3 }, true),
    ]);
    const items = await byHost.waitFor(3);
    await byPackage.waitFor(3);
    assert.deepEqual(items.map((i) => [i.appInstanceUpdated.deleted, i.appInstanceUpdated.appInstance.instantiationState, i.appInstanceUpdated.appInstance.rowVersion]), [
      [false, 'NOT_INSTANTIATED', 1],
      [false, 'INSTANTIATED', 2],
      [true, 'NOT_INSTANTIATED', 3],
    ]);
    const u = items[1]!.appInstanceUpdated;
    assert.equal(u.hostId, hostId);
    assert.equal(u.packageId, 'pkg-x');
    assert.equal(u.appInstance.id, inst.id);
    assert.equal(u.appInstance.operationalState, 'STARTED');
    assert.deepEqual(u.appInstance.parameters, { replicas: '2' });
    assert.equal(u.appInstance.createdAt, inst.createdAt);
    assert.deepEqual(byPackage.items.map((i) => i.appInstanceUpdated.sequence), items.map((i) => i.appInstanceUpdated.sequence));
    byHost.unsubscribe();
    byPackage.unsubscribe();
  });

  it('packageDistributionUpdated filters by package and host and flags removals', async () => {
    const head = await headSequence(t);
    const hostId = randomUUID();
    const d = distributionSnapshot(t.tenants.A, { packageId: 'pkg-d', hostId });
    const base = open();
    const c = collect(t.ws(t.tokens.tenantA), PackageDistributionUpdated, { filter: { packageId: 'pkg-d', hostId } });
    await subscribed(base, 1);
    await appendViaOrm(t.orm, [
      distEvent(d),
      distEvent(distributionSnapshot(t.tenants.A, { packageId: 'pkg-d' })),
      distEvent(distributionSnapshot(t.tenants.A, { hostId })),
      distEvent({ ...d, state: 'ERROR', error: 'upload failed', rowVersion: 2 }),
      distEvent({ ...d, state: 'DELETING', rowVersion: 3 }, true),
    ]);
    const items = await c.waitFor(3);
    assert.deepEqual(items.map((i) => [i.packageDistributionUpdated.state, i.packageDistributionUpdated.deleted, i.packageDistributionUpdated.error]), [
      ['DISTRIBUTING', false, null],
      ['ERROR', false, 'upload failed'],
      ['DELETING', true, null],
    ]);
    assert.equal(items[0]!.packageDistributionUpdated.id, d.id);
    assert.equal(items[0]!.packageDistributionUpdated.hostId, hostId);
    const replay = collect(t.ws(t.tokens.tenantA), PackageDistributionUpdated, { filter: { packageId: 'pkg-d', hostId }, after: head.toString() });
    await replay.waitFor(3);
    assert.deepEqual(replay.items.map((i) => i.packageDistributionUpdated.sequence), items.map((i) => i.packageDistributionUpdated.sequence));
    c.unsubscribe();
    replay.unsubscribe();
  });
});

describe('shared execution', () => {
  it('subscribers with the same rights and question share one execution; other selections, variables or rights get their own', async () => {
    const client = t.ws(t.tokens.tenantA);
    const full = collect(client, OperationUpdated, {});
    const full2 = collect(t.ws(t.tokens.tenantA), OperationUpdated, {});
    const small = collect(client, OperationSequences, {});
    const filtered = collect(client, OperationUpdated, { filter: { state: 'COMPLETED' } });
    const guest = collect(t.ws(t.tokens.guestA), OperationUpdated, {});
    await subscribed(0, 5);
    const op = operationSnapshot(t.tenants.A, { state: 'COMPLETED', result: { ok: true } });
    await appendViaOrm(t.orm, [opEvent(op)]);
    for (const c of [full, full2, filtered, guest]) {
      const [u] = await c.waitFor(1);
      assert.equal(u!.operationUpdated.operation.id, op.id);
      assert.deepEqual(u!.operationUpdated.operation.result, { ok: true });
    }
    const [s] = await small.waitFor(1);
    assert.deepEqual(Object.keys(s!.operationUpdated.operation).sort(), ['id', 'state']);
    for (const c of [full, full2, small, filtered, guest]) c.unsubscribe();
  });
});

describe('commit signal', () => {
  it('wakes the tailer after the commit of a transaction that flushed events, never before, once per transaction', async () => {
    const signal = commitSignalOf(t.orm);
    let calls = 0;
    const off = signal.onCommit(() => calls++);
    try {
      const ev = () => opEvent(operationSnapshot(t.tenants.A));
      await t.orm.em.fork().transactional(async (em) => {
        appendEvent(em, ev());
        await em.flush();
        assert.equal(calls, 0, 'flushed but not committed');
        await em.transactional(async (inner) => {
          appendEvent(inner, ev());
          await inner.flush();
        });
        assert.equal(calls, 0, 'a nested transaction (savepoint) is not a commit');
      });
      assert.equal(calls, 1);
      await assert.rejects(
        t.orm.em.fork().transactional(async (em) => {
          appendEvent(em, ev());
          await em.flush();
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal(calls, 1, 'a rolled-back transaction signals nothing');
      const em = t.orm.em.fork();
      appendEvent(em, ev());
      await em.flush();
      assert.equal(calls, 2, 'a flush outside a transaction commits at once');
      await t.orm.em.fork().transactional(async (tx) => {
        await tx.getConnection().execute('select 1', [], 'get', tx.getTransactionContext());
      });
      assert.equal(calls, 2, 'a transaction without events signals nothing');
    } finally {
      off();
    }
  });
});

describe('cleanup', () => {
  it('unsubscribing and disconnecting remove every subscription and tap', async () => {
    const bus = t.server.events.bus;
    const baseSubs = open();
    const baseTaps = bus.taps;
    const client = t.ws(t.tokens.tenantA);
    const head = await headSequence(t);
    const subs = Array.from({ length: 10 }, (_, i) => collect(client, OperationSequences, i % 2 ? { after: head.toString() } : {}));
    await subscribed(baseSubs, 10);
    await eventually(() => bus.taps === baseTaps + 10, 5000, 'taps in place');
    for (const s of subs.slice(0, 5)) s.unsubscribe();
    await eventually(() => open() === baseSubs + 5 && bus.taps === baseTaps + 5, 5000, 'five released');
    await client.dispose();
    await eventually(() => open() === baseSubs && bus.taps === baseTaps, 5000, 'all released on disconnect');
    // A subscription replaying the log from its start is released as well.
    const slow = t.ws(t.tokens.admin);
    collect(slow, OperationSequences, { after: '0' });
    await subscribed(baseSubs, 1);
    await slow.dispose();
    await eventually(() => open() === baseSubs && bus.taps === baseTaps, 5000, 'replaying subscription released');
  });
});

describe('two servers on one database', () => {
  it('an event committed through one replica reaches a subscriber on another by NOTIFY, also after the LISTEN connection was cut', async () => {
    // The safety poll is 10 minutes: only NOTIFY can deliver within the test.
    const env = { APPLCM_EVENT_POLL_MS: '600000' };
    const [one, two] = await Promise.all([startPeer(t, env), startPeer(t, env)]);
    try {
      const base = two.server.events.subscriptions.size;
      const c = collect(two.ws(t.tokens.tenantA), OperationUpdated, {});
      await eventually(() => two.server.events.subscriptions.size === base + 1, 5000, 'subscribed on replica two');
      const readsBefore = two.server.events.bus.reads;
      const first = operationSnapshot(t.tenants.A);
      const sent = Date.now();
      await appendViaOrm(one.orm, [opEvent(first)]);
      await c.waitFor(1, 1000);
      const latency = Date.now() - sent;
      assert.ok(latency < 1000, `delivered in ${latency} ms`);
      assert.equal(c.items[0]!.operationUpdated.operation.id, first.id);
      assert.ok(two.server.events.bus.reads > readsBefore);

      // Cut every listening session of this database; each replica reconnects (with backoff) and listens again.
      const listener = two.server.events.bus.pgListener!;
      const connects = listener.connects;
      const killed = await sql<{ n: string }>(t.db.url, 'select count(pg_terminate_backend(pid))::text as n from pg_stat_activity where application_name = $1 and datname = current_database()', [LISTENER_APPLICATION_NAME]);
      assert.ok(Number(killed[0]!.n) >= 2);
      await eventually(() => listener.connects > connects && listener.listening, 10_000, 'listener reconnected');
      const second = operationSnapshot(t.tenants.A);
      const sent2 = Date.now();
      await appendViaSql(t.db.url, [opEvent(second)]);
      await c.waitFor(2, 1000);
      assert.ok(Date.now() - sent2 < 1000);
      assert.equal(c.items[1]!.operationUpdated.operation.id, second.id);

      // Shutdown ends the subscriptions it serves, and leaves no tap behind.
      await two.close();
      await c.ended();
      assert.equal(two.server.events.subscriptions.size, 0);
      assert.equal(two.server.events.bus.taps, 0);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe('tailer health', () => {
  it('woken from inside committing transactions, the tailer never read through them (no failed reads in the log)', () => {
    const failed = t.logs.filter((l) => l.msg === 'reading the event log failed');
    assert.deepEqual(failed, []);
    assert.ok(t.server.events.bus.reads > 0);
  });
});
