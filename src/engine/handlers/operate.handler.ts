import { InstanceOperationalState } from '../../db/entities/index.js';
import type { OperationHandler } from '../operation-handler.js';
import { instanceOnPlugin, lifecycleCall } from './plugin-access.js';
import { updateInstance } from './row-changes.js';

export type OperateAction = 'START' | 'STOP';

const stateAfter = (a: OperateAction) => (a === 'STOP' ? InstanceOperationalState.STOPPED : InstanceOperationalState.STARTED);
const inverse = (a: OperateAction): OperateAction => (a === 'STOP' ? 'START' : 'STOP');

/** Starts or stops an instance's workloads in place (both idempotent on the plugin, so a resumed run just repeats). */
export const operateHandler: OperationHandler = {
  async run(ctx) {
    const p = await instanceOnPlugin(ctx);
    await p.client.operate(p.target, p.inst.id, ctx.op.params.action as OperateAction, lifecycleCall(ctx));
    return null;
  },

  completed: (op) => [updateInstance(op.instanceId!, 'operational_state = ?', [stateAfter(op.params.action as OperateAction)], { required: true })],

  async rollback(ctx) {
    const p = await instanceOnPlugin(ctx);
    await p.client.operate(p.target, p.inst.id, inverse(ctx.op.params.action as OperateAction), lifecycleCall(ctx));
  },
};
