import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = process.env.APPLCM_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throw-away PostgreSQL cluster of its own, for tests that stop and start the database: the machine's
 * shared PostgreSQL serves the other test files running in parallel and must never be restarted.
 */
export interface ScratchPostgres {
  /** Connection URL of the cluster's `postgres` database (trust auth, user postgres). */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: disconnects every session, returns once the cluster accepts connections again. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: returns once the cluster is down. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster (if it runs) and removes its directory. Never throws. */
  destroy(): Promise<void>;
}

/** A free ephemeral loopback port: the kernel picks one for a listener we close straight away. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root, so as root the binaries run as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0;

async function pgBin(name: string, args: string[]): Promise<void> {
  const bin = path.join(PG_BIN, name);
  try {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', bin, ...args], { timeout: 60_000 });
    else await run(bin, args, { timeout: 60_000 });
  } catch (e) {
    const { stderr, stdout } = e as { stderr?: string; stdout?: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${(e as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function chownToPostgres(dir: string): Promise<void> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  await fs.chown(dir, uid, gid);
}

/** initdb + start a PostgreSQL 15 cluster in a fresh temp directory, on a free port of 127.0.0.1. */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'applcm-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  let port = 0;
  let running = false;
  const ctl = (...args: string[]) => pgBin('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '30', ...args]);

  const destroy = async () => {
    if (running) await ctl('stop', '-m', 'immediate').catch(() => undefined);
    running = false;
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };

  try {
    if (asRoot) await chownToPostgres(dir);
    await pgBin('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    port = await freePort();
    // In the config file rather than on the command line, so `pg_ctl start` after a stop keeps them.
    // Durability is irrelevant for a scratch cluster: fsync off keeps it fast.
    const conf = [`port = ${port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`, 'fsync = off', ''].join('\n');
    await fs.appendFile(path.join(data, 'postgresql.conf'), conf);
    await ctl('start');
    running = true;
  } catch (e) {
    await destroy();
    throw e;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      await ctl('restart', '-m', 'fast');
    },
    async stop() {
      await ctl('stop', '-m', 'fast');
      running = false;
    },
    async start() {
      await ctl('start');
      running = true;
    },
    destroy,
  };
}
