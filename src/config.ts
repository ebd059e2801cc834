import path from 'node:path';
import { z } from 'zod';
import { EDGE_KEY_POLICY_TEXT, meetsEdgeKeyPolicy } from './auth/edge-key-policy.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './packages/archive-limits.js';
import { MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, DEFAULT_CHUNK_BYTES } from './plugins/chunks.js';
import { DEFAULT_MAX_LIFECYCLE_CALLS } from './plugins/plugin-client.js';
import { DEFAULT_DEADLINES, type Deadlines } from './plugins/deadlines.js';
import type { ClientTlsOptions } from './plugins/grpc-tls.js';
import { mergePluginSpecs, PluginConfigError, pluginSpecsFromEnv, pluginSpecsFromFile, type PluginSpec } from './plugins/plugin-config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intIn = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

/**
 * Every knob the process reads from its environment. Each has a default that suits the embedded mode
 * (`applcm dev`), so a fresh clone runs with no environment at all.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  APPLCM_HOST: z.string().default('0.0.0.0'),
  APPLCM_PORT: intIn(0, 65535, 8094),
  APPLCM_PUBLIC_URL: z.string().url().optional(),
  APPLCM_DATA_DIR: z.string().default('./.applcm'),
  // Seals AK/SK at rest: base64 of 32 random bytes, or a file holding it (the embedded default makes one).
  APPLCM_SECRETS_KEY: z.string().optional(),
  APPLCM_SECRETS_KEY_FILE: z.string().optional(),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: intIn(1, 200, 10),
  DATABASE_STATEMENT_TIMEOUT_MS: intIn(100, 600_000, 15_000),
  // How long start-up waits for an unreachable database before giving up with a non-zero exit.
  DATABASE_CONNECT_TIMEOUT_MS: intIn(0, 600_000, 30_000),
  APPLCM_MIGRATE_ON_START: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Authentication. One of the key sources must be set outside dev mode; nothing is ever accepted unsigned.
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_PUBLIC_KEY_FILE: z.string().optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_CLOCK_TOLERANCE_S: intIn(0, 300, 60),
  JWT_REQUIRE_EXP: bool.default(true),

  // GraphQL hardening (HTTP and WebSocket alike).
  APPLCM_INTROSPECTION: bool.optional(),
  APPLCM_GQL_MAX_DEPTH: intIn(2, 100, 10),
  APPLCM_GQL_MAX_ALIASES: intIn(0, 1000, 15),
  APPLCM_GQL_MAX_DIRECTIVES: intIn(0, 1000, 50),
  APPLCM_GQL_MAX_TOKENS: intIn(50, 100_000, 2000),
  APPLCM_GQL_MAX_COST: intIn(10, 1_000_000, 5000),
  APPLCM_GQL_MAX_MUTATIONS: intIn(1, 100, 5),
  // HTTP operations run compiled by graphql-jit; false runs them with graphql-js (the reference executor).
  APPLCM_GQL_JIT: bool.default(true),
  // POST /graphql answered by the fast front (src/graphql/http-front.ts); false: every request through express and Apollo Server.
  APPLCM_GQL_FAST_HTTP: bool.default(true),
  APPLCM_BODY_LIMIT_BYTES: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  APPLCM_WS_MAX_PAYLOAD_BYTES: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  APPLCM_WS_INIT_TIMEOUT_MS: intIn(100, 60_000, 3000),
  APPLCM_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: intIn(1, 10_000, 100),
  APPLCM_WS_MAX_CONNECTIONS_PER_TENANT: intIn(1, 100_000, 1000),
  APPLCM_SHUTDOWN_GRACE_MS: intIn(0, 120_000, 10_000),

  // Event log tailer and subscriptions. The poll is only a safety net: commits on this replica wake the tailer at
  // once, and on PostgreSQL so does NOTIFY for every replica's commits.
  APPLCM_EVENT_POLL_MS: intIn(10, 3_600_000, 2000),
  APPLCM_EVENT_BATCH: intIn(1, 10_000, 500),
  // The event log keeps a week by default; older events are removed in the background (the newest is always kept).
  APPLCM_EVENT_RETENTION_S: intIn(1, 10 * 365 * 24 * 3600, 7 * 24 * 3600),
  APPLCM_EVENT_RETENTION_SWEEP_MS: intIn(10, 24 * 3_600_000, 60_000),
  // Live events held in memory per subscriber; one further behind reads the log by its cursor instead, and is cut off
  // with SLOW_CONSUMER (it resubscribes with afterSequence) when it then takes nothing for the stall time.
  APPLCM_SUBSCRIPTION_QUEUE: intIn(1, 1_000_000, 1000),
  APPLCM_SUBSCRIPTION_STALL_MS: intIn(10, 3_600_000, 10_000),
  APPLCM_SUBSCRIPTION_REPLAY_PAGE: intIn(1, 10_000, 200),
  // First reconnect delay of a plugin watch stream (workloadEvents); doubles up to 30 s.
  APPLCM_WORKLOAD_WATCH_RETRY_MS: intIn(10, 600_000, 1000),

  // Application packages.
  APPLCM_MAX_PACKAGE_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 ** 3).default(4 * 1024 ** 3),
  APPLCM_MAX_PACKAGES_PER_TENANT: intIn(1, 1_000_000, 500),
  // lenient records manifest hash mismatches (real EdgeGallery packages carry placeholder hashes); strict rejects them.
  APPLCM_PACKAGE_INTEGRITY: z.enum(['lenient', 'strict']).default('lenient'),
  // onboardPackage(url) refuses loopback, private and link-local addresses unless this is set (SSRF).
  APPLCM_ALLOW_PRIVATE_PACKAGE_URLS: bool.default(false),
  APPLCM_PACKAGE_URL_TIMEOUT_MS: intIn(1000, 24 * 3600 * 1000, 30 * 60 * 1000),
  // Caps while reading a package's archives (the CSAR, its APPD zip, its chart .tgz); sizes are counted while inflating.
  APPLCM_PACKAGE_MAX_ENTRIES: intIn(16, 1_000_000, DEFAULT_ARCHIVE_LIMITS.maxEntries),
  APPLCM_PACKAGE_MAX_ENTRY_BYTES: z.coerce.number().int().min(1024).max(1024 ** 4).default(DEFAULT_ARCHIVE_LIMITS.maxEntryBytes),
  APPLCM_PACKAGE_MAX_INFLATED_BYTES: z.coerce.number().int().min(1024).max(1024 ** 4).default(DEFAULT_ARCHIVE_LIMITS.maxTotalBytes),
  APPLCM_PACKAGE_MAX_RATIO: intIn(2, 100_000, DEFAULT_ARCHIVE_LIMITS.maxRatio),
  APPLCM_PACKAGE_MAX_DESCRIPTOR_BYTES: intIn(1024, 256 * 1024 * 1024, DEFAULT_ARCHIVE_LIMITS.maxDescriptorBytes),
  APPLCM_PACKAGE_MAX_NESTED_ARCHIVE_BYTES: intIn(1024, 4 * 1024 ** 3, DEFAULT_ARCHIVE_LIMITS.maxNestedArchiveBytes),

  // Plugins. Endpoints come from <VIM>_PLUGIN / <VIM>_PLUGIN_PORT (K8S_PLUGIN, OPENSTACK_PLUGIN, …) and the plugins file.
  APPLCM_PLUGINS_FILE: z.string().optional(),
  // applcm dev starts in-process plugins on loopback for VIM types nobody configured; false turns that off.
  APPLCM_EMBEDDED_PLUGINS: bool.default(true),
  // What serves k8s hosts in the embedded default: the simulator (deploys nothing), or the real Kubernetes plugin
  // (helm from HELM_BIN or PATH against each host's kubeconfig).
  APPLCM_EMBEDDED_K8S: z.enum(['sim', 'helm']).default('sim'),
  // TLS to plugins: on when set (or when a CA file is given); mutual TLS when a client certificate and key are given.
  APPLCM_PLUGIN_TLS: bool.optional(),
  APPLCM_PLUGIN_CA_FILE: z.string().optional(),
  APPLCM_PLUGIN_CERT_FILE: z.string().optional(),
  APPLCM_PLUGIN_KEY_FILE: z.string().optional(),
  APPLCM_PLUGIN_SERVER_NAME: z.string().optional(),
  APPLCM_PLUGIN_DEADLINE_HEALTH_MS: intIn(100, 600_000, DEFAULT_DEADLINES.health),
  APPLCM_PLUGIN_DEADLINE_QUERY_MS: intIn(100, 3_600_000, DEFAULT_DEADLINES.query),
  APPLCM_PLUGIN_DEADLINE_CONFIG_MS: intIn(100, 3_600_000, DEFAULT_DEADLINES.config),
  APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS: intIn(100, 24 * 3_600_000, DEFAULT_DEADLINES.lifecycle),
  APPLCM_PLUGIN_DEADLINE_TRANSFER_MS: intIn(100, 24 * 3_600_000, DEFAULT_DEADLINES.transfer),
  APPLCM_PLUGIN_DEADLINE_WATCH_MS: intIn(100, 24 * 3_600_000, DEFAULT_DEADLINES.watch),
  APPLCM_PLUGIN_CHUNK_BYTES: intIn(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES, DEFAULT_CHUNK_BYTES),
  APPLCM_PLUGIN_MAX_RECEIVE_BYTES: intIn(1024 * 1024, 256 * 1024 * 1024, 24 * 1024 * 1024),
  APPLCM_PLUGIN_HEALTH_INTERVAL_MS: intIn(0, 3_600_000, 15_000),
  APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS: intIn(1, 1000, DEFAULT_MAX_LIFECYCLE_CALLS),

  // The LCM engine: workers claim operations with leases in the database.
  APPLCM_WORKER_ENABLED: bool.default(true),
  APPLCM_WORKER_CONCURRENCY: intIn(1, 1000, 32),
  APPLCM_WORKER_POLL_MS: intIn(10, 60_000, 1000),
  // A worker renews its leases every third of this; a crashed worker's operations are taken over once it passes.
  APPLCM_OPERATION_LEASE_MS: intIn(1000, 3_600_000, 30_000),
  // Transient plugin failures (down, rate limited) are retried with backoff this many times before FAILED_TEMP.
  APPLCM_OPERATION_MAX_ATTEMPTS: intIn(1, 100, 3),
  APPLCM_OPERATION_RETRY_BASE_MS: intIn(10, 600_000, 2000),
  APPLCM_DISTRIBUTE_CONCURRENCY: intIn(1, 64, 4),
  // How long a distribution waits for a plugin to report the package Distributed after the upload.
  APPLCM_DISTRIBUTE_STATUS_TIMEOUT_MS: intIn(1000, 24 * 3_600_000, 10 * 60_000),
  // The token operations resumed by another replica (or after a restart) present to plugins; without it they wait
  // in FAILED_TEMP for a retry by a user (whose token is used). The embedded default mints one with its dev key.
  APPLCM_PLUGIN_ACCESS_TOKEN: z.string().optional(),
  APPLCM_MAX_INSTANCES_PER_TENANT: intIn(1, 1_000_000, 500),
  // The MEP: instantiate registers the instance's AK/SK there and terminate tells it the instance is gone, as the
  // original did (its API_GW_ADDR and MEP_SERVER); both are skipped when unset.
  APPLCM_MEP_URL: z.string().url().optional(),
  APPLCM_MEP_TERMINATION_URL: z.string().url().optional(),
  APPLCM_MEP_TIMEOUT_MS: intIn(100, 600_000, 10_000),

  // Domain quotas (the original capped hosts at 20).
  APPLCM_MAX_HOSTS_PER_TENANT: intIn(1, 100_000, 20),
  APPLCM_MAX_PAGE_SIZE: intIn(1, 10_000, 500),
  // Browser origins the REST shim (/lcmcontroller) grants CORS access to, comma-separated; none by default.
  APPLCM_SHIM_CORS_ORIGINS: z.string().default(''),
  // How long the shim's instantiate and terminate wait for their operation before answering (the original answered
  // when the plugin did; appo's own timeout is 180 s).
  APPLCM_SHIM_WAIT_S: intIn(1, 3600, 170),
  // The original's global fixed-window limit on /lcmcontroller: this many requests per second, then 429.
  APPLCM_SHIM_RATE_LIMIT_PER_S: intIn(1, 1_000_000, 200),
  // The original's open mode (no access_token needed where it did not check one); off: every route needs a token.
  APPLCM_SHIM_ALLOW_UNSIGNED: bool.default(false),
  // The edge-local login of /lcmcontroller/v1/login and /v1/password: a user of this name is created with this key
  // (stored as a scrypt hash) when none exists yet; without a key there is no login until one is configured.
  APPLCM_SHIM_LOGIN_NAME: z.string().regex(/^[\p{L}\p{Nd}]([\p{L}\p{Nd}_-]*[\p{L}\p{Nd}])?$/u).max(15).default('admin'),
  APPLCM_SHIM_LOGIN_KEY: z.string().refine(meetsEdgeKeyPolicy, `must be ${EDGE_KEY_POLICY_TEXT}`).optional(),
  // The longest MEP answer the shim's /v1/mep/* proxies pass on.
  APPLCM_SHIM_MEP_MAX_BYTES: intIn(1024, 64 * 1024 * 1024, 4 * 1024 * 1024),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  http: { host: string; port: number; bodyLimitBytes: number; shutdownGraceMs: number };
  dataDir: string;
  /** The key sealing AK/SK at rest, as configured (see SecretBox). */
  secrets: { key?: string; keyFile?: string };
  database: { url?: string; poolMax: number; statementTimeoutMs: number; connectTimeoutMs: number; migrateOnStart: boolean };
  logLevel: Env['LOG_LEVEL'];
  events: {
    pollMs: number;
    batchSize: number;
    /** How long events are kept (APPLCM_EVENT_RETENTION_S), and how often older ones are removed. */
    retentionS: number;
    retentionSweepMs: number; subscriberQueue: number; subscriberStallMs: number; replayPage: number; watchRetryMs: number };
  auth: {
    publicKeyPem?: string;
    publicKeyFile?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    clockToleranceS: number;
    requireExp: boolean;
  };
  graphql: {
    jit: boolean;
    /** POST /graphql answered by the fast front when it can (graphql/http-front.ts), else by express and Apollo Server. */
    fastHttp: boolean;
    introspection: boolean;
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
    maxMutations: number;
    wsMaxPayloadBytes: number;
    wsInitTimeoutMs: number;
    /** Subscriptions one graphql-ws connection may hold at once; one more gets an error message. */
    wsMaxSubscriptionsPerConnection: number;
    /** graphql-ws connections one tenant may hold at once; one more is closed with 4429. */
    wsMaxConnectionsPerTenant: number;
  };
  limits: { maxHostsPerTenant: number; maxPageSize: number };
  shim: {
    corsOrigins: string[];
    waitMs: number;
    rateLimitPerSecond: number;
    allowUnsigned: boolean;
    /** The edge-local user seeded into the credential table (its key only when configured). */
    login: { name: string; key?: string };
    /** The MEP the /v1/mep/* proxies call (the original's MEP_SERVER:MEP_PORT), when configured. */
    mep: { url?: string; timeoutMs: number; maxBytes: number };
  };
  engine: {
    workerEnabled: boolean;
    concurrency: number;
    pollMs: number;
    leaseMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    distributeConcurrency: number;
    distributeStatusTimeoutMs: number;
    pluginAccessToken?: string;
    maxInstancesPerTenant: number;
    mep: { url?: string; terminationUrl?: string; timeoutMs: number };
  };
  plugins: {
    specs: PluginSpec[];
    embedded: boolean;
    /** APPLCM_EMBEDDED_K8S: the simulator or the Kubernetes (helm) plugin for k8s hosts in the embedded default. */
    embeddedK8s: 'sim' | 'helm';
    deadlines: Deadlines;
    chunkBytes: number;
    maxReceiveMessageBytes: number;
    healthIntervalMs: number;
    /** Lifecycle calls in flight per plugin (APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS); more wait their turn. */
    maxLifecycleCalls: number;
  };
  packages: {
    maxBytes: number;
    maxPerTenant: number;
    strictIntegrity: boolean;
    allowPrivateUrls: boolean;
    urlTimeoutMs: number;
    archive: ArchiveLimits;
  };
}

