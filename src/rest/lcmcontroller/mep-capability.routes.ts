import { Router } from 'express';
import { badInput } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { sendText, ShimError } from './envelope.js';
import { HOST_IP_FROM_URL } from './kpi.routes.js';
import { READERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkHostIp, hostByIp } from './shim-lookups.js';

const QUERY_FAILED = 'invalid mepCapabilities query';
/** The original capped the id at 36 characters; it goes into the MEP's URL, so only a safe alphabet passes here. */
const CAPABILITY_ID_RE = /^[A-Za-z0-9_-]{1,36}$/;

/**
 * Reads the MEP's capability list (or one capability) from its config API, the original's
 * `GET {MEP}/mepcfg/mec_platform_config/v1/capabilities[/{id}]`: the body passes on unchanged; an upstream refusal
 * keeps its status with 31022, an unreachable or unconfigured MEP is 500 31022.
 */
async function mepCapabilities(mep: LcmControllerDeps['shim']['mep'], capabilityId: string | undefined, log: Logger): Promise<string> {
  if (!mep.url) throw new ShimError(500, RetCode.CALL_FOR_MEP, QUERY_FAILED);
  const url = `${mep.url.replace(/\/+$/, '')}/mepcfg/mec_platform_config/v1/capabilities${capabilityId ? `/${capabilityId}` : ''}`;
  let res: Response;
  let body: Buffer;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(mep.timeoutMs), redirect: 'error' });
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > mep.maxBytes) throw new Error(`the answer has ${length} bytes, more than ${mep.maxBytes}`);
    body = Buffer.from(await res.arrayBuffer());
    if (body.length > mep.maxBytes) throw new Error(`the answer has more than ${mep.maxBytes} bytes`);
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'MEP capabilities query failed');
    throw new ShimError(500, RetCode.CALL_FOR_MEP, QUERY_FAILED);
  }
  if (!res.ok) throw new ShimError(res.status, RetCode.CALL_FOR_MEP, QUERY_FAILED);
  return body.toString('utf8');
}

/** The MEP capabilities of a host (rows 24–25 of applcm-original.md §1.1); the host must be one the tenant sees. */
export function mepCapabilityRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const route = shimRoute(
    d,
    { policy: READERS, failures: { fields: { hostIp: HOST_IP_FROM_URL, capabilityId: { retCode: RetCode.INVALID_CAPABILITY_ID, message: 'capability id is invalid from url' } } } },
    async (ctx, req, res) => {
      const ip = checkHostIp(req.params.hostIp);
      const capabilityId = typeof req.params.capabilityId === 'string' ? req.params.capabilityId : undefined;
      if (capabilityId !== undefined && !CAPABILITY_ID_RE.test(capabilityId)) throw badInput('capabilityId', 'capability id is invalid from url');
      await hostByIp(ctx, d.hosts, ip, String(req.params.tenantId));
      sendText(res, await mepCapabilities(d.shim.mep, capabilityId, ctx.log));
    },
  );
  router.get('/v2/tenants/:tenantId/hosts/:hostIp/mep_capabilities', route);
  router.get('/v2/tenants/:tenantId/hosts/:hostIp/mep_capabilities/:capabilityId', route);
  return router;
}
