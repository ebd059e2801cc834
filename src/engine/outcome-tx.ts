import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { sqlRows } from '../db/sql-tx.js';
import { appendEvent, insertEvents, type EventInput } from '../events/event-log.js';

/**
 * The transaction an operation's outcome is recorded in, as handlers see it: raw statements, and events that
 * commit with them. The worker records outcomes without the ORM (its unit of work is the engine's main CPU cost);
 * a person's decision (failOperation) runs the same handler code inside the ORM transaction of the service.
 */
export interface OutcomeTx {
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  event(e: EventInput): void;
}

/** An outcome on a raw transaction: events are buffered and inserted by `flush` in one statement before commit. */
export class SqlOutcome implements OutcomeTx {
  private readonly events: EventInput[] = [];

  constructor(private readonly trx: Knex.Transaction) {}

  rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return sqlRows<T>(this.trx, sql, params);
  }

  event(e: EventInput): void {
    this.events.push(e);
  }

  /** Inserts the buffered events; true when there were any (the caller signals the commit). */
  async flush(): Promise<boolean> {
    await insertEvents(this.trx, this.events);
    return this.events.splice(0).length > 0;
  }
}

/** An outcome inside an ORM transaction: statements on its connection, events flushed with its unit of work. */
export function emOutcome(em: EntityManager): OutcomeTx {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('emOutcome needs an entity manager inside a transaction');
  return {
    rows: <T>(sql: string, params: readonly unknown[] = []) => sqlRows<T>(trx, sql, params),
    event: (e) => void appendEvent(em, e),
  };
}
