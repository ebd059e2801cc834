import { AppPackage } from '../../db/entities/index.js';
import type { AppConfiguration } from '../../packages/appd.js';
import type { HandlerContext } from '../operation-handler.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { OperationHandler } from '../operation-handler.js';
import { instanceOnPlugin, lifecycleCall, pluginHolds, type PluginInstance } from './plugin-access.js';
import { deleteInstance, updateInstance } from './row-changes.js';

/** Keys of `secrets` that are flags, not parameters for the plugin. */
export const AKSK_GENERATED = '__akSkGenerated';

/**
 * Deploys an instance through its host's plugin. The plugin contract makes instantiate idempotent for the same
 * instance and package, and the handler asks the plugin first when resuming or after a deadline, so an
 * interrupted or timed-out instantiate never deploys twice.
 */
export const instantiateHandler: OperationHandler = {
  async run(ctx) {
    const p = await instanceOnPlugin(ctx, true);
    if (ctx.resumed && (await pluginHolds(p, ctx.signal, { failedIsError: true, deployed: true }))) return { reconciled: true };
    const generated = p.inst.secrets[AKSK_GENERATED];
    // Keys starting with __ are the controller's own bookkeeping, not parameters.
    const secrets = Object.fromEntries(Object.entries(p.inst.secrets).filter(([k]) => !k.startsWith('__')));
    if (ctx.mep.configured) await registerWithMep(ctx, p.inst, secrets);
    try {
      await p.client.instantiate(
        p.target,
        { appInstanceId: p.inst.id, appPackageId: p.inst.packageId, parameters: { ...p.inst.parameters, ...secrets }, akSkLcmGen: generated === 'true' },
        lifecycleCall(ctx),
      );
    } catch (e) {
      // The outcome is unknown: the plugin says whether it holds the instance.
      if (e instanceof DomainError && e.code === ErrorCode.DEADLINE_EXCEEDED && (await pluginHolds(p, ctx.signal, { failedIsError: true, deployed: true }))) return { reconciled: true };
      throw e;
    }
    return null;
  },

  completed: (op) => [updateInstance(op.instanceId!, `instantiation_state = 'INSTANTIATED', operational_state = 'STARTED'`, [], { required: true })],

  async rollback(ctx) {
    const p = await instanceOnPlugin(ctx);
    await p.client.terminate(p.target, p.inst.id, lifecycleCall(ctx));
    await ctx.mep.terminate(p.inst.id, ctx.signal);
  },

  rolledBack: (op) => [deleteInstance(op.instanceId!)],
};

/** As the original: the AK/SK, the instance name, and the services the AppD asks of the MEP (optional, produced, required). */
async function registerWithMep(ctx: HandlerContext, inst: PluginInstance, secrets: Record<string, string>): Promise<void> {
  const pkg = await ctx.em().findOne(AppPackage, { id: inst.packageId }, { fields: ['id', 'appd'] });
  const conf = (pkg?.appd as { appConfiguration?: AppConfiguration | null } | null)?.appConfiguration ?? null;
  const services = conf ? [...conf.servicesOptional, ...conf.servicesProduced, ...conf.servicesRequired].map((s) => s.serName) : [];
  await ctx.mep.register(
    inst.id,
    { accessKey: secrets.ak ?? '', secretKey: secrets.sk ?? '', appName: inst.name, appdAppName: conf?.appName ?? inst.name, requiredServices: services },
    ctx.signal,
  );
}
