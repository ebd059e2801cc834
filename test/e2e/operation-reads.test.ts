import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { insertOperations, type OperationRow } from '../helpers/instance-rows.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { Operation, Operations } from '../operations/operations.js';

let t: TestServer;
let clock = Date.parse('2026-02-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000));

const instanceA1 = randomUUID();
const instanceA2 = randomUUID();
const hostA = randomUUID();
/** Tenant A's operations in creation order. */
let opsA: (OperationRow & { id: string })[] = [];
let opB: string;

before(async () => {
  // Rows are written by the test, not by the engine.
  t = await startTestServer('operation-reads', { APPLCM_WORKER_ENABLED: 'false' });
  const types = ['INSTANTIATE', 'OPERATE', 'TERMINATE', 'DISTRIBUTE'];
  const states = ['COMPLETED', 'FAILED', 'PROCESSING', 'ROLLED_BACK', 'FAILED_TEMP'];
  const rows: OperationRow[] = Array.from({ length: 30 }, (_, i) => ({
    tenantId: t.tenants.A,
    type: types[i % 4]!,
    // One active operation per instance at most: only the last two rows are not finished.
    state: i === 28 ? 'PROCESSING' : i === 29 ? 'FAILED_TEMP' : states[i % 2]!,
    instanceId: types[i % 4] === 'DISTRIBUTE' ? null : i % 2 === 0 ? instanceA1 : instanceA2,
    packageId: i % 3 === 0 ? 'pkg-x' : 'pkg-y',
    hostId: hostA,
    params: { n: i },
    error: i % 2 === 1 ? { code: 'PLUGIN_ERROR', message: `failure ${i}`, details: { grpcCode: 'INTERNAL' } } : null,
    createdAt: tick(),
  }));
  const ids = await insertOperations(t.db.url, rows);
  opsA = rows.map((r, i) => ({ ...r, id: ids[i]! }));
  opB = (await insertOperations(t.db.url, [{ tenantId: t.tenants.B, type: 'INSTANTIATE', state: 'COMPLETED', instanceId: randomUUID(), createdAt: tick() }]))[0]!;
});
after(() => t?.close());

const newestFirst = () => [...opsA].reverse();

describe('operations', () => {
  it('pages newest first with cursors, each operation exactly once, all fields read back', async () => {
    const seen: string[] = [];
    const page = (after: string | null) => t.gql(Operations, { first: 12, after }, t.tokens.tenantA);
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: Awaited<ReturnType<typeof page>> = await page(after);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      pages++;
      assert.equal(r.data!.operations.totalCount, 30);
      seen.push(...r.data!.operations.edges.map((e) => e.node.id));
      if (!r.data!.operations.pageInfo.hasNextPage) break;
      after = r.data!.operations.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, newestFirst().map((o) => o.id));

    const one = await t.gql(Operation, { id: opsA[1]!.id }, t.tokens.tenantA);
    assert.equal(one.errors, undefined, JSON.stringify(one.errors));
    const op = one.data!.operation;
    assert.deepEqual(
      { type: op.type, state: op.state, instanceId: op.instanceId, packageId: op.packageId, hostId: op.hostId, params: op.params, error: op.error, attempts: op.attempts, cancelRequested: op.cancelRequested, createdAt: op.createdAt, tenantId: op.tenantId },
      { type: 'OPERATE', state: 'FAILED', instanceId: instanceA2, packageId: 'pkg-y', hostId: hostA, params: { n: 1 }, error: { code: 'PLUGIN_ERROR', message: 'failure 1', details: { grpcCode: 'INTERNAL' } }, attempts: 0, cancelRequested: false, createdAt: opsA[1]!.createdAt.toISOString(), tenantId: t.tenants.A },
    );
  });

  it('filters by instance, package, host, type and state, together', async () => {
    const ids = async (filter: Record<string, unknown>) => {
      const r = await t.gql(Operations, { first: 100, filter }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data!.operations.edges.map((e) => e.node.id);
    };
    const expect = (pred: (o: OperationRow) => boolean) => newestFirst().filter(pred).map((o) => o.id);
    assert.deepEqual(await ids({ instanceId: instanceA1 }), expect((o) => o.instanceId === instanceA1));
    assert.deepEqual(await ids({ packageId: 'pkg-x' }), expect((o) => o.packageId === 'pkg-x'));
    assert.deepEqual(await ids({ hostId: hostA }), expect(() => true));
    assert.deepEqual(await ids({ type: 'DISTRIBUTE' }), expect((o) => o.type === 'DISTRIBUTE'));
    assert.deepEqual(await ids({ state: 'FAILED_TEMP' }), [opsA[29]!.id]);
    assert.deepEqual(await ids({ instanceId: instanceA2, type: 'OPERATE', state: 'FAILED' }), expect((o) => o.instanceId === instanceA2 && o.type === 'OPERATE' && o.state === 'FAILED'));
    assert.deepEqual(await ids({ hostId: randomUUID() }), []);
    for (const field of ['instanceId', 'hostId']) {
      const bad = await t.gql(Operations, { filter: { [field]: 'nope' } }, t.tokens.tenantA);
      assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.equal(bad.errors[0].extensions.field, `filter.${field}`);
    }
  });

  it('tenants see only their own operations (NOT_FOUND otherwise); guests read theirs; admins read all', async () => {
    const b = await t.gql(Operations, { first: 100 }, t.tokens.tenantB);
    assert.deepEqual(b.data!.operations.edges.map((e) => e.node.id), [opB]);
    const cross = await t.gql(Operation, { id: opsA[0]!.id }, t.tokens.tenantB);
    assert.equal(cross.data, null);
    assert.equal(cross.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const absent = await t.gql(Operation, { id: randomUUID() }, t.tokens.tenantB);
    assert.equal(absent.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal((await t.gql(Operation, { id: 'x' }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const narrowed = await t.gql(Operations, { first: 100, filter: { tenantId: t.tenants.A } }, t.tokens.tenantB);
    assert.deepEqual(narrowed.data!.operations.edges, []);

    const guest = await t.gql(Operations, { first: 5 }, t.tokens.guestA);
    assert.deepEqual(guest.data!.operations.edges.map((e) => e.node.id), newestFirst().slice(0, 5).map((o) => o.id));
    assert.equal((await t.gql(Operation, { id: opsA[3]!.id }, t.tokens.guestA)).data?.operation.id, opsA[3]!.id);

    const admin = await t.gql(Operations, { first: 100 }, t.tokens.admin);
    assert.equal(admin.data!.operations.totalCount, 31);
    assert.equal(admin.data!.operations.edges[0]!.node.id, opB, 'newest first across tenants');
    const adminB = await t.gql(Operations, { first: 100, filter: { tenantId: t.tenants.B } }, t.tokens.admin);
    assert.deepEqual(adminB.data!.operations.edges.map((e) => e.node.id), [opB]);
    assert.equal((await t.gql(Operation, { id: opsA[0]!.id }, t.tokens.admin)).data?.operation.tenantId, t.tenants.A);
  });

  it('rows with the same creation time page by id without loss or repetition', async () => {
    const same = new Date(clock + 60_000);
    const ids = await insertOperations(t.db.url, Array.from({ length: 7 }, () => ({ tenantId: t.tenants.B, type: 'DISTRIBUTE', state: 'COMPLETED', createdAt: same })));
    const seen: string[] = [];
    const page = (after: string | null) => t.gql(Operations, { first: 3, after, filter: { type: 'DISTRIBUTE' } }, t.tokens.tenantB);
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r: Awaited<ReturnType<typeof page>> = await page(after);
      seen.push(...r.data!.operations.edges.map((e) => e.node.id));
      if (!r.data!.operations.pageInfo.hasNextPage) break;
      after = r.data!.operations.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [...ids].sort().reverse());
  });
});
