import type { Request, RequestHandler } from 'express';
import type { Config } from '../../config.js';
import type { MecHost } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { ResourceRequests, ResourceRpc } from '../../plugins/plugin-client.js';
import type { PluginRegistry } from '../../plugins/plugin-registry.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { HostService } from '../../services/host.service.js';
import type { RequestContext } from '../../services/request-context.js';
import { isUuid } from '../../services/validation.js';
import { sendOk, sendText, ShimError, type FailureSpec } from '../lcmcontroller/envelope.js';
import type { AccessPolicy, ShimAuthDeps } from '../lcmcontroller/lcm-auth.js';
import { clientGone } from '../lcmcontroller/operation-wait.js';
import { Message, RetCode } from '../lcmcontroller/ret-codes.js';
import { shimRoute } from '../lcmcontroller/shim-route.js';
import { checkHostIp, HOST_NOT_FOUND, hostByIp } from '../lcmcontroller/shim-lookups.js';

/** What the rescontroller routes run on: the hosts as GraphQL sees them and the plugins' resource services. */
export interface RescontrollerDeps extends ShimAuthDeps {
  hosts: HostService;
  plugins: PluginRegistry;
  shim: Config['shim'];
}

/**
 * The rescontroller's own `retCode`s (applcm-original.md §7.2): it numbered a bad client address 31000 and a missing
 * host 31001, where the lcmcontroller's catalogue has forbidden and authorization failed (which it keeps for token
 * failures, told apart by their 403/401 status).
 */
export const ResRetCode = {
  IP_INVALID: RetCode.FORBIDDEN,
  HOST_NOT_FOUND: RetCode.TOKEN_INVALID,
  GET_PLUGIN_FAILED: RetCode.FAILED_GET_PLUGIN,
  PLUGIN_FAILED: RetCode.PLUGIN_REPORT_FAILED,
} as const;

export const PLUGIN_FAILED = 'Failed to do operate on Plugin';

/** The original's texts and codes for the checks of its common flow (§1.8). */
const RES_FAILURES: FailureSpec = {
  fields: {
    clientIp: { retCode: ResRetCode.IP_INVALID, message: Message.CLIENT_IP_INVALID },
    hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'Host address is invalid from url' },
  },
};

/** One call of a resource service, as a route builds it from its request. */
export type ResourceCall = { [K in ResourceRpc]: { rpc: K; req: ResourceRequests[K] } }[ResourceRpc];

export const resourceCall = <K extends ResourceRpc>(rpc: K, req: ResourceRequests[K]): ResourceCall => ({ rpc, req }) as ResourceCall;

/**
 * An id of the path: a lower-case UUID as the original required (400 `<what> id is invalid`). Flavors also take
 * Nova's short ids (`1`, `m1.tiny-2`): the original refused them, which left a cloud's stock flavors unreachable.
 */
export function pathId(req: Request, param: string, what: string, shortIds = false): string {
  const id = String(req.params[param] ?? '');
  const ok = (isUuid(id) && id === id.toLowerCase()) || (shortIds && /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/.test(id));
  if (!ok) throw badInput(param, `${what} id is invalid`);
  return id;
}

/**
 * The host of the path's ip as the path's tenant sees it: its own, else a shared one, never another tenant's (the
 * original found only hosts keyed by the bare ip, i.e. admin-registered ones, §9A 19). 404 `31001` otherwise.
 */
async function resourceHost(ctx: RequestContext, d: RescontrollerDeps, ip: string, tenantId: string): Promise<MecHost> {
  try {
    return await hostByIp(ctx, d.hosts, ip, tenantId);
  } catch (e) {
    if (e instanceof ShimError && e.status === 404) throw new ShimError(404, ResRetCode.HOST_NOT_FOUND, HOST_NOT_FOUND);
    throw e;
  }
}

/** The plugin's answer to `call` on `host`; its failures as the original answered them (500 `31201`/`31202`). */
async function callPlugin(d: RescontrollerDeps, ctx: RequestContext, host: MecHost, call: ResourceCall, signal: AbortSignal): Promise<string> {
  try {
    const client = await d.plugins.clientFor(host.vim);
    const resource = client.resource.bind(client) as (rpc: ResourceRpc, t: ReturnType<typeof pluginTarget>, req: unknown, o: object) => Promise<string>;
    return await resource(call.rpc, pluginTarget(host, ctx.accessToken), call.req, { signal, correlationId: ctx.correlationId });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    if (e.code === ErrorCode.PLUGIN_UNAVAILABLE) throw new ShimError(500, ResRetCode.GET_PLUGIN_FAILED, 'Failed to get client');
    ctx.log.warn({ err: e, rpc: call.rpc, hostIp: host.ip }, 'resource call failed on the plugin');
    throw new ShimError(500, ResRetCode.PLUGIN_FAILED, `${PLUGIN_FAILED}: ${e.message}`);
  }
}

/** Whether a plugin's JSON answer reports success (retCode 0 or 200, or no retCode at all). */
function succeeded(answer: string): boolean {
  try {
    const o = JSON.parse(answer) as { retCode?: unknown };
    return typeof o !== 'object' || o === null || o.retCode === undefined || o.retCode === 0 || o.retCode === 200;
  } catch {
    return true;
  }
}

export interface ResourceRouteSpec {
  policy: AccessPolicy;
  /** The plugin call this request asks for; path ids and body are checked here, before any lookup. */
  call: (req: Request) => ResourceCall;
  /** A delete answers the original's `OK2("Delete <what> is successful", null)`; others pass the plugin's text on. */
  deleted?: string;
}

/**
 * One rescontroller route, in the original's order (§1.8 "Common flow"): client address, tenant id and token (under
 * `policy`), host ip, the request itself, the host, the plugin. Create, query, operate and import answer the
 * plugin's JSON text unchanged (appo reads its `data`/`retCode`/`message`); a delete the plugin did answers
 * `OK2`, one it refused (e.g. retCode 404) its text.
 */
export function resourceRoute(d: RescontrollerDeps, spec: ResourceRouteSpec): RequestHandler {
  return shimRoute(d, { policy: spec.policy, failures: RES_FAILURES }, async (ctx, req, res) => {
    const ip = checkHostIp(req.params.hostIp);
    const call = spec.call(req);
    const host = await resourceHost(ctx, d, ip, String(req.params.tenantId));
    const answer = await callPlugin(d, ctx, host, call, clientGone(res));
    if (spec.deleted && succeeded(answer)) return sendOk(res, `Delete ${spec.deleted} is successful`);
    sendText(res, answer);
  });
}
