import { AppInstance } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import { InstanceStatus_State } from '../../generated/proto/applcm_plugin.js';
import type { PluginClient, PluginTarget } from '../../plugins/plugin-client.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { HandlerContext } from '../operation-handler.js';

export interface InstanceOnPlugin {
  inst: AppInstance;
  client: PluginClient;
  target: PluginTarget;
}

/** The operation's instance with its host and package, the host's plugin client and the call target. */
export async function instanceOnPlugin(ctx: HandlerContext, withSecrets = false): Promise<InstanceOnPlugin> {
  const id = ctx.op.instanceId;
  // One statement: the host joined, the package as a reference (only its id is needed), secrets only when asked.
  const inst = id ? await ctx.em().findOne(AppInstance, { id }, { populate: withSecrets ? ['host', 'secrets'] : ['host'], strategy: 'joined' }) : null;
  if (!inst) throw new DomainError(ErrorCode.NOT_FOUND, `app instance ${JSON.stringify(id)} no longer exists`, { resource: 'app instance' });
  const client = await ctx.plugins.clientFor(inst.host.vim);
  return { inst, client, target: pluginTarget(inst.host, await ctx.accessToken()) };
}

/**
 * Whether the plugin holds the instance: asked after a call whose outcome is unknown (its deadline passed) and when
 * an interrupted operation is resumed, so that nothing is deployed twice and nothing is assumed.
 */
export async function pluginHolds(p: InstanceOnPlugin, signal: AbortSignal, opts: { failedIsError?: boolean } = {}): Promise<boolean> {
  try {
    const s = await p.client.instanceStatus(p.target, p.inst.id, { signal });
    // Present but failed is not a success to record: the operation stops, and a rollback cleans it up.
    if (opts.failedIsError && s.state === InstanceStatus_State.FAILED) {
      throw new DomainError(ErrorCode.PLUGIN_ERROR, `the plugin holds instance ${p.inst.id} but its deployment FAILED: ${s.reason || 'no reason given'}`, { pluginState: 'FAILED', reason: s.reason });
    }
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
