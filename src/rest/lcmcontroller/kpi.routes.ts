import { Router } from 'express';
import { DomainError, ErrorCode } from '../../errors.js';
import { sendText, ShimError } from './envelope.js';
import { READERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkHostIp, hostByIp } from './shim-lookups.js';

export const HOST_IP_FROM_URL = { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid from url' };

/** A host's KPI (row 23 of applcm-original.md §1.1): the plugin's queryKPI answer, byte for byte, as the original. */
export function kpiRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  router.get(
    '/v2/tenants/:tenantId/hosts/:hostIp/kpi',
    shimRoute(d, { policy: READERS, failures: { fields: { hostIp: HOST_IP_FROM_URL } } }, async (ctx, req, res) => {
      const host = await hostByIp(ctx, d.hosts, checkHostIp(req.params.hostIp), String(req.params.tenantId));
      let kpi: string;
      try {
        kpi = await d.reads.live.kpi(ctx, host);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        if (e.code === ErrorCode.PLUGIN_UNAVAILABLE) throw new ShimError(500, RetCode.FAILED_GET_PLUGIN, 'Failed to get client');
        throw e.code === ErrorCode.NOT_FOUND || /not found/i.test(e.message) ? new ShimError(404, RetCode.PLUGIN_NOT_FOUND, e.message) : new ShimError(500, RetCode.PLUGIN_REPORT_FAILED, e.message);
      }
      sendText(res, kpi);
    }),
  );
  return router;
}
