import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { serverCredentials, type ServerTlsOptions } from './grpc-tls.js';

export interface GrpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  services: GrpcService[];
  /** Defaults to loopback: a plugin is exposed to the network only when asked to. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: ServerTlsOptions;
  /** Largest message accepted; packages arrive in chunks of at most 1 MiB, so 4 MiB leaves room. */
  maxReceiveMessageBytes?: number;
  maxSendMessageBytes?: number;
}

export interface RunningGrpcServer {
  server: Server;
  port: number;
  /** host:port to dial. */
  address: string;
  /** Stops accepting, lets calls finish for `graceMs`, then cuts what is left. */
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_PLUGIN_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Starts a gRPC server for a plugin, with the keepalive policy the controller's client relies on. */
export async function startGrpcServer(o: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': o.maxReceiveMessageBytes ?? DEFAULT_PLUGIN_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': o.maxSendMessageBytes ?? 32 * 1024 * 1024,
    // The controller pings idle channels every 30 s to notice dead peers; allow it rather than answer
    // GOAWAY too_many_pings.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  for (const s of o.services) server.addService(s.definition, s.implementation);
  const host = o.host ?? '127.0.0.1';
  const bindHost = host.includes(':') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${o.port ?? 0}`, serverCredentials(o.tls), (err, p) => (err ? reject(err) : resolve(p)));
  });
  let stopping: Promise<void> | undefined;
  return {
    server,
    port,
    address: `${bindHost}:${port}`,
    stop(graceMs = 2000) {
      stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return stopping;
    },
  };
}
