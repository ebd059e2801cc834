import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc-error.js';

/** The oneof of an upload message, as ts-proto gives it. */
type Frame = { $case: string; value: string | Uint8Array } | undefined;

/** The request side of a client-streaming call (grpc-js ServerReadableStream). */
export interface UploadStream<T> extends AsyncIterable<T> {
  readonly readableEnded: boolean;
  readonly cancelled: boolean;
  once(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/**
 * How long a stream that ended waits for a late cancellation. A client's RST_STREAM (cancel) ends the HTTP/2
 * stream's readable side first, so grpc-js delivers "end of messages" and only afterwards "cancelled": without
 * this grace a cancel after the last chunk, before the half-close, looks like a complete upload across processes.
 */
const CANCEL_GRACE_MS = 25;

async function settled(messages: UploadStream<unknown>): Promise<void> {
  if (messages.cancelled) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      messages.removeListener('cancelled', done);
      resolve();
    };
    const timer = setTimeout(done, CANCEL_GRACE_MS);
    messages.once('cancelled', done);
  });
}

export interface Framing<M extends string> {
  /** The metadata fields, in the one order the protocol allows. */
  meta: readonly M[];
  /** The oneof case that carries the payload chunks. */
  payload: string;
}

/**
 * Reads an upload stream: each metadata field exactly once and in order, then payload chunks. Anything else —
 * a field out of order or repeated, a chunk before the metadata is complete, metadata after a chunk, an empty
 * message, a stream that ends before its metadata — is INVALID_ARGUMENT (the original k8s plugin relies on
 * the same order). `admit` runs once the metadata is complete and before any chunk is accepted, so a refused
 * caller never gets bytes in.
 */
export async function readFramedUpload<M extends string>(
  messages: UploadStream<{ data?: Frame }>,
  framing: Framing<M>,
  admit: (meta: Record<M, string>) => Promise<void>,
  onChunk: (chunk: Uint8Array) => Promise<void> | void,
): Promise<Record<M, string>> {
  const meta: Partial<Record<M, string>> = {};
  let next = 0;
  for await (const msg of messages) {
    const d = msg.data;
    if (!d) throw new RpcError(status.INVALID_ARGUMENT, 'empty stream message');
    if (d.$case === framing.payload) {
      if (next < framing.meta.length) throw new RpcError(status.INVALID_ARGUMENT, `${framing.payload} chunk before ${framing.meta[next]}`);
      await onChunk(d.value as Uint8Array);
      continue;
    }
    const expected = framing.meta[next];
    if (expected === undefined) throw new RpcError(status.INVALID_ARGUMENT, `${d.$case} after the metadata (${framing.meta.join(', ')}) was complete`);
    if (d.$case !== expected) throw new RpcError(status.INVALID_ARGUMENT, `metadata out of order: expected ${expected}, got ${d.$case} (order: ${framing.meta.join(', ')})`);
    meta[expected] = d.value as string;
    next += 1;
    if (next === framing.meta.length) await admit(meta as Record<M, string>);
  }
  // A stream the client cancelled (or that was reset) is destroyed, and iterating a destroyed stream may simply
  // stop as if it had ended: only a stream that really ended (the client half-closed) counts as complete.
  await settled(messages);
  if (messages.cancelled || !messages.readableEnded) throw new RpcError(status.CANCELLED, 'the stream was cancelled before it ended');
  if (next < framing.meta.length) throw new RpcError(status.INVALID_ARGUMENT, `stream ended before ${framing.meta[next]}`);
  return meta as Record<M, string>;
}

/** A host configuration (a kubeconfig, an OpenStack rc) is small; anything bigger is refused, not stored. */
export const MAX_CONFIG_BYTES = 5 * 1024 * 1024;
