import type { EventEmitter } from 'node:events';
import {
  status,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerErrorResponse,
} from '@grpc/grpc-js';
import { dropCall } from './drop-call.js';
import { faultError, type FaultBook } from './fault-book.js';
import { RpcError, toRpcError } from './rpc-error.js';
import { ServerStream, type StreamOwner } from './server-stream.js';
import type { CallRecord, InjectedFault, PluginRpc } from './kit-types.js';
import type { UploadStream } from './stream-framing.js';

export type CallIds = Omit<CallRecord, 'rpc' | 'at'>;

/** Handed to a client-stream handler: where the stream reports what it learnt and how many bytes came. */
export interface StreamGate {
  /** Fills in the call's log entry once the stream's metadata names tenant, host and id. */
  identify(ids: CallIds): void;
  /** Counts payload bytes; throws FaultStruck when an injected fault strikes (the fault has then answered). */
  payload(bytes: number): void;
}

/** Unwinds a client-stream handler whose call an injected fault has taken over. */
export class FaultStruck extends Error {
  constructor() {
    super('injected fault struck');
  }
}

type Answer = (err: ServerErrorResponse) => void;

const stoppedError = (): RpcError => new RpcError(status.UNAVAILABLE, 'plugin stopped');

/**
 * Wraps every handler: logs the call, applies an injected fault instead of (or part-way through) the handler,
 * turns thrown errors into statuses, and keeps what stop() has to end (open server streams, stalled calls).
 */
export class RpcRunner implements StreamOwner {
  readonly calls: CallRecord[] = [];
  private readonly stalled = new Set<() => void>();
  private readonly streams = new Set<ServerStream<unknown>>();
  private stopped = false;

  constructor(private readonly faults: FaultBook) {}

  unary<Req, Res>(rpc: PluginRpc, ids: (req: Req) => CallIds, body: (req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      this.record(rpc, ids(call.request));
      if (this.stopped) {
        callback(stoppedError());
        return;
      }
      const fault = this.faults.take(rpc);
      if (fault) {
        this.strike(fault, call, (e) => callback(e));
        return;
      }
      body(call.request).then(
        (res) => callback(null, res),
        (e: unknown) => callback(toRpcError(e)),
      );
    };
  }

  clientStream<Req, Res>(rpc: PluginRpc, body: (messages: UploadStream<Req>, gate: StreamGate) => Promise<Res>): handleClientStreamingCall<Req, Res> {
    return (call, callback) => {
      const entry = this.record(rpc, {});
      if (this.stopped) {
        callback(stoppedError());
        return;
      }
      const fault = this.faults.take(rpc);
      const threshold = fault?.afterBytes ?? 0;
      if (fault && threshold === 0) {
        this.strike(fault, call, (e) => callback(e));
        return;
      }
      let bytes = 0;
      const gate: StreamGate = {
        identify: (found) => Object.assign(entry, found),
        payload: (n) => {
          bytes += n;
          if (fault && bytes >= threshold) {
            this.strike(fault, call, (e) => callback(e));
            throw new FaultStruck();
          }
        },
      };
      body(call, gate).then(
        (res) => callback(null, res),
        (e: unknown) => {
          if (!(e instanceof FaultStruck)) callback(toRpcError(e));
        },
      );
    };
  }

  serverStream<Req, Res>(rpc: PluginRpc, ids: (req: Req) => CallIds, body: (req: Req, out: ServerStream<Res>) => Promise<void>): handleServerStreamingCall<Req, Res> {
    return (call) => {
      this.record(rpc, ids(call.request));
      if (this.stopped) {
        call.emit('error', stoppedError());
        return;
      }
      const fault = this.faults.take(rpc);
      const out = new ServerStream<Res>(call, fault, this);
      if (fault && (fault.afterMessages ?? 0) === 0) {
        out.strike();
        return;
      }
      this.streams.add(out);
      body(call.request, out).catch((e: unknown) => out.fail(toRpcError(e)));
    };
  }

  untrack(s: ServerStream<unknown>): void {
    this.streams.delete(s);
  }

  hold(call: EventEmitter, release: () => void): void {
    const r = (): void => {
      this.stalled.delete(r);
      release();
    };
    this.stalled.add(r);
    call.once('cancelled', () => this.stalled.delete(r));
  }

  /** Ends open server streams with OK and answers stalled calls UNAVAILABLE; later calls get UNAVAILABLE. */
  stop(): void {
    this.stopped = true;
    for (const s of [...this.streams]) s.end();
    for (const release of [...this.stalled]) release();
  }

  /** Open server streams and stalled calls, for leak checks. */
  get openCalls(): number {
    return this.streams.size + this.stalled.size;
  }

  private record(rpc: PluginRpc, ids: CallIds): CallRecord {
    const entry: CallRecord = { rpc, ...ids, at: Date.now() };
    this.calls.push(entry);
    return entry;
  }

  /** A fault taking over a call that answers through a callback (unary, client stream). */
  private strike(fault: InjectedFault, call: EventEmitter, answer: Answer): void {
    if (fault.kind === 'fail') answer(faultError(fault));
    else if (fault.kind === 'drop') dropCall(call, () => answer(new RpcError(status.UNAVAILABLE, 'simulated drop')));
    else this.hold(call, () => answer(stoppedError()));
  }
}
