import fs from 'node:fs';
import path from 'node:path';
import { createTokenVerifier, keySourceFrom } from '../../auth/token-verifier.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { PluginServeOptions } from './plugin-options.js';

/** The command-line options every plugin command takes. */
export interface ServeCommandOptions {
  port: number;
  host: string;
  dataDir?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

interface Served {
  address: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * `applcm <name>-plugin`: serves until SIGINT/SIGTERM. Tokens are verified with the controller's key settings
 * (JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE, JWT_JWKS_URL), else the dev key of the data dir, as the original plugins
 * checked the caller's JWT. Prints one JSON line with the address (and what `describe` adds) once listening.
 */
export async function servePlugin<P extends Served>(
  config: Config,
  log: Logger,
  o: ServeCommandOptions,
  name: string,
  start: (base: PluginServeOptions) => Promise<P>,
  describe: (plugin: P) => Promise<Record<string, string>> = () => Promise.resolve({}),
): Promise<void> {
  if (Boolean(o.tlsCertFile) !== Boolean(o.tlsKeyFile)) throw new Error('--tls-cert-file and --tls-key-file go together');
  const devKey = path.join(config.dataDir, 'keys', 'jwt-public.pem');
  const verifier = createTokenVerifier(config.auth, keySourceFrom(config.auth, fs.existsSync(devKey) ? devKey : undefined));
  const plugin = await start({
    host: o.host,
    port: o.port,
    dataDir: o.dataDir ?? path.join(config.dataDir, `${name}-plugin`),
    ...(o.tlsCertFile && o.tlsKeyFile ? { tls: { certFile: o.tlsCertFile, keyFile: o.tlsKeyFile } } : {}),
    verifyToken: async (token) => {
      try {
        await verifier.verify(token);
        return true;
      } catch {
        return false;
      }
    },
  });
  const more = await describe(plugin);
  process.stdout.write(`${JSON.stringify({ address: plugin.address, port: plugin.port, ...more, dataDir: plugin.dataDir })}\n`);
  log.info({ address: plugin.address, ...more }, `${name} plugin serving`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, `${name} plugin stopping`);
      void plugin.stop().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
