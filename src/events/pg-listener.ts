import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** Called on every notification, and after each (re)connect: notifications sent while disconnected are lost. */
  onNotify: () => void;
  log: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Marks the connection so an operator (or a test) can find it in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'applcm-event-listener';

/**
 * `LISTEN` on a dedicated connection (a pooled one would be handed to other queries, and a listening session must
 * stay open). When the connection drops it reconnects with exponential backoff and wakes the caller, which re-reads
 * the log, so nothing committed meanwhile is missed.
 */
export class PgListener {
  private stopped = false;
  private readonly abort = new AbortController();
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private connectedOnce = false;
  /** Sessions opened so far (a reconnect counts one more). */
  connects = 0;

  constructor(private readonly o: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(o.channel)) throw new Error(`invalid channel name ${o.channel}`);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the first LISTEN is in place (or `timeoutMs` passed: the safety poll covers until it is). */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.listening && !this.stopped && Date.now() < until) await sleep(20);
    return this.listening;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    const min = this.o.minBackoffMs ?? 250;
    const max = this.o.maxBackoffMs ?? 10_000;
    let delay = min;
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.o.url, keepAlive: true, connectionTimeoutMillis: 5000, application_name: LISTENER_APPLICATION_NAME });
      const ended = new Promise<void>((resolve) => {
        client.once('end', () => resolve());
        // An idle client reports a dropped connection as an 'error' event; unhandled, it would crash the process.
        client.on('error', (e) => {
          if (!this.stopped) this.o.log.warn({ err: e.message }, 'event listener connection failed');
          resolve();
        });
      });
      try {
        await client.connect();
        client.on('notification', () => this.o.onNotify());
        await client.query(`LISTEN ${this.o.channel}`);
        if (this.stopped) break;
        this.client = client;
        this.connects++;
        if (this.connectedOnce) this.o.log.info({ channel: this.o.channel }, 'event listener reconnected');
        this.connectedOnce = true;
        delay = min;
        this.o.onNotify();
        await ended;
      } catch (e) {
        if (!this.stopped) this.o.log.warn({ err: (e as Error).message, retryInMs: delay }, 'event listener cannot connect');
      } finally {
        this.client = undefined;
        client.removeAllListeners('notification');
        await client.end().catch(() => undefined);
      }
      if (this.stopped) break;
      await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, max);
    }
  }
}
