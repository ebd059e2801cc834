import type { EventEmitter } from 'node:events';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { dropCall } from './drop-call.js';
import { faultError } from './fault-book.js';
import { RpcError } from './rpc-error.js';
import type { InjectedFault } from './kit-types.js';

/** What a server stream needs from the runner that owns it. */
export interface StreamOwner {
  untrack(s: ServerStream<unknown>): void;
  /** Keeps a stalled call unanswered until the client gives up or the plugin stops, then calls `release`. */
  hold(call: EventEmitter, release: () => void): void;
}

/**
 * The sending side of a server-streaming call. The producer (a watch, a download) sends through it and registers
 * its cleanup with onClose(); the stream closes exactly once, whichever comes first: the producer ends or fails,
 * the client cancels (or its deadline passes), an injected fault strikes, or the plugin stops.
 */
export class ServerStream<T> {
  private sent = 0;
  private closed = false;
  private readonly cleanups: (() => void)[] = [];
  private readonly pending = new Set<(v: boolean) => void>();

  constructor(
    private readonly call: ServerWritableStream<unknown, T>,
    private readonly fault: InjectedFault | undefined,
    private readonly owner: StreamOwner,
  ) {
    call.once('cancelled', () => this.close());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Runs `fn` when the stream closes (at once if it already has). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  /**
   * Sends one message; resolves once it is handed to HTTP/2 (true) or when the stream closed first (false).
   * Awaiting it is the flow control of a download.
   */
  send(msg: T): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.sent += 1;
    const strikes = this.fault !== undefined && this.sent >= (this.fault.afterMessages ?? 0);
    // The producer stops at once; the fault acts only after this message is out, so the client sees it.
    if (strikes) this.close();
    return new Promise<boolean>((resolve) => {
      this.pending.add(resolve);
      this.call.write(msg, () => {
        this.pending.delete(resolve);
        if (strikes) this.strike();
        resolve(!strikes);
      });
    });
  }

  /** Ends with status OK. */
  end(): void {
    if (this.closed) return;
    this.close();
    this.call.end();
  }

  fail(err: RpcError): void {
    if (this.closed) return;
    this.close();
    // grpc-js turns an 'error' on a server stream into the call's status.
    this.call.emit('error', err);
  }

  /** The injected fault acts now (before any message when afterMessages is 0). */
  strike(): void {
    this.close();
    const f = this.fault;
    if (!f) return;
    if (f.kind === 'fail') this.call.emit('error', faultError(f));
    else if (f.kind === 'drop') dropCall(this.call, () => this.call.emit('error', new RpcError(status.UNAVAILABLE, 'simulated drop')));
    else this.owner.hold(this.call, () => this.call.emit('error', new RpcError(status.UNAVAILABLE, 'plugin stopped')));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.untrack(this);
    for (const r of this.pending) r(false);
    this.pending.clear();
    for (const fn of this.cleanups.splice(0)) fn();
  }
}
