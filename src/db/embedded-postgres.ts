import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from '../observability/logger.js';

export interface EmbeddedPostgres {
  /** A postgres:// URL that the ordinary driver connects to, over the wire protocol on loopback. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite with its data under `<dataDir>/pgdata` (kept across restarts) and exposes it on a loopback
 * port, so the embedded mode runs the very same `@mikro-orm/postgresql` driver as production.
 * PGlite serves one query at a time; the caller should use a pool of one connection.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const pgdata = path.join(dataDir, 'pgdata');
  await fs.mkdir(pgdata, { recursive: true, mode: 0o700 });
  const started = Date.now();
  const db = await PGlite.create(pgdata);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const conn = server.getServerConn();
  logger.info({ pgdata, conn, ms: Date.now() - started }, 'embedded PostgreSQL (PGlite) ready');
  return {
    url: `postgres://postgres@${conn}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
