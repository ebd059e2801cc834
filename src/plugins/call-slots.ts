/**
 * At most `limit` calls at a time; the others wait in arrival order, a freed slot handed straight to the next (so a
 * newcomer cannot overtake it). Waiting honours the caller's abort signal. Used for the controller's lifecycle calls
 * per plugin (hardening P11) and, in the Kubernetes plugin, for helm processes and API requests per cluster.
 */
export class CallSlots {
  private active = 0;
  private readonly waiting: { grant: () => void; refuse: (e: unknown) => void }[] = [];

  constructor(readonly limit: number) {}

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with the release function once a slot is free. `onQueued` hears when the call has to wait (true) and
   * when it got its slot after waiting (false).
   */
  acquire(signal?: AbortSignal, onQueued?: (queued: boolean) => void): Promise<() => void> {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.active--;
    };
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(once(release));
    }
    return new Promise<() => void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          onQueued?.(false);
          resolve(once(release));
        },
        refuse: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      onQueued?.(true);
    });
  }
}

/** Runs `fn` in a slot. */
export async function inSlot<T>(slots: CallSlots, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const release = await slots.acquire(signal);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** A release that frees its slot once, however often it is called. */
function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}
