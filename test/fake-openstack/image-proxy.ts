import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP forward proxy standing in for the image repository a package's `swImage` URL names (vm-openstack.zip's
 * points at a public address no test may reach): it answers absolute-form requests (`GET http://host/path`) itself,
 * with bytes derived from the URL, and never connects anywhere. CONNECT (https) is refused.
 */
export class ImageProxy {
  readonly requests: string[] = [];
  private server?: http.Server;
  private port = 0;

  constructor(readonly imageBytes = 2 * 1024 * 1024 + 4321) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The bytes served for a URL: a SHA-256 chain seeded by it, so each URL has its own image. */
  bytesFor(url: string): Buffer {
    const out = Buffer.alloc(this.imageBytes);
    let block = createHash('sha256').update(url).digest();
    for (let off = 0; off < out.length; off += block.length) {
      block.copy(out, off);
      block = createHash('sha256').update(block).digest();
    }
    return out;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const target = req.url ?? '';
      this.requests.push(target);
      if (!/^https?:\/\//.test(target) || req.method !== 'GET') {
        res.writeHead(400).end('absolute-form GET only');
        return;
      }
      const body = this.bytesFor(target);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    this.server.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
