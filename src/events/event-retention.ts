import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlPool, sqlRows } from '../db/sql-tx.js';
import type { Logger } from '../observability/logger.js';

const BATCH = 10_000;

/**
 * Removes events older than the retention, oldest position first, so what is kept is always a suffix of the log
 * (positions are contiguous from 1: the first kept position minus one is the last removed, see
 * EventReader.requireKept). The newest positioned event is never removed: the sequencer continues from it.
 * Every replica sweeps; the deletes are the same whoever runs them.
 */
export class EventRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** Events this replica removed since start (metrics). */
  removed = 0;

  constructor(
    private readonly o: { orm: MikroORM; retentionS: number; sweepMs: number; log: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((e: unknown) => {
          this.o.log.warn({ err: (e as Error).message }, 'removing old events failed; trying again at the next sweep');
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, this.o.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Removes what is past retention; answers how many events. */
  async sweep(): Promise<number> {
    const db = sqlPool(this.o.orm);
    // The last position to remove: the newest event past retention, but never the newest event of all.
    const [bound] = await sqlRows<{ upto: string | null }>(
      db,
      `select least(
         (select max(position) from event where position is not null and created_at < now() - make_interval(secs => ?)),
         (select max(position) from event where position is not null) - 1)::text as upto`,
      [this.o.retentionS],
    );
    if (!bound?.upto) return 0;
    let removed = 0;
    for (;;) {
      const rows = await sqlRows<{ n: number }>(
        db,
        `with gone as (delete from event where seq in (select seq from event where position is not null and position <= ? order by position limit ${BATCH}) returning 1)
         select count(*)::int as n from gone`,
        [bound.upto],
      );
      removed += rows[0]!.n;
      if (rows[0]!.n < BATCH) break;
    }
    this.removed += removed;
    if (removed > 0) this.o.log.info({ removed, upToPosition: bound.upto }, 'removed events past retention');
    return removed;
  }
}
