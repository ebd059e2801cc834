import type { MikroORM } from '@mikro-orm/postgresql';
import type { SecretBox } from '../auth/secret-box.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { PackageStore } from '../packages/package-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { AccessTokens } from './access-tokens.js';
import { HANDLERS } from './handlers/index.js';
import { MepClient } from './mep-client.js';
import { OperationWorker } from './operation-worker.js';

export interface LcmEngine {
  tokens: AccessTokens;
  worker: OperationWorker;
  handlers: typeof HANDLERS;
}

export interface EngineDeps {
  orm: MikroORM;
  plugins: PluginRegistry;
  store: PackageStore;
  config: Config['engine'];
  log: Logger;
  /** A token for operations resumed without their caller's (the embedded default mints one with its dev key). */
  mintServiceToken?: () => Promise<string>;
  /** Opens the AK/SK an instance's row holds sealed. */
  secrets: SecretBox;
}

/** The operation engine of one server: its worker, the handlers per operation type, and the tokens it holds. */
export function createEngine(d: EngineDeps): LcmEngine {
  const configured = d.config.pluginAccessToken;
  const tokens = new AccessTokens(async () => configured ?? (await d.mintServiceToken?.()), Boolean(configured || d.mintServiceToken));
  const worker = new OperationWorker({
    orm: d.orm,
    plugins: d.plugins,
    store: d.store,
    mep: new MepClient(d.config.mep),
    tokens,
    secrets: d.secrets,
    handlers: HANDLERS,
    options: d.config,
    log: d.log.child({ component: 'engine' }),
  });
  return { tokens, worker, handlers: HANDLERS };
}
