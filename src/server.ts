import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { TokenVerifier } from './auth/token-verifier.js';
import type { Config } from './config.js';
import { commitSignalOf } from './events/commit-signal.js';
import { EventSystem } from './events/event-system.js';
import { createApollo } from './graphql/apollo.js';
import type { GraphQLContext } from './graphql/context.js';
import { createErrorFormatter } from './graphql/format-error.js';
import { httpContextFactory } from './graphql/http-context.js';
import { graphqlFront, type GraphqlFront } from './graphql/http-front.js';
import { buildAppSchema } from './graphql/schema.js';
import { createWsServer } from './graphql/ws-server.js';
import type { Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { observeRequest } from './http-observe.js';
import { CsarProcessor } from './packages/csar-processor.js';
import { PackageStore } from './packages/package-store.js';
import type { PluginSpec } from './plugins/plugin-config.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
import { hostConfigRoutes } from './rest/host-config.routes.js';
import { lcmcontrollerRouter } from './rest/lcmcontroller/lcmcontroller.router.js';
import { packageRoutes } from './rest/package.routes.js';
import { imageDownloadRoutes } from './rest/image-download.routes.js';
import { rescontrollerRouter } from './rest/rescontroller/rescontroller.router.js';
import { createEngine, type LcmEngine } from './engine/lcm-engine.js';
import { SecretBox, secretsKeyFrom } from './auth/secret-box.js';
import { HostConfigService } from './services/host-config.service.js';
import { LcmService } from './services/lcm.service.js';
import { OperationService } from './services/operation.service.js';
import { HostService } from './services/host.service.js';
import { PackageService } from './services/package.service.js';
import { createReadServices } from './services/read-services.js';
import { VmImageService } from './services/vm-image.service.js';

export interface ServerDeps {
  config: Config;
  orm: MikroORM;
  verifier: TokenVerifier;
  log: Logger;
  /** Plugins started in-process (the embedded default), on top of the configured ones. */
  embeddedPlugins?: PluginSpec[];
  /** Mints a token for operations resumed without their caller's (the embedded default's dev key). */
  mintServiceToken?: () => Promise<string>;
  /** The key sealing AK/SK at rest when none is configured (the embedded default's). */
  secretsKey?: Buffer;
}

export interface AppServer {
  httpServer: http.Server;
  /** The event log's tailer, subscriptions, change feed and workload watches. */
  events: EventSystem;
  plugins: PluginRegistry;
  engine: LcmEngine;
  metrics: Metrics;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Drains requests and sockets, then closes. Idempotent. */
  close(): Promise<void>;
}

/** An onboarding with no progress for this long belongs to a server that died. */
const RECOVERY_STALE_MS = 15 * 60 * 1000;

declare module 'express-serve-static-core' {
  interface Request {
    correlationId: string;
  }
}

/** Composes the HTTP side: GraphQL over HTTP and graphql-ws on one port, health, readiness and metrics. */
export async function createServer(d: ServerDeps): Promise<AppServer> {
  const { config, orm, verifier, log } = d;
  const metrics = new Metrics();
  const store = new PackageStore(config.dataDir);
  await store.init();
  const packages = new PackageService({
    store,
    processor: new CsarProcessor(config.packages.archive, config.packages.strictIntegrity),
    maxBytes: config.packages.maxBytes,
    maxPerTenant: config.packages.maxPerTenant,
    maxPageSize: config.limits.maxPageSize,
    fetch: { allowPrivate: config.packages.allowPrivateUrls, timeoutMs: config.packages.urlTimeoutMs },
    log,
  });
  // Onboardings a previous run left half-way are failed and their files removed before serving.
  const recovered = await packages.recoverInterrupted(orm.em.fork(), RECOVERY_STALE_MS);
  if (recovered) log.warn({ recovered }, 'interrupted package onboardings marked FAILED');
  const recovery = setInterval(() => {
    packages.recoverInterrupted(orm.em.fork(), RECOVERY_STALE_MS).catch((e: unknown) => log.warn({ err: e }, 'package recovery sweep failed'));
  }, RECOVERY_STALE_MS / 3);
  recovery.unref();
  const plugins = new PluginRegistry([...config.plugins.specs, ...(d.embeddedPlugins ?? [])], {
    deadlines: config.plugins.deadlines,
    chunkBytes: config.plugins.chunkBytes,
    maxReceiveMessageBytes: config.plugins.maxReceiveMessageBytes,
    healthIntervalMs: config.plugins.healthIntervalMs,
    maxLifecycleCalls: config.plugins.maxLifecycleCalls,
    log: log.child({ component: 'plugins' }),
  });
  plugins.start();
  metrics.pluginStates = () => plugins.list();
  const hosts = new HostService(config.limits);
  const hostConfig = new HostConfigService(hosts, plugins);
  const secrets = new SecretBox(d.secretsKey ?? secretsKeyFrom(config.secrets));
  if (!secrets.sealing) log.warn('AK/SK are stored unsealed: set APPLCM_SECRETS_KEY (or APPLCM_SECRETS_KEY_FILE) to seal them at rest');
  const engine = createEngine({ orm, plugins, store, config: config.engine, log, mintServiceToken: d.mintServiceToken, secrets });
  const wake = () => engine.worker.wake();
  const commits = commitSignalOf(orm);
  const lcm = new LcmService({ hosts, packages, plugins, tokens: engine.tokens, wake, eventsCommitted: () => commits.committed(), maxInstancesPerTenant: config.engine.maxInstancesPerTenant, secrets });
  const operations = new OperationService({ handlers: engine.handlers, tokens: engine.tokens, wake, cancelLocal: (id) => engine.worker.cancelLocal(id) });
  if (config.engine.workerEnabled) engine.worker.start();
  const images = new VmImageService({ plugins, tokens: engine.tokens, wake, maxPageSize: config.limits.maxPageSize });
  const services = { hosts, hostConfig, packages, plugins, lcm, operations, images, reads: createReadServices(plugins, config.limits) };
  // On the embedded database (no DATABASE_URL) there is no LISTEN: PGlite delivers no NOTIFY between connections.
  const events = new EventSystem({ orm, plugins, log, config: config.events, maxPageSize: config.limits.maxPageSize, listenUrl: config.database.url ?? null });
  await events.start();
  metrics.engineState = () => ({
    operationsRunning: engine.worker.runningCount,
    subscriptions: events.subscriptions.size,
    eventPosition: events.bus.sequence,
    subscriberFallbacks: events.subscriptions.fallbacks,
    eventsRemoved: events.retention.removed,
    queuedCalls: plugins.queuedCalls(),
  });
  const schema = await buildAppSchema({ ...services, events });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // GraphQL requests the fast front takes (graphql/http-front.ts) do not go through express; all others do.
  let front: GraphqlFront | undefined;
  const httpServer = http.createServer((req, res) => {
    if (!front?.(req, res)) app(req, res);
  });
  // Slow-loris bodies and headers are cut off rather than held open forever.
  httpServer.requestTimeout = 120_000;
  httpServer.headersTimeout = 30_000;

  let draining = false;
  const ws = createWsServer({ schema, httpServer, path: '/graphql', limits: config.graphql, verifier, orm, log, metrics });
  const formatError = createErrorFormatter(log);
  const apollo = createApollo({ schema, jit: config.graphql.jit, httpServer, limits: config.graphql, production: config.env === 'production', log, metrics, formatError, onStop: () => ws.close() });
  await apollo.start();
  const graphqlContext = httpContextFactory({ verifier, orm, log, metrics });
  if (config.graphql.fastHttp) {
    front = graphqlFront({ schema, limits: config.graphql, apollo, context: graphqlContext, formatError, metrics, log, bodyLimitBytes: config.http.bodyLimitBytes, accepting: () => !draining });
  }

  const observe: RequestHandler = (req, res, next) => {
    req.correlationId = observeRequest(metrics, req, res, req.path);
    next();
  };
  app.use(observe);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) return void res.status(503).json({ status: 'draining' });
    try {
      await Promise.race([
        orm.em.getConnection().execute('select 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.json({ status: 'ready', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'not ready', database: 'unavailable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use(packageRoutes({ packages, verifier, orm, log }));
  app.use(hostConfigRoutes({ hostConfig, verifier, orm, log }));
  app.use(imageDownloadRoutes({ images, verifier, orm, log }));
  // The original lcmcontroller routes (REST compatibility shim for appo and other EdgeGallery callers).
  app.use('/lcmcontroller', lcmcontrollerRouter({ ...services, events, verifier, orm, log, maxPageSize: config.limits.maxPageSize, shim: config.shim }));
  // The original rescontroller routes (VM resources on the hosts' plugins), the same shim stack.
  app.use('/rescontroller', rescontrollerRouter({ hosts, plugins, verifier, orm, log, shim: config.shim }));

  app.use(
    '/graphql',
    express.json({ limit: config.http.bodyLimitBytes }),
    expressMiddleware(apollo, { context: ({ req }): Promise<GraphQLContext> => graphqlContext(req.headers, req.correlationId) }),
  );

  app.use((req, res) => {
    // REST paths answer in the REST error shape, everything else in GraphQL's.
    if (req.path.startsWith('/api/')) return void res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${req.path}` } });
    res.status(404).json({ errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }] });
  });

  // Body-parser failures answer in GraphQL's error shape, never as an HTML page.
  const onError: ErrorRequestHandler = (err: { type?: string; status?: number }, req, res, _next) => {
    if (err.type === 'entity.too.large') {
      return void res.status(413).json({ errors: [{ message: `request body exceeds ${config.http.bodyLimitBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    }
    if (err.type === 'entity.parse.failed' || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported' || err.status === 400) {
      return void res.status(400).json({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    }
    log.error({ err, correlationId: req.correlationId }, 'unhandled HTTP error');
    res.status(500).json({ errors: [{ message: `Internal server error (correlation id ${req.correlationId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: req.correlationId } }] });
  };
  app.use(onError);

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    events,
    plugins,
    engine,
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.http.port, config.http.host, () => {
          const a = httpServer.address() as AddressInfo;
          const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
          resolve(`http://${host}:${a.port}`);
        });
      }),
    close() {
      closing ??= (async () => {
        draining = true;
        clearInterval(recovery);
        // Apollo's drain plugin stops accepting, waits for in-flight requests, then runs onStop (sockets).
        await apollo.stop();
        await events.stop();
        // Running operations are handed over (their leases released) for another replica or the next start.
        await engine.worker.stop();
        await packages.drain();
        plugins.stop();
      })();
      return closing;
    },
  };
}
