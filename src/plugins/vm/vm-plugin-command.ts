import fs from 'node:fs';
import path from 'node:path';
import { createTokenVerifier, keySourceFrom } from '../../auth/token-verifier.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { VmPlugin } from './vm-plugin.js';

export interface VmPluginCommandOptions {
  port: number;
  host: string;
  dataDir?: string;
  /** Seconds. */
  bootTimeout: number;
  imageProxy?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/**
 * `applcm vm-plugin`: serves until SIGINT/SIGTERM. Tokens are verified with the controller's key settings
 * (JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE, JWT_JWKS_URL), else the dev key of the data dir. Prints one JSON line with
 * the address once listening.
 */
export async function runVmPlugin(config: Config, log: Logger, o: VmPluginCommandOptions): Promise<void> {
  if (Boolean(o.tlsCertFile) !== Boolean(o.tlsKeyFile)) throw new Error('--tls-cert-file and --tls-key-file go together');
  const devKey = path.join(config.dataDir, 'keys', 'jwt-public.pem');
  const verifier = createTokenVerifier(config.auth, keySourceFrom(config.auth, fs.existsSync(devKey) ? devKey : undefined));
  const imageProxy = o.imageProxy ?? process.env['APPLCM_VM_IMAGE_PROXY'];
  const plugin = await VmPlugin.start({
    host: o.host,
    port: o.port,
    dataDir: o.dataDir ?? path.join(config.dataDir, 'vm-plugin'),
    bootTimeoutMs: o.bootTimeout * 1000,
    ...(imageProxy ? { imageProxy } : {}),
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
  process.stdout.write(`${JSON.stringify({ address: plugin.address, port: plugin.port, dataDir: plugin.dataDir })}\n`);
  log.info({ address: plugin.address }, 'vm plugin serving');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'vm plugin stopping');
      void plugin.stop().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
