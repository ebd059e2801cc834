import { status } from '@grpc/grpc-js';
import {
  HealthResponse_Status,
  OperateRequest_Action,
  type CapabilitiesRequest,
  type CapabilitiesResponse,
  type HealthRequest,
  type HealthResponse,
  type InstanceRequest,
  type InstanceStatus,
  type OperateRequest,
  type OperateResponse,
  type PluginExtensionsServer,
  type WatchInstanceEvent,
  type WatchInstanceRequest,
} from '../../generated/proto/applcm_plugin.js';
import { checkUuid } from '../plugin-kit/identity.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { failure } from './instance-deployer.js';
import { readInstance } from './instance-reader.js';
import { watchInstance } from './instance-watch.js';
import { admit, instanceKey, type K8sContext } from './k8s-context.js';

const MAX_HEARTBEAT_MS = 30_000;
const MIN_HEARTBEAT_MS = 10;

const instanceIds = (r: InstanceRequest | WatchInstanceRequest | OperateRequest) => ({ tenantId: r.tenantId, hostIp: r.hostIp, id: r.appInstanceId });

/** Workloads that scale: operate STOP sets their replicas to 0, START back to what they had. */
const SCALABLE = new Set(['Deployment', 'StatefulSet']);

export function pluginExtensionsService(ctx: K8sContext, operations: string[], version: string): PluginExtensionsServer {
  const { runner } = ctx;
  const lookUp = async (r: InstanceRequest | WatchInstanceRequest | OperateRequest) => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
    return readInstance(ctx, r.tenantId, r.hostIp, r.appInstanceId);
  };

  return {
    health: runner.unary<HealthRequest, HealthResponse>('health', () => ({}), async () => {
      if (!ctx.health.ok) return { status: HealthResponse_Status.NOT_SERVING, message: ctx.health.message };
      try {
        await ctx.helm.version();
        return { status: HealthResponse_Status.SERVING, message: '' };
      } catch (e) {
        return { status: HealthResponse_Status.NOT_SERVING, message: e instanceof Error ? e.message : String(e) };
      }
    }),

    capabilities: runner.unary<CapabilitiesRequest, CapabilitiesResponse>('capabilities', () => ({}), () =>
      Promise.resolve({
        vimTypes: ['k8s'],
        protocolVersion: '1.0',
        operations: [...operations],
        pluginName: 'applcm-k8s',
        pluginVersion: version,
        maxReceiveMessageBytes: ctx.maxReceiveMessageBytes,
      }),
    ),

    instanceStatus: runner.unary<InstanceRequest, InstanceStatus>('instanceStatus', instanceIds, async (r) => (await lookUp(r)).status),

    operate: runner.unary<OperateRequest, OperateResponse>('operate', instanceIds, async (r) => {
      if (r.action !== OperateRequest_Action.START && r.action !== OperateRequest_Action.STOP) throw new RpcError(status.INVALID_ARGUMENT, 'action must be START or STOP');
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      const id = r.appInstanceId.toLowerCase();
      await ctx.locks.run(instanceKey(r.tenantId, r.hostIp, id), async () => {
        const v = await readInstance(ctx, r.tenantId, r.hostIp, id);
        const stop = r.action === OperateRequest_Action.STOP;
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
        await ctx.store.putInstance(r.tenantId, r.hostIp, stop ? { ...rest, stopped: saved } : rest);
        ctx.hub.publish(instanceKey(r.tenantId, r.hostIp, id), { kind: 'status' });
      });
      return { status: 'Success' };
    }),

    watchInstance: runner.serverStream<WatchInstanceRequest, WatchInstanceEvent>('watchInstance', instanceIds, async (r, out) => {
      const first = await lookUp(r);
      if (!out.isOpen) return;
      const heartbeatMs = Math.max(MIN_HEARTBEAT_MS, Math.min(r.heartbeatMs > 0 ? r.heartbeatMs : ctx.opts.heartbeatMs, MAX_HEARTBEAT_MS));
      watchInstance(ctx, first, { tenantId: r.tenantId, hostIp: r.hostIp, includeEvents: r.includeEvents, heartbeatMs }, out);
    }),
  };
}
