// The image relay thread: reads VM image files from the plugins' downloadVmImage streams and copies them into the
// shared rings the controller's thread writes to its HTTP clients from. See image-relay.ts for why it exists.
import { parentPort } from 'node:worker_threads';
import { DomainError, ErrorCode } from '../../errors.js';
import { PluginClient } from '../plugin-client.js';
import { RingSlots } from '../../workers/ring-slots.js';
import type { FromRelay, StartDownload, ToRelay } from './relay-messages.js';

/** Clients by their options: one channel per plugin, as the controller has. Few plugins exist; the cap is a guard. */
const clients = new Map<string, PluginClient>();
const MAX_CLIENTS = 16;

interface Download {
  abort: AbortController;
  slots: RingSlots;
}

const downloads = new Map<number, Download>();
const port = parentPort!;

function post(m: FromRelay): void {
  port.postMessage(m);
}

function clientFor(options: StartDownload['client']): PluginClient {
  const key = JSON.stringify(options);
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= MAX_CLIENTS) {
      const [oldest, c] = clients.entries().next().value as [string, PluginClient];
      clients.delete(oldest);
      c.close();
    }
    client = new PluginClient(options);
    clients.set(key, client);
  }
  return client;
}

async function run(m: StartDownload): Promise<void> {
  const d: Download = { abort: new AbortController(), slots: new RingSlots(m.slots) };
  downloads.set(m.id, d);
  const ring = new Uint8Array(m.ring);
  try {
    const chunks = clientFor(m.client).downloadVmImage(m.target, m.imageId, { signal: d.abort.signal, correlationId: m.correlationId });
    for await (const chunk of chunks) {
      // A chunk larger than a slot goes in pieces; the stream is read on only when the last piece has a slot, so the
      // plugin is held back by gRPC flow control while the HTTP client is slow.
      for (let at = 0; at < chunk.length; ) {
        // Rejects once the download is cancelled, which the catch below ends quietly.
        const slot = await d.slots.take();
        const n = Math.min(m.slotBytes, chunk.length - at);
        ring.set(chunk.subarray(at, at + n), slot * m.slotBytes);
        post({ t: 'chunk', id: m.id, slot, length: n });
        at += n;
      }
      if (d.abort.signal.aborted) return;
    }
    post({ t: 'end', id: m.id });
  } catch (e) {
    if (d.abort.signal.aborted) return;
    const err = e instanceof DomainError ? e : new DomainError(ErrorCode.PLUGIN_ERROR, `image relay: ${e instanceof Error ? e.message : String(e)}`);
    post({ t: 'error', id: m.id, code: err.code, message: err.message, details: err.details });
  } finally {
    downloads.delete(m.id);
  }
}

port.on('message', (m: ToRelay) => {
  if (m.t === 'start') return void run(m);
  const d = downloads.get(m.id);
  if (!d) return;
  if (m.t === 'free') return d.slots.give(m.slot);
  d.abort.abort();
  d.slots.close(new Error('the download was cancelled'));
});
