import { EventEmitter } from 'node:events';
import http2 from 'node:http2';

/**
 * Resets the HTTP/2 stream under a server call, as a broken proxy or a crashed plugin would: the client gets
 * RST_STREAM (INTERNAL_ERROR, which grpc-js reports as INTERNAL, never as success) and the server side sees the
 * call cancelled. grpc-js keeps the stream private (`call.call.stream` on 1.14, the pinned version); should that
 * ever move, `fallback` answers an error instead, which keeps the promise that a dropped call never succeeds.
 *
 * NGHTTP2_INTERNAL_ERROR rather than REFUSED_STREAM: a refused stream may be retried transparently by the client,
 * which would hide the drop.
 */
export function dropCall(call: object, fallback: () => void): void {
  const stream = http2StreamOf(call);
  if (stream && !stream.closed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  else fallback();
}

function http2StreamOf(call: object): http2.Http2Stream | undefined {
  const inner = (call as { call?: unknown }).call;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const stream = (inner as { stream?: unknown }).stream;
  if (!(stream instanceof EventEmitter) || !('rstCode' in stream) || typeof (stream as { close?: unknown }).close !== 'function') return undefined;
  return stream as http2.Http2Stream;
}