export class ConfigError extends Error {}

/** Parses the environment into a typed config; throws a readable ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let specs: PluginSpec[];
  try {
    const tls = pluginTls(e);
    specs = mergePluginSpecs(pluginSpecsFromEnv(source, tls), e.APPLCM_PLUGINS_FILE ? pluginSpecsFromFile(e.APPLCM_PLUGINS_FILE, tls) : []);
  } catch (err) {
    if (err instanceof PluginConfigError) throw new ConfigError(`invalid configuration:\n  ${err.message}`);
    throw err;
  }
  return {
    env: e.NODE_ENV,
    http: { host: e.APPLCM_HOST, port: e.APPLCM_PORT, bodyLimitBytes: e.APPLCM_BODY_LIMIT_BYTES, shutdownGraceMs: e.APPLCM_SHUTDOWN_GRACE_MS },
    dataDir: path.resolve(e.APPLCM_DATA_DIR),
    secrets: { key: e.APPLCM_SECRETS_KEY, keyFile: e.APPLCM_SECRETS_KEY_FILE },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      migrateOnStart: e.APPLCM_MIGRATE_ON_START,
    },
    logLevel: e.LOG_LEVEL,
    events: {
      pollMs: e.APPLCM_EVENT_POLL_MS,
      batchSize: e.APPLCM_EVENT_BATCH,
      retentionS: e.APPLCM_EVENT_RETENTION_S,
      retentionSweepMs: e.APPLCM_EVENT_RETENTION_SWEEP_MS,
      subscriberQueue: e.APPLCM_SUBSCRIPTION_QUEUE,
      subscriberStallMs: e.APPLCM_SUBSCRIPTION_STALL_MS,
      replayPage: e.APPLCM_SUBSCRIPTION_REPLAY_PAGE,
      watchRetryMs: e.APPLCM_WORKLOAD_WATCH_RETRY_MS,
    },
    auth: {
      publicKeyPem: e.JWT_PUBLIC_KEY,
      publicKeyFile: e.JWT_PUBLIC_KEY_FILE,
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clockToleranceS: e.JWT_CLOCK_TOLERANCE_S,
      requireExp: e.JWT_REQUIRE_EXP,
    },
    graphql: {
      jit: e.APPLCM_GQL_JIT,
      fastHttp: e.APPLCM_GQL_FAST_HTTP,
      // Introspection helps in development and leaks the schema in production: on only where asked or in dev.
      introspection: e.APPLCM_INTROSPECTION ?? e.NODE_ENV !== 'production',
      maxDepth: e.APPLCM_GQL_MAX_DEPTH,
      maxAliases: e.APPLCM_GQL_MAX_ALIASES,
      maxDirectives: e.APPLCM_GQL_MAX_DIRECTIVES,
      maxTokens: e.APPLCM_GQL_MAX_TOKENS,
      maxCost: e.APPLCM_GQL_MAX_COST,
      maxMutations: e.APPLCM_GQL_MAX_MUTATIONS,
      wsMaxPayloadBytes: e.APPLCM_WS_MAX_PAYLOAD_BYTES,
      wsInitTimeoutMs: e.APPLCM_WS_INIT_TIMEOUT_MS,
      wsMaxSubscriptionsPerConnection: e.APPLCM_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      wsMaxConnectionsPerTenant: e.APPLCM_WS_MAX_CONNECTIONS_PER_TENANT,
    },
    limits: { maxHostsPerTenant: e.APPLCM_MAX_HOSTS_PER_TENANT, maxPageSize: e.APPLCM_MAX_PAGE_SIZE },
    shim: {
      corsOrigins: e.APPLCM_SHIM_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
      waitMs: e.APPLCM_SHIM_WAIT_S * 1000,
      rateLimitPerSecond: e.APPLCM_SHIM_RATE_LIMIT_PER_S,
      allowUnsigned: e.APPLCM_SHIM_ALLOW_UNSIGNED,
      login: { name: e.APPLCM_SHIM_LOGIN_NAME, key: e.APPLCM_SHIM_LOGIN_KEY },
      mep: { url: e.APPLCM_MEP_TERMINATION_URL ?? e.APPLCM_MEP_URL, timeoutMs: e.APPLCM_MEP_TIMEOUT_MS, maxBytes: e.APPLCM_SHIM_MEP_MAX_BYTES },
    },
    engine: {
      workerEnabled: e.APPLCM_WORKER_ENABLED,
      concurrency: e.APPLCM_WORKER_CONCURRENCY,
      pollMs: e.APPLCM_WORKER_POLL_MS,
      leaseMs: e.APPLCM_OPERATION_LEASE_MS,
      maxAttempts: e.APPLCM_OPERATION_MAX_ATTEMPTS,
      retryBaseMs: e.APPLCM_OPERATION_RETRY_BASE_MS,
      distributeConcurrency: e.APPLCM_DISTRIBUTE_CONCURRENCY,
      distributeStatusTimeoutMs: e.APPLCM_DISTRIBUTE_STATUS_TIMEOUT_MS,
      pluginAccessToken: e.APPLCM_PLUGIN_ACCESS_TOKEN,
      maxInstancesPerTenant: e.APPLCM_MAX_INSTANCES_PER_TENANT,
      mep: { url: e.APPLCM_MEP_URL, terminationUrl: e.APPLCM_MEP_TERMINATION_URL, timeoutMs: e.APPLCM_MEP_TIMEOUT_MS },
    },
    plugins: {
      specs,
      embedded: e.APPLCM_EMBEDDED_PLUGINS,
      embeddedK8s: e.APPLCM_EMBEDDED_K8S,
      deadlines: {
        health: e.APPLCM_PLUGIN_DEADLINE_HEALTH_MS,
        query: e.APPLCM_PLUGIN_DEADLINE_QUERY_MS,
        config: e.APPLCM_PLUGIN_DEADLINE_CONFIG_MS,
        lifecycle: e.APPLCM_PLUGIN_DEADLINE_LIFECYCLE_MS,
        transfer: e.APPLCM_PLUGIN_DEADLINE_TRANSFER_MS,
        watch: e.APPLCM_PLUGIN_DEADLINE_WATCH_MS,
      },
      chunkBytes: e.APPLCM_PLUGIN_CHUNK_BYTES,
      maxReceiveMessageBytes: e.APPLCM_PLUGIN_MAX_RECEIVE_BYTES,
      healthIntervalMs: e.APPLCM_PLUGIN_HEALTH_INTERVAL_MS,
      maxLifecycleCalls: e.APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS,
    },
    packages: {
      maxBytes: e.APPLCM_MAX_PACKAGE_BYTES,
      maxPerTenant: e.APPLCM_MAX_PACKAGES_PER_TENANT,
      strictIntegrity: e.APPLCM_PACKAGE_INTEGRITY === 'strict',
      allowPrivateUrls: e.APPLCM_ALLOW_PRIVATE_PACKAGE_URLS,
      urlTimeoutMs: e.APPLCM_PACKAGE_URL_TIMEOUT_MS,
      archive: {
        maxEntries: e.APPLCM_PACKAGE_MAX_ENTRIES,
        maxEntryBytes: e.APPLCM_PACKAGE_MAX_ENTRY_BYTES,
        maxTotalBytes: e.APPLCM_PACKAGE_MAX_INFLATED_BYTES,
        maxDepth: DEFAULT_ARCHIVE_LIMITS.maxDepth,
        maxRatio: e.APPLCM_PACKAGE_MAX_RATIO,
        maxDescriptorBytes: e.APPLCM_PACKAGE_MAX_DESCRIPTOR_BYTES,
        maxNestedArchiveBytes: e.APPLCM_PACKAGE_MAX_NESTED_ARCHIVE_BYTES,
      },
    },
  };
}

/** The default TLS of plugin channels; undefined is plaintext. */
function pluginTls(e: Env): ClientTlsOptions | undefined {
  const on = e.APPLCM_PLUGIN_TLS ?? Boolean(e.APPLCM_PLUGIN_CA_FILE || e.APPLCM_PLUGIN_CERT_FILE);
  if (!on) return undefined;
  if (Boolean(e.APPLCM_PLUGIN_CERT_FILE) !== Boolean(e.APPLCM_PLUGIN_KEY_FILE)) {
    throw new PluginConfigError('APPLCM_PLUGIN_CERT_FILE and APPLCM_PLUGIN_KEY_FILE must be set together');
  }
  return { caFile: e.APPLCM_PLUGIN_CA_FILE, certFile: e.APPLCM_PLUGIN_CERT_FILE, keyFile: e.APPLCM_PLUGIN_KEY_FILE, serverName: e.APPLCM_PLUGIN_SERVER_NAME };
}
