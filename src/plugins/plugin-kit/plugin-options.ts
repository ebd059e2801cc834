import type { ServerTlsOptions } from '../grpc-tls.js';

/** The options every plugin on the kit takes (each plugin's own extend them). */
export interface PluginServeOptions {
  /** Where the plugin keeps what it is sent, across restarts; default a fresh temp dir removed on stop. */
  dataDir?: string;
  /** Default 127.0.0.1:0 (a free loopback port). */
  host?: string;
  port?: number;
  tls?: ServerTlsOptions;
  maxReceiveMessageBytes?: number;
  /** Called with every non-empty access token; false answers PERMISSION_DENIED. */
  verifyToken?: (token: string) => boolean | Promise<boolean>;
  /** Watch heartbeat interval when the client asks for none; default 15000. */
  heartbeatMs?: number;
}
