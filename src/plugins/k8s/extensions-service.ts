import { status } from '@grpc/grpc-js';
import type { ExtensionsHandlers } from '../plugin-kit/extensions-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { failure } from './instance-deployer.js';
import { readInstance, type InstanceView } from './instance-reader.js';
import { watchInstance } from './instance-watch.js';
import type { K8sContext } from './k8s-context.js';

/** Workloads that scale: operate STOP sets their replicas to 0, START back to what they had. */
const SCALABLE = new Set(['Deployment', 'StatefulSet']);

/** PluginExtensions for Kubernetes hosts: instances as the cluster shows them, watched through the API. */
export function extensionsHandlers(ctx: K8sContext): ExtensionsHandlers<InstanceView> {
  return {
    // Serving needs a helm that runs.
    probe: () => ctx.helm.version(),
    find: (tenantId, hostIp, appInstanceId) => readInstance(ctx, tenantId, hostIp, appInstanceId),
    status: (v) => v.status,

    operate(tenantId, hostIp, appInstanceId, stop) {
      const id = appInstanceId.toLowerCase();
      return ctx.locks.run(instanceKey(tenantId, hostIp, id), async () => {
        const v = await readInstance(ctx, tenantId, hostIp, id);
        if (stop === (v.rec.stopped !== undefined)) return;
        const bare = v.objects.filter((o) => o.kind === 'Pod');
        if (stop && bare.length) throw new RpcError(status.FAILED_PRECONDITION, `cannot stop ${bare.map((o) => `Pod/${o.name}`).join(', ')}: pods without a controller cannot be scaled to zero`);
        const scalable = v.objects.filter((o) => SCALABLE.has(o.kind));
        const saved: Record<string, number> = {};
        try {
          for (const o of scalable) {
            const ns = o.namespace ?? v.rec.namespace;
            const key = `${o.kind}/${o.name}`;
            const read = o.kind === 'Deployment' ? (x: object) => v.kube.apps.readNamespacedDeployment({ namespace: ns, name: o.name }, x) : (x: object) => v.kube.apps.readNamespacedStatefulSet({ namespace: ns, name: o.name }, x);
            const cur = await v.kube.call(`read ${key}`, read);
            saved[key] = cur.spec?.replicas ?? 1;
            const replicas = stop ? 0 : (v.rec.stopped?.[key] ?? 1);
            const body = [{ op: 'replace', path: '/spec/replicas', value: replicas }];
            await v.kube.call(`scale ${key} to ${replicas}`, (x) =>
              o.kind === 'Deployment' ? v.kube.apps.patchNamespacedDeployment({ namespace: ns, name: o.name, body }, x) : v.kube.apps.patchNamespacedStatefulSet({ namespace: ns, name: o.name, body }, x),
            );
          }
        } catch (e) {
          throw failure(`operate ${stop ? 'STOP' : 'START'} ${id}`, e);
        }
        const { stopped: _previous, ...rest } = v.rec;
        await ctx.store.putInstance(tenantId, hostIp, stop ? { ...rest, stopped: saved } : rest);
        ctx.hub.publish(instanceKey(tenantId, hostIp, id), { kind: 'status' });
      });
    },

    watch: (first, r, out) => watchInstance(ctx, first, r, out),
  };
}
