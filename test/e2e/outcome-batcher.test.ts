// The worker's group commit (src/engine/outcome-batcher.ts) on the machine's PostgreSQL: outcomes that arrive while
// a transaction is on its way go together in the next one, and one outcome that cannot be kept never decides
// another's: the batch is rolled back and each is recorded on its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MikroORM } from '@mikro-orm/postgresql';
import { migrate, openOrm } from '../../src/db/orm.js';
import { OutcomeBatcher } from '../../src/engine/outcome-batcher.js';
import type { OutcomeStatement } from '../../src/engine/outcome-tx.js';
import { createTestDatabase, sql, type TestDatabase } from '../helpers/test-db.js';

let db: TestDatabase;
let orm: MikroORM;
before(async () => {
  db = await createTestDatabase('batcher');
  orm = await openOrm({ url: db.url, poolMax: 4, statementTimeoutMs: 5000 });
  await migrate(orm, { lock: true });
});
after(async () => {
  await orm?.close();
  await db?.drop();
});

/** A row to change: an operation leased by `owner`. */
async function leasedOperation(owner: string): Promise<string> {
  const id = randomUUID();
  await sql(db.url, `insert into lcm_operation (id, tenant_id, type, state, lease_owner) values ($1, 't', 'OPERATE', 'PROCESSING', $2)`, [id, owner]);
  return id;
}

/** Completes the operation if `owner` holds it, announcing one event. */
const complete = (id: string, owner: string): OutcomeStatement<{ id: string }> => ({
  sql: `update lcm_operation set state = 'COMPLETED', lease_owner = null where id = ? and lease_owner = ? returning id`,
  params: [id, owner],
  announce: (rows) => rows.map((r) => ({ topic: 'operation.updated' as const, tenantId: 't', subjectId: r.id, payload: { id: r.id, state: 'COMPLETED' } })),
});

const stateOf = async (id: string) => (await sql<{ state: string }>(db.url, 'select state from lcm_operation where id = $1', [id]))[0]?.state;
const eventsFor = async (id: string) => Number((await sql<{ n: string }>(db.url, 'select count(*) as n from event where subject_id = $1', [id]))[0]!.n);

describe('group commit of outcomes', () => {
  it('records outcomes that arrive together in fewer transactions than outcomes, each with its events', async () => {
    let commits = 0;
    const batcher = new OutcomeBatcher(orm, () => commits++);
    const ids = await Promise.all(Array.from({ length: 20 }, () => leasedOperation('w1')));
    const begins: string[] = [];
    const knex = orm.em.getConnection().getKnex();
    const listener = (q: { sql: string }) => {
      if (/^begin/i.test(q.sql)) begins.push(q.sql);
    };
    knex.on('query', listener);
    try {
      const results = await Promise.all(ids.map((id) => batcher.record(complete(id, 'w1'))));
      assert.deepEqual(
        results.map((r) => r?.[0]?.id),
        ids,
      );
    } finally {
      knex.off('query', listener);
    }
    for (const id of ids) {
      assert.equal(await stateOf(id), 'COMPLETED');
      assert.equal(await eventsFor(id), 1);
    }
    assert.ok(begins.length < ids.length, `${begins.length} transactions for ${ids.length} outcomes`);
    assert.equal(commits, begins.length, 'this replica hears of every commit that inserted events');
  });

  it('keeps the others when one outcome lost its lease and another is refused by its effect', async () => {
    const batcher = new OutcomeBatcher(orm, () => undefined);
    const [kept, lost, refused] = await Promise.all([leasedOperation('w2'), leasedOperation('someone-else'), leasedOperation('w2')]);
    const refusal: OutcomeStatement<unknown> = {
      sql: 'select 1 as one',
      announce: () => {
        throw new Error('the instance no longer exists');
      },
    };
    // The first outcome goes at once; the three behind it wait and go together in one batch.
    const first = batcher.record(complete(await leasedOperation('w2'), 'w2'));
    const [a, b, c] = await Promise.allSettled([batcher.record(complete(kept, 'w2')), batcher.record(complete(lost, 'w2')), batcher.record(complete(refused, 'w2'), [refusal])]);
    assert.equal((await first)?.length, 1);
    assert.equal(a.status, 'fulfilled');
    assert.deepEqual((a as PromiseFulfilledResult<{ id: string }[] | null>).value?.map((r) => r.id), [kept]);
    assert.deepEqual(b, { status: 'fulfilled', value: null }, 'a lost lease keeps nothing and says so');
    assert.equal(c.status, 'rejected');
    assert.match(String((c).reason), /no longer exists/);

    assert.equal(await stateOf(kept), 'COMPLETED');
    assert.equal(await stateOf(lost), 'PROCESSING');
    assert.equal(await stateOf(refused), 'PROCESSING', 'a refused outcome is rolled back whole');
    assert.deepEqual([await eventsFor(kept), await eventsFor(lost), await eventsFor(refused)], [1, 0, 0]);
  });

  it('a failing statement fails its own outcome only', async () => {
    const batcher = new OutcomeBatcher(orm, () => undefined);
    const [good, bad] = await Promise.all([leasedOperation('w3'), leasedOperation('w3')]);
    const broken: OutcomeStatement<unknown> = { sql: 'update no_such_table set x = 1' };
    const first = batcher.record(complete(await leasedOperation('w3'), 'w3'));
    const [a, b] = await Promise.allSettled([batcher.record(complete(good, 'w3')), batcher.record(complete(bad, 'w3'), [broken])]);
    assert.equal((await first)?.length, 1);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.equal(await stateOf(good), 'COMPLETED');
    assert.equal(await stateOf(bad), 'PROCESSING');
  });
});
