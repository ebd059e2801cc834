import { setTimeout as sleep } from 'node:timers/promises';
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
import { instanceStatus, readInstance } from './instance-reader.js';
import { watchInstance } from './instance-watch.js';
import { isConflict } from './openstack/openstack-error.js';
import { admit, failure, instanceKey, type VmContext } from './vm-context.js';

const MAX_HEARTBEAT_MS = 30_000;
const MIN_HEARTBEAT_MS = 10;

const instanceIds = (r: InstanceRequest | WatchInstanceRequest | OperateRequest) => ({ tenantId: r.tenantId, hostIp: r.hostIp, id: r.appInstanceId });

export function pluginExtensionsService(ctx: VmContext, operations: string[], version: string): PluginExtensionsServer {
  const { runner } = ctx;
  const lookUp = async (r: InstanceRequest | WatchInstanceRequest | OperateRequest) => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
    return readInstance(ctx, r.tenantId, r.hostIp, r.appInstanceId.toLowerCase());
  };

  return {
    // The plugin itself: each host's cloud is reached per call, and its failures are that call's.
    health: runner.unary<HealthRequest, HealthResponse>('health', () => ({}), () =>
      Promise.resolve(ctx.health.ok ? { status: HealthResponse_Status.SERVING, message: '' } : { status: HealthResponse_Status.NOT_SERVING, message: ctx.health.message }),
    ),

    capabilities: runner.unary<CapabilitiesRequest, CapabilitiesResponse>('capabilities', () => ({}), () =>
      Promise.resolve({ vimTypes: ['openstack'], protocolVersion: '1.0', operations: [...operations], pluginName: 'applcm-vm', pluginVersion: version, maxReceiveMessageBytes: ctx.maxReceiveMessageBytes }),
    ),

    instanceStatus: runner.unary<InstanceRequest, InstanceStatus>('instanceStatus', instanceIds, async (r) => instanceStatus(await lookUp(r))),

    /** STOP: Nova os-stop on every server (SHUTOFF); START: os-start. Both idempotent (Nova's 409 for a server already there). */
    operate: runner.unary<OperateRequest, OperateResponse>('operate', instanceIds, async (r) => {
      if (r.action !== OperateRequest_Action.START && r.action !== OperateRequest_Action.STOP) throw new RpcError(status.INVALID_ARGUMENT, 'action must be START or STOP');
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkUuid(r.appInstanceId, 'appInstanceId');
      const id = r.appInstanceId.toLowerCase();
      const stop = r.action === OperateRequest_Action.STOP;
      await ctx.locks.run(instanceKey(r.tenantId, r.hostIp, id), async () => {
        const v = await readInstance(ctx, r.tenantId, r.hostIp, id);
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
        await ctx.store.putInstance(r.tenantId, r.hostIp, stop ? { ...rest, stopped: true } : rest);
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
