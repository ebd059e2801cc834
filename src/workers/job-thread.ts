import { Worker } from 'node:worker_threads';

/** What a job hears from its thread. */
export interface JobHandlers<Out> {
  message(m: Out): void;
  /** The thread is gone (it failed, exited or was closed): the job cannot finish. */
  stopped(why: string): void;
}

/** One job's end of the thread: messages it sends carry its id; `end` when it is over (idempotent). */
export interface JobPort<In> {
  id: number;
  send(m: In): void;
  end(): void;
}

/**
 * A worker thread that serves many jobs at once (downloads, uploads), started on first use. Messages both ways carry
 * the job's id. It keeps the process alive only while a job is open, as the job's socket would. When it dies every
 * open job hears why, and the next job starts a new thread.
 */
export class JobThread<In, Out extends { id: number }> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly jobs = new Map<number, JobHandlers<Out>>();

  constructor(private readonly script: URL) {}

  open(handlers: JobHandlers<Out>): JobPort<In> {
    const worker = this.thread();
    const id = this.nextId++;
    this.jobs.set(id, handlers);
    worker.ref();
    return {
      id,
      // A job of a thread that has since died sends into nothing: it has heard `stopped` already.
      send: (m) => void (this.worker === worker && worker.postMessage(m)),
      end: () => {
        if (!this.jobs.delete(id)) return;
        if (this.jobs.size === 0) this.worker?.unref();
      },
    };
  }

  /** Stops the thread; open jobs hear `stopped`. */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.stopped(w, 'closed');
    await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (m: Out) => this.jobs.get(m.id)?.message(m));
    worker.on('error', (e) => this.stopped(worker, e.message));
    worker.on('exit', (code) => this.stopped(worker, `exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const job of this.jobs.values()) job.stopped(why);
  }
}
