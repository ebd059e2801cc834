import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { print } from 'graphql';
import WebSocket from 'ws';
import { OperationSequences, OperationUpdated } from '../operations/subscriptions.js';
import { memoryGrowth } from '../helpers/memory-growth.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { appendViaOrm, collect, committedPositions, eventually, headSequence, opEvent, operationSnapshot } from './subscriptions-support.js';

const QUEUE = 100;
let t: TestServer;
before(async () => {
  t = await startTestServer('subsslow', { APPLCM_SUBSCRIPTION_QUEUE: String(QUEUE), APPLCM_SUBSCRIPTION_STALL_MS: '1000' });
});
after(async () => {
  await t?.close();
});

interface Frame {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A graphql-transport-ws client by hand, so the test decides when (and whether) it reads. */
async function rawClient(token: string) {
  const ws = new WebSocket(t.wsUrl, 'graphql-transport-ws');
  await once(ws, 'open');
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (m: Buffer) => {
    frames.push(JSON.parse(m.toString()) as Frame);
    for (const w of [...waiters]) w();
  });
  const until = (cond: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (cond()) return resolve();
      const check = () => {
        if (!cond()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out with ${frames.length} frames`));
      }, ms);
      waiters.add(check);
    });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await until(() => frames.some((f) => f.type === 'connection_ack'), 5000);
  const socket = (ws as unknown as { _socket: Socket })._socket;
  return {
    ws,
    frames,
    until,
    subscribe(id: string, query: string, variables: Record<string, unknown> = {}) {
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    /** Stops reading from the socket: the server's writes back up, as with a stalled client. */
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}

/** Appends `n` operation events (8 KiB each unless `small`) for `tenantId`, 2000 per statement. */
async function flood(tenantId: string, n: number, small = false): Promise<void> {
  for (let done = 0; done < n; done += 2000) {
    await sql(
      t.db.url,
      `insert into event (tenant_id, topic, subject_id, payload)
       select $1, 'operation.updated', id::text, jsonb_build_object('id', id, 'tenantId', $1::text, 'type', 'INSTANTIATE', 'state', 'PROCESSING',
         'params', jsonb_build_object('pad', repeat(md5(id::text), $3::int)), 'createdAt', now(), 'updatedAt', now(), 'attempts', 0, 'cancelRequested', false, 'rowVersion', 1)
       from (select gen_random_uuid() as id from generate_series(1, $2::int)) g`,
      [tenantId, Math.min(2000, n - done), small ? 1 : 256],
    );
  }
}

describe('slow consumers', () => {
  it('a subscriber that keeps reading takes a burst far larger than its queue, in order and without error', async () => {
    const head = await headSequence(t);
    const c = collect(t.ws(t.tokens.tenantB), OperationSequences, {});
    await eventually(() => t.server.events.subscriptions.size === 1, 5000, 'subscribed');
    const fallbacks = t.server.events.subscriptions.fallbacks;
    await flood(t.tenants.B, 6000, true);
    await c.waitFor(6000, 30_000);
    assert.equal(c.errors.length, 0);
    const expected = await committedPositions(t, head, 'tenant_id = $2', [t.tenants.B]);
    assert.deepEqual(c.items.map((i) => BigInt(i.operationUpdated.sequence)), expected);
    assert.ok(t.server.events.subscriptions.fallbacks > fallbacks, 'the burst outran the queue, and the subscriber read the log instead');
    c.unsubscribe();
    await eventually(() => t.server.events.subscriptions.size === 0, 5000, 'released');
  });

  it('a subscriber that stops reading is cut off with SLOW_CONSUMER and its resume point; server memory stays bounded; others are unaffected', async () => {
    const client = await rawClient(t.tokens.tenantA);
    client.subscribe('slow', 'subscription { operationUpdated { sequence operation { id params } } }');
    // A fast subscriber on the same server, interested only in the marker that follows the flood.
    const marker = operationSnapshot(t.tenants.A, { type: 'TERMINATE' });
    const fast = collect(t.ws(t.tokens.tenantA), OperationUpdated, { filter: { type: 'TERMINATE' } });
    await eventually(() => t.server.events.subscriptions.size === 2, 5000, 'both subscribed');
    client.pause();

    // It falls behind, reads the log by cursor (holding nothing), takes nothing for the stall time, and is cut off.
    // 24 000 events of 8 KiB (about 190 MiB of payload) against a queue of 100: unbounded buffering would show.
    const growth = await memoryGrowth(async () => {
      await flood(t.tenants.A, 24_000);
      await t.server.events.bus.sync();
      await eventually(() => t.server.events.subscriptions.size === 1, 10_000, 'slow subscriber cut off');
    });
    assert.ok(growth.rss < 150 * 1024 * 1024, `server RSS grew ${Math.round(growth.rss / 1048576)} MiB`);
    assert.equal(t.server.events.bus.taps, 1, 'the slow subscriber no longer holds a tap');

    await appendViaOrm(t.orm, [{ ...opEvent(marker) }]);
    await fast.waitFor(1);
    assert.equal(fast.items[0]!.operationUpdated.operation.id, marker.id);

    // Reading again, the client gets what was sent before the cut, then the error with where to resume.
    client.resume();
    await client.until(() => client.frames.some((f) => f.id === 'slow' && f.type === 'error'), 20_000);
    const nexts = client.frames.filter((f) => f.id === 'slow' && f.type === 'next') as { payload: { data: { operationUpdated: { sequence: string } } } }[];
    const error = client.frames.find((f) => f.id === 'slow' && f.type === 'error') as { payload: { message: string; extensions: { code: string; lastSequence: string } }[] };
    assert.equal(error.payload[0]!.extensions.code, 'SLOW_CONSUMER');
    assert.match(error.payload[0]!.message, /afterSequence/);
    assert.ok(nexts.length > 0 && nexts.length < 24_000, `${nexts.length} events before the cut`);
    const lastSent = nexts.at(-1)!.payload.data.operationUpdated.sequence;
    assert.equal(error.payload[0]!.extensions.lastSequence, lastSent);

    // Resuming after it continues with the very next event.
    const next = (await committedPositions(t, BigInt(lastSent), "tenant_id = $2 and topic = 'operation.updated'", [t.tenants.A])).slice(0, 3);
    client.subscribe('resumed', print(OperationSequences), { after: lastSent });
    await client.until(() => client.frames.filter((f) => f.id === 'resumed' && f.type === 'next').length >= 3, 10_000);
    const resumed = client.frames.filter((f) => f.id === 'resumed' && f.type === 'next').slice(0, 3) as { payload: { data: { operationUpdated: { sequence: string } } } }[];
    assert.deepEqual(resumed.map((f) => BigInt(f.payload.data.operationUpdated.sequence)), next);
    client.ws.close();
    fast.unsubscribe();
    await eventually(() => t.server.events.subscriptions.size === 0 && t.server.events.bus.taps === 0, 5000, 'all released');
  });
});
