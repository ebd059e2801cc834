// The event log keeps APPLCM_EVENT_RETENTION_S; older events are removed oldest first, the newest always kept. A reader
// whose cursor lies before what is kept is told so (CURSOR_EXPIRED, with where the log starts) instead of silently
// missing events: the change feed with `after`, and subscriptions with `afterSequence`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OperationSequences } from '../operations/subscriptions.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { appendViaSql, collect, committedPositions, eventually, headSequence, operationSnapshot } from './subscriptions-support.js';

const RETENTION_S = 1;

let t: TestServer;
before(async () => {
  // Sweeps are run by the test (the periodic one would race with its steps).
  t = await startTestServer('eventretention', { APPLCM_EVENT_RETENTION_S: String(RETENTION_S), APPLCM_EVENT_RETENTION_SWEEP_MS: String(24 * 3_600_000) });
});
after(() => t?.close());

const opEvent = () => {
  const s = operationSnapshot(t.tenants.A);
  return { topic: 'operation.updated' as const, tenantId: t.tenants.A, subjectId: s.id, payload: { ...s } };
};

const changes = (after?: string) =>
  t.gql<{ changes: { edges: { cursor: string }[] } }, { after?: string }>('query($after: String) { changes(after: $after, first: 100) { edges { cursor } } }', after === undefined ? {} : { after }, t.tokens.tenantA);

describe('event retention', () => {
  it('removes events past retention oldest first, keeps the newest, and refuses cursors before what is kept', async () => {
    const start = await headSequence(t);
    await appendViaSql(t.db.url, Array.from({ length: 5 }, opEvent));
    const old = await committedPositions(t, start);
    assert.equal(old.length, 5);
    await new Promise((r) => setTimeout(r, RETENTION_S * 1000 + 200));
    await appendViaSql(t.db.url, Array.from({ length: 2 }, opEvent));
    const fresh = (await committedPositions(t, start)).slice(5);
    assert.equal(fresh.length, 2);

    const removed = await t.server.events.retention.sweep();
    assert.ok(removed >= 5, `removed ${removed}`);
    assert.deepEqual(await committedPositions(t, 0n), fresh, 'what is kept is exactly the events within retention');

    // A cursor before what is kept: its following events are gone, and the reader is told where the log starts.
    const expired = await changes(old[2]!.toString());
    assert.equal(expired.errors?.[0]?.extensions?.code, 'CURSOR_EXPIRED', JSON.stringify(expired.errors));
    assert.equal(expired.errors?.[0]?.extensions?.oldestSequence, fresh[0]!.toString());
    // The last removed position is still a valid cursor: nothing after it is missing.
    const resumed = await changes((fresh[0]! - 1n).toString());
    assert.equal(resumed.errors, undefined, JSON.stringify(resumed.errors));
    assert.deepEqual(resumed.data!.changes.edges.map((e) => BigInt(e.cursor)), fresh);
    // Without a cursor the feed starts at what is kept.
    const all = await changes();
    assert.deepEqual(all.data!.changes.edges.map((e) => BigInt(e.cursor)), fresh);

    // A subscription resuming from an expired sequence ends with the same error instead of a silent gap.
    const c = collect(t.ws(t.tokens.tenantA), OperationSequences, { after: old[0]!.toString() });
    await eventually(() => c.errors.length > 0, 5000, 'the subscription error');
    assert.equal(c.errors[0]![0]!.extensions?.code, 'CURSOR_EXPIRED', JSON.stringify(c.errors));
    c.unsubscribe();
  });

  it('never removes the newest event, so positions continue after it', async () => {
    await new Promise((r) => setTimeout(r, RETENTION_S * 1000 + 200));
    await t.server.events.retention.sweep();
    const kept = await committedPositions(t, 0n);
    assert.equal(kept.length, 1, 'everything is past retention but the newest stays');
    const start = await headSequence(t);
    await appendViaSql(t.db.url, [opEvent()]);
    const next = await committedPositions(t, start);
    assert.deepEqual(next, [kept[0]! + 1n]);
  });
});
