import { status } from '@grpc/grpc-js';
import {
  HealthResponse_Status,
  OperateRequest_Action,
  type OperateRequest,
  type OperateResponse,
  type CapabilitiesRequest,
  type CapabilitiesResponse,
  type HealthRequest,
  type HealthResponse,
  type InstanceRequest,
  type InstanceStatus,
  type PluginExtensionsServer,
  type WatchInstanceEvent,
  type WatchInstanceRequest,
} from '../../generated/proto/applcm_plugin.js';
import { checkUuid } from '../plugin-kit/identity.js';
import { absentStatus, instanceStatusOf, workloadEventOf } from './instance-view.js';
import { admit, configuredHost, existingInstance, type SimContext } from './sim-context.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { instanceKey } from './sim-store.js';

/** The protocol caps heartbeats at 30 s; the floor keeps a careless client from asking for a busy loop. */
const MAX_HEARTBEAT_MS = 30_000;
const MIN_HEARTBEAT_MS = 10;

const instanceIds = (r: InstanceRequest | WatchInstanceRequest) => ({ tenantId: r.tenantId, hostIp: r.hostIp, id: r.appInstanceId });

export function pluginExtensionsService(ctx: SimContext, operations: string[], version: string): PluginExtensionsServer {
  const { runner } = ctx;

  /** The instance a status request names, after the same checks as AppLCM/query. */
  const lookUp = async (r: InstanceRequest | WatchInstanceRequest) => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
    return existingInstance(configuredHost(ctx, r.tenantId, r.hostIp), r.appInstanceId);
  };

  return {
    health: runner.unary<HealthRequest, HealthResponse>('health', () => ({}), () =>
      Promise.resolve({ status: ctx.health.ok ? HealthResponse_Status.SERVING : HealthResponse_Status.NOT_SERVING, message: ctx.health.ok ? '' : ctx.health.message }),
    ),

    capabilities: runner.unary<CapabilitiesRequest, CapabilitiesResponse>('capabilities', () => ({}), () =>
      Promise.resolve({
        vimTypes: [...ctx.vimTypes],
        protocolVersion: '1.0',
        operations: [...operations],
        pluginName: 'applcm-sim',
        pluginVersion: version,
        maxReceiveMessageBytes: ctx.maxReceiveMessageBytes,
      }),
    ),

    // STOP scales the workloads away (the instance reports no pods), START brings them back; both idempotent.
    operate: runner.unary<OperateRequest, OperateResponse>('operate', instanceIds, async (r) => {
      if (r.action !== OperateRequest_Action.START && r.action !== OperateRequest_Action.STOP) throw new RpcError(status.INVALID_ARGUMENT, 'action must be START or STOP');
      const inst = await lookUp(r);
      const target = r.action === OperateRequest_Action.STOP ? 'STOPPED' : 'RUNNING';
      if (inst.state !== target) {
        ctx.instances.setState(inst, target, r.action === OperateRequest_Action.STOP ? 'stopped by operate' : '');
        await ctx.persist.save(inst.tenantId, inst.hostIp);
      }
      return { status: 'Success' };
    }),

    instanceStatus: runner.unary<InstanceRequest, InstanceStatus>('instanceStatus', instanceIds, async (r) => instanceStatusOf(await lookUp(r))),

    watchInstance: runner.serverStream<WatchInstanceRequest, WatchInstanceEvent>('watchInstance', instanceIds, async (r, out) => {
      const inst = await lookUp(r);
      if (!out.isOpen) return; // the client gave up while we looked
      const interval = Math.max(MIN_HEARTBEAT_MS, Math.min(r.heartbeatMs > 0 ? r.heartbeatMs : ctx.heartbeatMs, MAX_HEARTBEAT_MS));
      let timer: NodeJS.Timeout | undefined;
      // Every message restarts the heartbeat: it only fills silence.
      const send = (event: WatchInstanceEvent['event']): void => {
        clearTimeout(timer);
        void out.send({ event });
        if (out.isOpen) timer = setTimeout(() => send({ $case: 'heartbeat', value: { at: new Date().toISOString() } }), interval);
      };
      const unsubscribe = ctx.hub.subscribe(instanceKey(inst.tenantId, inst.hostIp, inst.appInstanceId), (change) => {
        if (change.kind === 'status') send({ $case: 'status', value: instanceStatusOf(inst) });
        else if (change.kind === 'event') {
          if (r.includeEvents) send({ $case: 'workloadEvent', value: workloadEventOf(inst, change.event) });
        } else {
          // Nothing left to watch: say so, then end cleanly.
          send({ $case: 'status', value: absentStatus(inst.appInstanceId) });
          out.end();
        }
      });
      out.onClose(() => {
        unsubscribe();
        clearTimeout(timer);
      });
      send({ $case: 'status', value: instanceStatusOf(inst) });
    }),
  };
}
