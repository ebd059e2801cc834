import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Changes } from '../operations/changes.js';
import { tokenFor } from '../helpers/test-keys.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { appendViaOrm, appendViaSql, committedPositions, distEvent, distributionSnapshot, headSequence, instanceSnapshot, instEvent, opEvent, operationSnapshot, strictlyIncreasing } from './subscriptions-support.js';

let t: TestServer;
before(async () => {
  t = await startTestServer('changes');
});
after(async () => {
  await t?.close();
});

/** A tenant of its own, so concurrent tests never see each other's rows. */
async function freshTenant() {
  const id = randomUUID();
  return { id, token: await tokenFor(t.keys, 'tenant', id), guest: await tokenFor(t.keys, 'guest', id) };
}

async function page(token: string, vars: { after?: string | null; first?: number; topics?: string[] }) {
  const r = await t.gql(Changes, vars, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data!.changes;
}

describe('changes', () => {
  it('pages through the log in sequence order with endCursor and hasNextPage', async () => {
    const tenant = await freshTenant();
    await appendViaSql(t.db.url, Array.from({ length: 250 }, (_, i) => opEvent(operationSnapshot(tenant.id, { params: { i } }))));
    await headSequence(t); // positioned (just after commit) and visible to readers
    const seen: { sequence: string; i: unknown }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const p = await page(tenant.token, { after: cursor, first: 100 });
      pages++;
      for (const e of p.edges) {
        assert.equal(e.cursor, e.node.sequence);
        assert.equal(e.node.topic, 'operation.updated');
        assert.equal(e.node.tenantId, tenant.id);
        assert.equal(e.node.subjectId, (e.node.payload as { id: string }).id);
        assert.ok(!Number.isNaN(Date.parse(e.node.createdAt)));
        seen.push({ sequence: e.node.sequence, i: (e.node.payload as { params: { i: number } }).params.i });
      }
      assert.equal(p.pageInfo.endCursor, p.edges.at(-1)?.node.sequence ?? cursor);
      cursor = p.pageInfo.endCursor ?? null;
      if (!p.pageInfo.hasNextPage) break;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((s) => s.i), Array.from({ length: 250 }, (_, i) => i));
    assert.ok(strictlyIncreasing(seen.map((s) => BigInt(s.sequence))));
    // At the end, an empty page keeps the cursor so a poller can go on from it.
    const tail = await page(tenant.token, { after: cursor });
    assert.deepEqual(tail.edges, []);
    assert.equal(tail.pageInfo.hasNextPage, false);
    assert.equal(tail.pageInfo.endCursor, cursor);
    // Entries committed later show up after the cursor.
    await appendViaOrm(t.orm, [opEvent(operationSnapshot(tenant.id, { params: { i: 250 } }))]);
    await headSequence(t); // positioned (just after commit) and visible to readers
    const next = await page(tenant.token, { after: cursor });
    assert.deepEqual(next.edges.map((e) => (e.node.payload as { params: { i: number } }).params.i), [250]);
  });

  it('is tenant-scoped: tenants and their guests read their own rows, admins all', async () => {
    const a = await freshTenant();
    const b = await freshTenant();
    const head = await headSequence(t);
    await appendViaOrm(t.orm, [opEvent(operationSnapshot(a.id)), instEvent(instanceSnapshot(b.id)), distEvent(distributionSnapshot(a.id)), opEvent(operationSnapshot(b.id))]);
    await headSequence(t); // positioned (just after commit) and visible to readers
    const after = head.toString();
    const ofA = await page(a.token, { after });
    assert.deepEqual(ofA.edges.map((e) => [e.node.tenantId, e.node.topic]), [
      [a.id, 'operation.updated'],
      [a.id, 'distribution.updated'],
    ]);
    const ofGuest = await page(a.guest, { after });
    assert.deepEqual(ofGuest.edges.map((e) => e.node.sequence), ofA.edges.map((e) => e.node.sequence));
    const ofB = await page(b.token, { after });
    assert.deepEqual(ofB.edges.map((e) => e.node.topic), ['instance.updated', 'operation.updated']);
    const all = await page(t.tokens.admin, { after, first: 300 });
    const mine = all.edges.filter((e) => e.node.tenantId === a.id || e.node.tenantId === b.id);
    assert.equal(mine.length, 4);
  });

  it('filters by topic', async () => {
    const a = await freshTenant();
    await appendViaOrm(t.orm, [opEvent(operationSnapshot(a.id)), instEvent(instanceSnapshot(a.id)), instEvent(instanceSnapshot(a.id), true), distEvent(distributionSnapshot(a.id))]);
    await headSequence(t); // positioned (just after commit) and visible to readers
    const instances = await page(a.token, { topics: ['instance.updated', 'instance.deleted'] });
    assert.deepEqual(instances.edges.map((e) => e.node.topic), ['instance.updated', 'instance.deleted']);
  });

  it('refuses bad cursors, page sizes and topics, and prices pages in the cost limit', async () => {
    const a = await freshTenant();
    const cases: [Record<string, unknown>, string][] = [
      [{ after: 'abc' }, 'after'],
      [{ after: '-5' }, 'after'],
      [{ first: -1 }, 'first'],
      [{ topics: ['operation.updated', 'nope'] }, 'topics'],
      [{ topics: [] }, 'topics'],
    ];
    for (const [vars, field] of cases) {
      const r = await t.gql(Changes, vars, a.token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(vars));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    }
    // Over the page size cap (500), with a selection cheap enough to pass the cost limit.
    const over = await t.gql('{ changes(first: 501) { pageInfo { hasNextPage } } }', undefined, a.token);
    assert.equal(over.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(over.errors?.[0]?.extensions?.field, 'first');
    const big = await t.gql('{ changes(first: 2000) { edges { cursor node { sequence topic subjectId tenantId payload createdAt } } } }', undefined, a.token);
    assert.equal(big.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    const unauthenticated = await t.gql(Changes, {}, null);
    assert.equal(unauthenticated.status, 401);
  });

  it('a poller following the cursor while many transactions commit sees every committed entry exactly once', async () => {
    const a = await freshTenant();
    const head = await headSequence(t);
    let done = false;
    const writers = Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let r = 0; r < 6; r++) {
          const events = Array.from({ length: 2 }, () => opEvent(operationSnapshot(a.id)));
          if ((w + r) % 2) await appendViaOrm(t.orm, events);
          else await appendViaSql(t.db.url, events);
        }
      }),
    )
      // Every write committed and positioned: one more page after this sees the end.
      .then(() => headSequence(t))
      .finally(() => (done = true));
    const seen: bigint[] = [];
    let cursor = head.toString();
    for (;;) {
      const finished = done;
      const p = await page(a.token, { after: cursor, first: 7 });
      seen.push(...p.edges.map((e) => BigInt(e.node.sequence)));
      cursor = p.pageInfo.endCursor ?? cursor;
      if (finished && !p.pageInfo.hasNextPage) break;
    }
    await writers;
    const committed = await committedPositions(t, head, 'tenant_id = $2', [a.id]);
    assert.equal(committed.length, 16 * 6 * 2);
    assert.deepEqual(seen, committed);
  });
});
