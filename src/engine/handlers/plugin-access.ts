import type { InstantiationState } from '../../db/entities/index.js';
import { sqlRows } from '../../db/sql-tx.js';
import { DomainError, ErrorCode } from '../../errors.js';
import { InstanceStatus_State } from '../../generated/proto/applcm_plugin.js';
import type { CallOptions, PluginClient, PluginTarget } from '../../plugins/plugin-client.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { HandlerContext } from '../operation-handler.js';

/** What the handlers need of an operation's instance and its host. */
export interface PluginInstance {
  id: string;
  packageId: string;
  name: string;
  instantiationState: InstantiationState;
  parameters: Record<string, string>;
  /** Only when asked for (instantiate); empty otherwise. */
  secrets: Record<string, string>;
  host: { tenantId: string | null; ip: string; vim: string };
}

export interface InstanceOnPlugin {
  inst: PluginInstance;
  client: PluginClient;
  target: PluginTarget;
}

/** An operation's instance with its host, as one statement reads it (the secrets only when asked for). */
export interface InstanceHostRow {
  id: string;
  package_id: string;
  name: string;
  instantiation_state: InstantiationState;
  parameters: Record<string, string>;
  secrets: Record<string, string> | null;
  host_tenant: string | null;
  host_ip: string;
  host_vim: string;
}

/** The select list of an InstanceHostRow from `app_instance i` joined with `mec_host h`, with or without the secrets. */
export const instanceHostColumns = (secrets: string): string =>
  `i.id, i.package_id, i.name, i.instantiation_state, i.parameters, ${secrets} as secrets, h.tenant_id as host_tenant, h.ip as host_ip, h.vim as host_vim`;

/** Operation types whose handler opens the instance's secrets (the claim reads them for these only). */
export const SECRETS_FOR = ['INSTANTIATE'];

/**
 * The operation's instance with its host, the host's plugin client and the call target. The claim that handed the
 * operation to this worker read the row already (HandlerContext.claimed); otherwise, or when the secrets are asked
 * for and it did not read them, one statement reads it now.
 */
export async function instanceOnPlugin(ctx: HandlerContext, withSecrets = false): Promise<InstanceOnPlugin> {
  const id = ctx.op.instanceId;
  const claimed = ctx.claimed;
  const row =
    claimed !== undefined && (!withSecrets || claimed === null || claimed.secrets !== null)
      ? claimed
      : id
        ? (
            await sqlRows<InstanceHostRow>(
              ctx.db,
              `select ${instanceHostColumns(withSecrets ? 'i.secrets' : 'null')} from app_instance i join mec_host h on h.id = i.host_id where i.id = ?`,
              [id],
            )
          )[0]
        : undefined;
  if (!row) throw new DomainError(ErrorCode.NOT_FOUND, `app instance ${JSON.stringify(id)} no longer exists`, { resource: 'app instance' });
  const inst: PluginInstance = {
    id: row.id,
    packageId: row.package_id,
    name: row.name,
    instantiationState: row.instantiation_state,
    parameters: row.parameters,
    secrets: withSecrets && row.secrets ? ctx.secrets.open(row.secrets) : {},
    host: { tenantId: row.host_tenant, ip: row.host_ip, vim: row.host_vim },
  };
  const client = await ctx.plugins.clientFor(inst.host.vim);
  return { inst, client, target: pluginTarget(inst.host, await ctx.accessToken()) };
}

/**
 * Whether the plugin holds the instance: asked after a call whose outcome is unknown (its deadline passed) and when
 * an interrupted operation is resumed, so that nothing is deployed twice and nothing is assumed. With `deployed`, an
 * instance still DEPLOYING (a helm install in flight) does not count: the instantiate is not known to have
 * succeeded, and calling it again is safe (the plugin protocol makes it wait for the install in flight).
 */
export async function pluginHolds(p: InstanceOnPlugin, signal: AbortSignal, opts: { failedIsError?: boolean; deployed?: boolean } = {}): Promise<boolean> {
  try {
    const s = await p.client.instanceStatus(p.target, p.inst.id, { signal });
    // Present but failed is not a success to record: the operation stops, and a rollback cleans it up.
    if (opts.failedIsError && s.state === InstanceStatus_State.FAILED) {
      throw new DomainError(ErrorCode.PLUGIN_ERROR, `the plugin holds instance ${p.inst.id} but its deployment FAILED: ${s.reason || 'no reason given'}`, { pluginState: 'FAILED', reason: s.reason });
    }
    if (opts.deployed && s.state === InstanceStatus_State.DEPLOYING) return false;
    return s.state !== InstanceStatus_State.ABSENT;
  } catch (e) {
    if (!(e instanceof DomainError) || e.details.pluginState === 'FAILED') throw e;
    if (e.code === ErrorCode.NOT_FOUND) return false;
    if (e.details.grpcCode !== 'UNIMPLEMENTED') throw e;
  }
  // An original plugin: its query answers for a known instance and fails for an unknown one.
  try {
    const text = await p.client.query(p.target, p.inst.id, { signal });
    return text !== 'Failure' && !/"code":\s*404/.test(text);
  } catch (e) {
    if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) return false;
    throw e;
  }
}

/**
 * Call options for a lifecycle call of the operation: its signal and correlation id, and its progress showing when
 * the call waits for one of the plugin's call slots (hardening P11: the queue is visible on the operation).
 */
export function lifecycleCall(ctx: HandlerContext): CallOptions {
  const record = (p: Record<string, unknown>) => ctx.progress(p).catch((e: unknown) => ctx.log.warn({ err: e }, 'recording queue progress failed'));
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  return {
    signal: ctx.signal,
    correlationId: ctx.correlationId,
    // Shown only once the wait lasts: under load most waits end before a write would, and two writes (queued, then
    // running) with their events for each of them cost more than the calls they wait for.
    onQueued: (queued) => {
      clearTimeout(timer);
      if (queued) {
        timer = setTimeout(() => {
          if (ctx.signal.aborted) return;
          shown = true;
          void record({ step: 'queued', message: 'waiting for a free call slot of the plugin (APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS)' });
        }, QUEUED_SHOWN_AFTER_MS);
        timer.unref();
      } else if (shown) {
        void record({ step: 'running' });
      }
    },
  };
}

/** How long a lifecycle call waits for a plugin call slot before its operation shows it queued. */
const QUEUED_SHOWN_AFTER_MS = 250;
