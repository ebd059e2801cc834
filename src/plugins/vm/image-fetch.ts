import { fetch as undiciFetch, ProxyAgent, type Dispatcher } from 'undici';

/**
 * Downloads image bytes from http(s) URLs (a package's `swImage`, importVmImage's `resourceUri`), through the
 * configured proxy when there is one (edge sites often reach their image repository only that way). Other schemes
 * are refused: nothing on the plugin's own machine is read by URL.
 */
export class ImageFetcher {
  private readonly dispatcher?: Dispatcher;

  constructor(proxy?: string) {
    // http URLs go to the proxy as absolute-form requests (what every forward proxy serves); https ones tunnel (CONNECT).
    if (proxy) this.dispatcher = new ProxyAgent({ uri: proxy, proxyTunnel: false });
  }

  async get(url: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    if (!/^https?:\/\//i.test(url)) throw new Error(`${JSON.stringify(url)}: only http and https URLs are fetched`);
    const res = await undiciFetch(url, { signal, redirect: 'follow', ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`GET ${url} answered HTTP ${res.status}`);
    }
    return res.body as AsyncIterable<Uint8Array>;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

/** Passes chunks through, failing once more than `max` bytes went by. */
export async function* capped(chunks: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > max) throw new Error(`the image is larger than ${max} bytes`);
    yield c;
  }
}
