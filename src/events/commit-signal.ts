import type { EventSubscriber, FlushEventArgs, MikroORM, TransactionEventArgs } from '@mikro-orm/core';
import { ChangeSetType } from '@mikro-orm/core';
import { Event } from '../db/entities/index.js';

type Listener = () => void;

/** knex marks a nested transaction (a savepoint) with the transaction it is nested in. */
const rootOf = (trx: object): object => {
  let t = trx as { parentTransaction?: object };
  while (t.parentTransaction) t = t.parentTransaction;
  return t;
};

/**
 * Tells the event tailer, in process, that events were committed, so a subscriber on this replica hears of its own
 * replica's changes at once instead of at the next NOTIFY round trip or poll.
 *
 * It is an ORM subscriber, so every flush that inserts an `Event` is seen, whatever code path appended it. A flush
 * outside a transaction commits before `afterFlush`, so it signals there; a flush inside `em.transactional` only
 * marks its (root) transaction, which signals in `afterTransactionCommit` — never before the rows are visible to the
 * tailer's read (a read before the commit would find nothing and the event would wait for the safety poll).
 * Code that inserts events with raw SQL (event-log.ts `insertEventsStatement`) calls `committed()` after its commit.
 */
export class EventCommitSignal implements EventSubscriber {
  private readonly listeners = new Set<Listener>();
  /** Root transactions with an event flushed and not committed yet; weak, so a transaction never seen again is not kept. */
  private readonly pending = new WeakSet<object>();

  /** Calls `fn` after every commit that inserted events; returns the unsubscribe function. */
  onCommit(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  afterFlush({ em, uow }: FlushEventArgs): void {
    const inserted = uow.getChangeSets().some((cs) => cs.type === ChangeSetType.CREATE && cs.entity instanceof Event);
    if (!inserted) return;
    const trx: object | undefined = em.getTransactionContext();
    if (trx) this.pending.add(rootOf(trx));
    else this.emit();
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    if (transaction && this.pending.delete(transaction as object)) this.emit();
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.pending.delete(transaction as object);
  }

  /** Announces a commit that inserted events without the ORM. */
  committed(): void {
    this.emit();
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}

/** The ORM's commit signal; registered on first use when the ORM was configured without one. */
export function commitSignalOf(orm: MikroORM): EventCommitSignal {
  const events = orm.em.getEventManager();
  for (const s of events.getSubscribers()) if (s instanceof EventCommitSignal) return s;
  const signal = new EventCommitSignal();
  events.registerSubscriber(signal);
  return signal;
}
