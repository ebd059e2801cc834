/**
 * The free slots of a ring shared with another thread: the writer takes one (waiting in turn while none is free),
 * fills it and hands it over; the reader's side gives it back when done with it. Closing wakes every waiter with the
 * reason, so a writer never waits for a thread that is gone or a job that was cancelled.
 */
export class RingSlots {
  private readonly free: number[];
  private readonly waiting: Array<() => void> = [];
  private closedWith: { reason: Error } | undefined;

  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, i) => i);
  }

  /** A free slot; rejects with the close reason once closed. */
  async take(): Promise<number> {
    while (this.free.length === 0 && !this.closedWith) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.closedWith) throw this.closedWith.reason;
    return this.free.shift()!;
  }

  give(slot: number): void {
    this.free.push(slot);
    this.waiting.shift()?.();
  }

  close(reason: Error): void {
    this.closedWith ??= { reason };
    for (const w of this.waiting.splice(0)) w();
  }
}
