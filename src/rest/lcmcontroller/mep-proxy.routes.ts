import { Router } from 'express';
import type { Config } from '../../config.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { FailureSpec } from './envelope.js';
import { clientIp, READERS, type ShimAuthDeps } from './lcm-auth.js';
import { RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';

export interface MepProxyDeps extends ShimAuthDeps {
  mep: Config['shim']['mep'];
  allowUnsigned: boolean;
}

/** The MEP's service-governance reads the original passed through (applcm-original.md §1.7). */
const KINDS = ['services', 'kong_log', 'subscribe_statistic'] as const;

const MEP_NOT_READY = 'failed to execute rest calling, check if mep service is ready.';

const FAILURES: FailureSpec = {
  codes: {
    [ErrorCode.SERVICE_UNAVAILABLE]: { status: 503, retCode: RetCode.CALL_FOR_MEP },
    [ErrorCode.MEP_ERROR]: { status: 502, retCode: RetCode.CALL_FOR_MEP },
    [ErrorCode.DEADLINE_EXCEEDED]: { status: 504, retCode: RetCode.CALL_FOR_MEP },
  },
};

const mepError = (message: string, details: Record<string, unknown> = {}) => new DomainError(ErrorCode.MEP_ERROR, message, { service: 'mep', ...details });

/** The body of `res`, refused once it passes `maxBytes` (a MEP answer is read whole before it is passed on). */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw mepError(`the MEP answer (${declared} bytes) exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw mepError(`the MEP answer exceeds ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/**
 * `GET /v1/mep/services`, `/v1/mep/kong_log`, `/v1/mep/subscribe_statistic`: the MEP's
 * `/mep/service_govern/v1/<kind>` of the configured MEP (the original's hard-coded `mep-mm5.mep:80`), its answer
 * passed on as it came, with a deadline and a size cap. The original checked no token; the shim asks for one (any
 * role) unless the open mode is on.
 */
export function mepProxyRoutes(d: MepProxyDeps): Router {
  const router = Router();
  const policy = { ...READERS, tenantBound: false, open: d.allowUnsigned };
  for (const kind of KINDS) {
    router.get(
      `/v1/mep/${kind}`,
      shimRoute(d, { policy, failures: FAILURES }, async (_ctx, req, res) => {
        if (!d.mep.url) throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'no MEP is configured (APPLCM_MEP_URL or APPLCM_MEP_TERMINATION_URL)', { service: 'mep' });
        const url = `${d.mep.url.replace(/\/+$/, '')}/mep/service_govern/v1/${kind}`;
        const signal = AbortSignal.timeout(d.mep.timeoutMs);
        let upstream: Response;
        let body: Buffer;
        try {
          upstream = await fetch(url, { headers: { accept: 'application/json', 'x-real-ip': clientIp(req) }, signal, redirect: 'error' });
          body = await readCapped(upstream, d.mep.maxBytes);
        } catch (e) {
          if (e instanceof DomainError) throw e;
          if (signal.aborted) throw new DomainError(ErrorCode.DEADLINE_EXCEEDED, `the MEP did not answer within ${d.mep.timeoutMs} ms`, { service: 'mep' });
          throw mepError(MEP_NOT_READY);
        }
        if (!upstream.ok) throw mepError(`the MEP answered ${upstream.status} to GET /mep/service_govern/v1/${kind}`, { status: upstream.status });
        res.status(200).type(upstream.headers.get('content-type') ?? 'application/json').send(body);
      }),
    );
  }
  return router;
}
