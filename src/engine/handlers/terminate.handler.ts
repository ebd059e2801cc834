import { InstantiationState } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { OperationHandler } from '../operation-handler.js';
import { instanceOnPlugin, lifecycleCall, pluginHolds } from './plugin-access.js';
import { deleteInstance } from './row-changes.js';

export type TerminationMode = 'GRACEFUL' | 'FORCEFUL';

/**
 * Removes an instance from its host, then its row. GRACEFUL first stops the workloads (PluginExtensions.operate)
 * and gives them up to the timeout; FORCEFUL terminates at once. A plugin that no longer holds the instance
 * answers Success (terminate is idempotent), so terminating what a failed instantiate left behind works too.
 */
export const terminateHandler: OperationHandler = {
  async run(ctx) {
    const p = await instanceOnPlugin(ctx);
    const mode = (ctx.op.params.mode as TerminationMode | undefined) ?? 'FORCEFUL';
    const timeoutSeconds = Number(ctx.op.params.timeoutSeconds ?? 0);
    if (mode === 'GRACEFUL' && timeoutSeconds > 0 && p.inst.instantiationState === InstantiationState.INSTANTIATED) {
      await ctx.progress({ step: 'stopping', timeoutSeconds });
      const graceful = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutSeconds * 1000)]);
      try {
        await p.client.operate(p.target, p.inst.id, 'STOP', { signal: graceful, correlationId: ctx.correlationId });
      } catch (e) {
        // An original plugin cannot stop, and a stop that overran its time is cut short: terminate either way.
        if (ctx.signal.aborted) throw e;
        ctx.log.info({ err: (e as Error).message }, 'graceful stop did not complete; terminating');
      }
    }
    await ctx.progress({ step: 'terminating' });
    try {
      await p.client.terminate(p.target, p.inst.id, lifecycleCall(ctx));
    } catch (e) {
      if (!(e instanceof DomainError && e.code === ErrorCode.DEADLINE_EXCEEDED && !(await pluginHolds(p, ctx.signal)))) throw e;
    }
    // As the original: the MEP hears that the instance is gone (a 404 there counts as done).
    await ctx.mep.terminate(p.inst.id, ctx.signal);
    return null;
  },

  completed: (op) => [deleteInstance(op.instanceId!)],
};
