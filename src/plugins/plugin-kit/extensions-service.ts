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
import { SUCCESS } from './applcm-calls.js';
import { checkUuid } from './identity.js';
import { RpcError } from './rpc-error.js';
import type { ServerStream } from './server-stream.js';
import { admit, type ShellContext } from './shell-context.js';

/** The protocol caps heartbeats at 30 s; the floor keeps a careless client from asking for a busy loop. */
const MAX_HEARTBEAT_MS = 30_000;
const MIN_HEARTBEAT_MS = 10;

type InstanceCall = InstanceRequest | WatchInstanceRequest | OperateRequest;

const instanceIds = (r: InstanceCall) => ({ tenantId: r.tenantId, hostIp: r.hostIp, id: r.appInstanceId });

/** A watch as its handler is given it: the heartbeat already chosen within the protocol's bounds. */
export interface WatchRequest {
  tenantId: string;
  hostIp: string;
  includeEvents: boolean;
  heartbeatMs: number;
}

/** What capabilities announces. */
export interface PluginIdentity {
  pluginName: string;
  vimTypes: string[];
  /** The gRPC method paths served. */
  operations: string[];
  version: string;
}

/** What a plugin does for each PluginExtensions call once it passed the checks every plugin makes the same way. */
export interface ExtensionsHandlers<V> {
  /** A check of the plugin's own tools when it is not marked unhealthy; what it throws answers NOT_SERVING. */
  probe?(): Promise<unknown>;
  /** The instance a request names, as the plugin sees it now (NOT_FOUND for one it does not hold). */
  find(tenantId: string, hostIp: string, appInstanceId: string): V | Promise<V>;
  status(v: V): InstanceStatus;
  /** START (stop false) or STOP; both idempotent. */
  operate(tenantId: string, hostIp: string, appInstanceId: string, stop: boolean): Promise<void>;
  /** Streams the instance from `first` on: its status, each change, events when asked, ABSENT and the end when it goes. */
  watch(first: V, r: WatchRequest, out: ServerStream<WatchInstanceEvent>): void;
}

/** PluginExtensions on the kit: the checks, health, capabilities and the watch's heartbeat bounds, then `h`. */
export function extensionsService<V>(ctx: ShellContext, id: PluginIdentity, h: ExtensionsHandlers<V>): PluginExtensionsServer {
  const { runner } = ctx;

  const admitInstance = async (r: InstanceCall): Promise<void> => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
  };
  /** The instance a status request names, after the same checks as AppLCM/query. */
  const lookUp = async (r: InstanceCall): Promise<V> => {
    await admitInstance(r);
    return h.find(r.tenantId, r.hostIp, r.appInstanceId);
  };

  return {
    health: runner.unary<HealthRequest, HealthResponse>('health', () => ({}), async () => {
      if (!ctx.health.ok) return { status: HealthResponse_Status.NOT_SERVING, message: ctx.health.message };
      try {
        await h.probe?.();
        return { status: HealthResponse_Status.SERVING, message: '' };
      } catch (e) {
        return { status: HealthResponse_Status.NOT_SERVING, message: e instanceof Error ? e.message : String(e) };
      }
    }),

    capabilities: runner.unary<CapabilitiesRequest, CapabilitiesResponse>('capabilities', () => ({}), () =>
      Promise.resolve({
        vimTypes: [...id.vimTypes],
        protocolVersion: '1.0',
        operations: [...id.operations],
        pluginName: id.pluginName,
        pluginVersion: id.version,
        maxReceiveMessageBytes: ctx.maxReceiveMessageBytes,
      }),
    ),

    instanceStatus: runner.unary<InstanceRequest, InstanceStatus>('instanceStatus', instanceIds, async (r) => h.status(await lookUp(r))),

    operate: runner.unary<OperateRequest, OperateResponse>('operate', instanceIds, async (r) => {
      if (r.action !== OperateRequest_Action.START && r.action !== OperateRequest_Action.STOP) throw new RpcError(status.INVALID_ARGUMENT, 'action must be START or STOP');
      await admitInstance(r);
      await h.operate(r.tenantId, r.hostIp, r.appInstanceId, r.action === OperateRequest_Action.STOP);
      return SUCCESS;
    }),

    watchInstance: runner.serverStream<WatchInstanceRequest, WatchInstanceEvent>('watchInstance', instanceIds, async (r, out) => {
      const first = await lookUp(r);
      if (!out.isOpen) return; // the client gave up while we looked
      const heartbeatMs = Math.max(MIN_HEARTBEAT_MS, Math.min(r.heartbeatMs > 0 ? r.heartbeatMs : ctx.heartbeatMs, MAX_HEARTBEAT_MS));
      h.watch(first, { tenantId: r.tenantId, hostIp: r.hostIp, includeEvents: r.includeEvents, heartbeatMs }, out);
    }),
  };
}
