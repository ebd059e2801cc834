import {
  Metadata,
  status,
  type CallOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';

// Promise forms of the generated grpc-js client calls, each with an explicit deadline: a plugin that hangs
// must fail its check, not the whole run.

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

export const deadlineIn = (ms: number): Date => new Date(Date.now() + ms);

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `start` calls the client method with the metadata, options and callback it is given. */
export function unary<Res>(deadline: Date | number, start: (md: Metadata, opts: Partial<CallOptions>, cb: Callback<Res>) => ClientUnaryCall): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    start(new Metadata(), { deadline: typeof deadline === 'number' ? deadlineIn(deadline) : deadline }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * A client-streaming call: writes `messages` one at a time, each after the previous was handed to HTTP/2 (flow
 * control, and what makes `cancelAfter` mean "that many were sent"), stops writing as soon as the call has an
 * answer, then half-closes. With `cancelAfter` it cancels once that many messages were sent (all of them: cancels
 * instead of half-closing).
 */
export async function upload<Msg, Res>(
  deadlineMs: number,
  start: (md: Metadata, opts: Partial<CallOptions>, cb: Callback<Res>) => ClientWritableStream<Msg>,
  messages: Iterable<Msg>,
  opts: { cancelAfter?: number } = {},
): Promise<Res> {
  const result = deferred<Res>();
  let settled = false;
  const call = start(new Metadata(), { deadline: deadlineIn(deadlineMs) }, (err, res) => {
    settled = true;
    if (err) result.reject(err);
    else result.resolve(res);
  });
  const answered = result.promise.then(
    () => undefined,
    () => undefined,
  );
  let n = 0;
  for (const m of messages) {
    if (settled || n === opts.cancelAfter) break;
    n += 1;
    await Promise.race([new Promise<void>((resolve) => call.write(m, () => resolve())), answered]);
  }
  if (!settled) {
    if (n === opts.cancelAfter) call.cancel();
    else call.end();
  }
  return result.promise;
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number';
}

export const codeName = (code: number): string => status[code] ?? String(code);

function describeError(e: unknown): string {
  if (isServiceError(e)) return `${codeName(e.code)} (${e.details})`;
  return e instanceof Error ? e.message : String(e);
}

/** Passes when `call` fails with `code`; otherwise throws naming what happened instead. */
export async function expectCode(call: Promise<unknown>, code: status, what: string): Promise<void> {
  try {
    await call;
  } catch (e) {
    if (isServiceError(e) && e.code === code) return;
    throw new Error(`${what}: expected ${codeName(code)}, got ${describeError(e)}`);
  }
  throw new Error(`${what}: expected ${codeName(code)}, but the call succeeded`);
}

/** Runs a call that must succeed, naming it in the error when it does not. */
export async function expectOk<T>(call: Promise<T>, what: string): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw new Error(`${what}: ${describeError(e)}`);
  }
}

/** Reads a server stream message by message with timeouts, and reports how it ended. */
export class StreamReader<T> {
  private readonly queue: T[] = [];
  private readonly waiting: (() => void)[] = [];
  private ended?: StatusObject;

  constructor(readonly stream: ClientReadableStream<T>) {
    stream.on('data', (m: T) => {
      this.queue.push(m);
      this.wake();
    });
    stream.on('status', (s: StatusObject) => {
      this.ended = s;
      this.wake();
    });
    // The status event carries the outcome; without a listener an error status would be thrown.
    stream.on('error', () => undefined);
  }

  /** The next message; rejects when the stream ends first or nothing comes within `timeoutMs`. */
  async next(timeoutMs: number, what: string): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) return m;
      if (this.ended) throw new Error(`${what}: the stream ended (${codeName(this.ended.code)} ${this.ended.details}) before a message came`);
      if (!(await this.wait(until - Date.now()))) throw new Error(`${what}: no message within ${timeoutMs} ms`);
    }
  }

  /** The final status; rejects when the stream is still open after `timeoutMs`. */
  async status(timeoutMs: number, what: string): Promise<StatusObject> {
    const until = Date.now() + timeoutMs;
    while (!this.ended) {
      if (!(await this.wait(until - Date.now()))) throw new Error(`${what}: the stream did not end within ${timeoutMs} ms`);
    }
    return this.ended;
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  private wait(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiting.push(done);
    });
  }
}
