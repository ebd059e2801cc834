import { readFileSync } from 'node:fs';
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** TLS material for a plugin channel, as file paths (PEM). */
export interface ClientTlsOptions {
  /** CA bundle that signs the plugin's certificate; the system roots when absent. */
  caFile?: string;
  /** Client certificate and key, for plugins that require mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** The name to expect in the plugin's certificate when it differs from the endpoint's host. */
  serverName?: string;
}

export interface ServerTlsOptions {
  certFile: string;
  keyFile: string;
  /** Clients must present a certificate signed by this CA (mutual TLS) when `requireClientCert` is set. */
  caFile?: string;
  requireClientCert?: boolean;
}

const read = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
};

/**
 * Channel credentials: TLS (verified, never the original's InsecureSkipVerify) when options are given,
 * otherwise plaintext. A half-configured client pair is a configuration error, not a silent fallback.
 */
export function clientCredentials(tls: ClientTlsOptions | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) throw new Error('plugin TLS: certFile and keyFile must be given together');
  return credentials.createSsl(
    tls.caFile ? read(tls.caFile, 'plugin CA file') : null,
    tls.keyFile ? read(tls.keyFile, 'plugin client key') : null,
    tls.certFile ? read(tls.certFile, 'plugin client certificate') : null,
  );
}

export function serverCredentials(tls: ServerTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  if (tls.requireClientCert && !tls.caFile) throw new Error('plugin server TLS: requireClientCert needs caFile');
  return ServerCredentials.createSsl(
    tls.caFile ? read(tls.caFile, 'CA file') : null,
    [{ private_key: read(tls.keyFile, 'server key'), cert_chain: read(tls.certFile, 'server certificate') }],
    tls.requireClientCert ?? false,
  );
}
