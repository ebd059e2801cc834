import type { WorkloadEventRecord } from './kit-types.js';

/** What watchers of one instance hear: its status changed, a workload event happened, or it was removed. */
export type InstanceChange = { kind: 'status' } | { kind: 'event'; event: WorkloadEventRecord } | { kind: 'gone' };

type Listener = (change: InstanceChange) => void;

/** Fan-out of instance changes to open watchInstance streams, keyed by instanceKey(). */
export class WatchHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Returns the unsubscribe function; the key disappears with its last listener, so nothing accumulates. */
  subscribe(key: string, listener: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(key);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(key);
    };
  }

  publish(key: string, change: InstanceChange): void {
    // A copy: a listener may unsubscribe (on 'gone') while we iterate.
    for (const l of [...(this.listeners.get(key) ?? [])]) l(change);
  }

  /** Open subscriptions, for leak checks. */
  get size(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
