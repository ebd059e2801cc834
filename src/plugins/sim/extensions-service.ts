import type { ExtensionsHandlers } from '../plugin-kit/extensions-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { WatchSender } from '../plugin-kit/watch-sender.js';
import { instanceStatusOf, workloadEventOf } from './instance-view.js';
import { configuredHost, existingInstance, type SimContext } from './sim-context.js';
import type { SimInstance } from './sim-store.js';

/** PluginExtensions on the simulator: its instances' states are what the tests (or the deploy delay) set. */
export function extensionsHandlers(ctx: SimContext): ExtensionsHandlers<SimInstance> {
  const find = (tenantId: string, hostIp: string, appInstanceId: string) => existingInstance(configuredHost(ctx, tenantId, hostIp), appInstanceId);

  return {
    find,
    status: instanceStatusOf,

    // STOP scales the workloads away (the instance reports no pods), START brings them back; both idempotent.
    async operate(tenantId, hostIp, appInstanceId, stop) {
      const inst = find(tenantId, hostIp, appInstanceId);
      const target = stop ? 'STOPPED' : 'RUNNING';
      if (inst.state !== target) {
        ctx.instances.setState(inst, target, stop ? 'stopped by operate' : '');
        await ctx.persist.save(inst.tenantId, inst.hostIp);
      }
    },

    // Each change the lifecycle publishes is sent as it happens.
    watch(inst, r, out) {
      const sender = new WatchSender(out, r.heartbeatMs);
      const unsubscribe = ctx.hub.subscribe(instanceKey(inst.tenantId, inst.hostIp, inst.appInstanceId), (change) => {
        if (change.kind === 'status') sender.send({ $case: 'status', value: instanceStatusOf(inst) });
        else if (change.kind === 'event') {
          if (r.includeEvents) sender.send({ $case: 'workloadEvent', value: workloadEventOf(inst, change.event) });
        } else sender.gone(inst.appInstanceId);
      });
      out.onClose(unsubscribe);
      sender.send({ $case: 'status', value: instanceStatusOf(inst) });
    },
  };
}
