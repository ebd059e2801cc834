// A loopback TCP proxy in front of a plugin, for faults the simulator cannot make itself (hardening §4: no toxiproxy
// here). `blackholeResponses` keeps forwarding what the controller sends but drops what the plugin answers, so the
// plugin acts on a call whose answer never arrives: the controller cannot tell "done" from "not done".
import net from 'node:net';

export class TcpProxy {
  private blackhole = false;
  /** Bytes the controller may still send before its requests are held back (undefined: no limit). */
  private requestBudget: number | undefined;
  private held = 0;
  private answered = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private listeningPort = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.listeningPort = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** While on, the plugin's answers (every byte it sends) are dropped; requests still reach it. */
  blackholeResponses(on: boolean): void {
    this.blackhole = on;
  }

  /**
   * After `bytes` more request bytes, stops forwarding what the controller sends (the rest is dropped, the sender
   * stalls on flow control): the plugin is left in the middle of whatever stream was under way. Undefined lifts the
   * limit (a connection already cut short stays useless: its byte stream has a hole).
   */
  holdRequestsAfter(bytes: number | undefined): void {
    this.requestBudget = bytes;
    this.held = 0;
  }

  /** Request bytes held back so far. */
  get heldBytes(): number {
    return this.held;
  }

  /** Bytes the plugin sent that were forwarded to the controller so far. */
  get responseBytes(): number {
    return this.answered;
  }

  /** Open connections (both sides counted). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Cuts every connection at once (the peer sees a reset, as when a process dies). */
  resetAll(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.track(client);
    this.track(upstream);
    client.on('data', (d: Buffer) => {
      if (this.requestBudget !== undefined) {
        const pass = Math.min(d.length, this.requestBudget);
        this.requestBudget -= pass;
        // What is over the budget is dropped, not left unread: a paused socket would not notice its peer dying.
        // The sender soon stops by itself (HTTP/2 flow control: the plugin never acknowledges what it never got).
        this.held += d.length - pass;
        if (pass === 0) return;
        d = d.subarray(0, pass);
      }
      if (!upstream.write(d)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (d: Buffer) => {
      if (this.blackhole) return;
      this.answered += d.length;
      if (!client.write(d)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('close', cut);
      s.on('error', cut);
    }
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}
