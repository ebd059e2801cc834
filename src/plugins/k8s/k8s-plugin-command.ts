import fs from 'node:fs';
import path from 'node:path';
import { createTokenVerifier, keySourceFrom } from '../../auth/token-verifier.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { K8sPlugin } from './k8s-plugin.js';

export interface K8sPluginCommandOptions {
  port: number;
  host: string;
  dataDir?: string;
  helmBin?: string;
  /** Seconds. */
  helmTimeout: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/**
 * `applcm k8s-plugin`: serves until SIGINT/SIGTERM. Tokens are verified with the controller's key settings
 * (JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE, JWT_JWKS_URL), else the dev key of the data dir, as the original plugin
 * checked the caller's JWT. Prints one JSON line with the address once listening.
 */
export async function runK8sPlugin(config: Config, log: Logger, o: K8sPluginCommandOptions): Promise<void> {
  if (Boolean(o.tlsCertFile) !== Boolean(o.tlsKeyFile)) throw new Error('--tls-cert-file and --tls-key-file go together');
  const devKey = path.join(config.dataDir, 'keys', 'jwt-public.pem');
  const verifier = createTokenVerifier(config.auth, keySourceFrom(config.auth, fs.existsSync(devKey) ? devKey : undefined));
  const plugin = await K8sPlugin.start({
    host: o.host,
    port: o.port,
    dataDir: o.dataDir ?? path.join(config.dataDir, 'k8s-plugin'),
    ...(o.helmBin ? { helmBin: o.helmBin } : {}),
    helmTimeoutMs: o.helmTimeout * 1000,
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
  const helm = await plugin.helmVersion().catch((e: unknown) => ({ version: `unusable: ${e instanceof Error ? e.message : String(e)}` }));
  process.stdout.write(`${JSON.stringify({ address: plugin.address, port: plugin.port, helm: helm.version, dataDir: plugin.dataDir })}\n`);
  log.info({ address: plugin.address, helm: helm.version }, 'k8s plugin serving');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'k8s plugin stopping');
      void plugin.stop().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
