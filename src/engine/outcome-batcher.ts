import type { MikroORM } from '@mikro-orm/postgresql';
import { recordOutcome, recordOutcomes, type Outcome, type OutcomeStatement } from './outcome-tx.js';

interface Pending extends Outcome {
  resolve: (rows: unknown[] | null) => void;
  reject: (e: unknown) => void;
}

/** Outcomes recorded together at most. */
const MAX_BATCH = 64;

/**
 * Group commit of the worker's outcomes. While one transaction is on its way, the outcomes that arrive meanwhile
 * wait and then go together in the next one: under load a commit carries many operations' outcomes in the same two
 * round trips, while an outcome arriving alone is recorded at once. When any outcome of a batch cannot be kept (its
 * guard matched nothing: the lease is no longer ours; an effect refused it; a statement failed), the batch is rolled
 * back and each of its outcomes is recorded on its own, so one outcome never decides another's.
 */
export class OutcomeBatcher {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly orm: MikroORM,
    /** Called after a commit that inserted events. */
    private readonly committed: () => void,
  ) {}

  /** The guard's rows once the outcome is committed, or null when its guard matched nothing (nothing was kept). */
  record<G>(guard: OutcomeStatement<G>, effects: readonly OutcomeStatement<unknown>[] = []): Promise<G[] | null> {
    return new Promise<G[] | null>((resolve, reject) => {
      this.queue.push({ guard: guard, effects, resolve: resolve as (rows: unknown[] | null) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        if (batch.length === 1) await this.alone(batch[0]!);
        else await this.together(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async alone(p: Pending): Promise<void> {
    try {
      const r = await recordOutcome(this.orm, p.guard, p.effects);
      if (r?.announced) this.committed();
      p.resolve(r?.rows ?? null);
    } catch (e) {
      p.reject(e);
    }
  }

  private async together(batch: Pending[]): Promise<void> {
    let kept: Awaited<ReturnType<typeof recordOutcomes>>;
    try {
      kept = await recordOutcomes(this.orm, batch);
    } catch {
      kept = null;
    }
    if (kept === null) {
      // Something in the batch cannot be kept: each outcome on its own, with its own answer or error.
      for (const p of batch) await this.alone(p);
      return;
    }
    if (kept.announced) this.committed();
    const guards = kept.guards;
    batch.forEach((p, i) => p.resolve(guards[i]!));
  }
}
