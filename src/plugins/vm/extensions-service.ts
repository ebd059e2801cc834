import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import type { ExtensionsHandlers } from '../plugin-kit/extensions-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { instanceStatus, readInstance, type InstanceView } from './instance-reader.js';
import { watchInstance } from './instance-watch.js';
import { isConflict } from './openstack/openstack-error.js';
import { failure, type VmContext } from './vm-context.js';

/**
 * PluginExtensions for OpenStack hosts. Health is the plugin itself (no probe): each host's cloud is reached per
 * call, and its failures are that call's.
 */
export function extensionsHandlers(ctx: VmContext): ExtensionsHandlers<InstanceView> {
  return {
    find: (tenantId, hostIp, appInstanceId) => readInstance(ctx, tenantId, hostIp, appInstanceId.toLowerCase()),
    status: instanceStatus,

    /** STOP: Nova os-stop on every server (SHUTOFF); START: os-start. Both idempotent (Nova's 409 for a server already there). */
    operate(tenantId, hostIp, appInstanceId, stop) {
      const id = appInstanceId.toLowerCase();
      return ctx.locks.run(instanceKey(tenantId, hostIp, id), async () => {
        const v = await readInstance(ctx, tenantId, hostIp, id);
        if (v.rec.state !== 'ACTIVE') throw new RpcError(status.FAILED_PRECONDITION, `instance ${id} is ${v.rec.state}, not deployed`);
        const want = stop ? 'SHUTOFF' : 'ACTIVE';
        try {
          for (const s of v.servers) {
            if (!s.server || s.server.status === want) continue;
            await v.cloud.nova.action(s.rec.id, { [stop ? 'os-stop' : 'os-start']: null }).catch((e: unknown) => {
              if (!isConflict(e)) throw e;
            });
          }
          const until = Date.now() + ctx.opts.bootTimeoutMs;
          for (const s of v.servers) {
            for (let cur = await v.cloud.nova.server(s.rec.id); cur && cur.status !== want; cur = await v.cloud.nova.server(s.rec.id)) {
              if (cur.status === 'ERROR' || Date.now() > until) throw new Error(`server ${s.rec.name} is ${cur.status}, not ${want}`);
              await sleep(ctx.opts.pollMs);
            }
          }
        } catch (e) {
          throw failure(`operate ${stop ? 'STOP' : 'START'} ${id}`, e);
        }
        const { stopped: _previous, ...rest } = v.rec;
        await ctx.store.putInstance(tenantId, hostIp, stop ? { ...rest, stopped: true } : rest);
        ctx.hub.publish(instanceKey(tenantId, hostIp, id), { kind: 'status' });
      });
    },

    watch: (first, r, out) => watchInstance(ctx, first, r, out),
  };
}
