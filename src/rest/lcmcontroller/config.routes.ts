import { Router } from 'express';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import { byteLength } from '../../services/validation.js';
import { readConfigForm } from '../host-config.routes.js';
import { sendOk, ShimError, type FailureSpec } from './envelope.js';
import { WRITERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { asPluginRefusal } from './operation-answers.js';
import { RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkHostIp, hostByIp } from './shim-lookups.js';

const CONFIG_FAILURES: FailureSpec = {
  fields: {
    hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid' },
    configFile: { retCode: RetCode.FILE_CAN_NOT_READ, message: 'Upload config file error' },
    content: { retCode: RetCode.FILE_CAN_NOT_READ, message: 'KubeConfig file validation is failed' },
  },
  codes: {
    [ErrorCode.PAYLOAD_TOO_LARGE]: { status: 400, retCode: RetCode.FILE_TOO_BIG, message: 'File size is larger than max size' },
  },
};

/** The original's file name rule: no extension at all (Go's filepath.Ext, so `.kube` has one) and ≤ 128 bytes. */
function checkConfigFileName(name: string): void {
  if (name.includes('.') || byteLength(name) > 128) {
    throw new ShimError(400, RetCode.FILE_NAME_TOO_LONG, "File shouldn't contains any extension or filename is larger than max size");
  }
}

/** A string form field, else the query string's (beego's GetString reads both). */
const formOrQuery = (fields: Record<string, string>, query: Record<string, unknown>, key: string): unknown => fields[key] ?? query[key];

/**
 * A host's VIM configuration (kubeconfig, OpenStack rc file), rows 17–18 of applcm-original.md §1.1, on the same
 * HostConfigService as GraphQL: the bytes go to the host's plugin and are never stored here.
 */
export function configRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const path = '/v2/tenants/:tenantId/configuration';

  router.post(
    path,
    shimRoute(d, { policy: WRITERS, failures: CONFIG_FAILURES, upload: true }, async (ctx, req, res) => {
      if (!req.is('multipart/form-data')) throw badInput('configFile', 'expected a multipart/form-data body with a `configFile` file part');
      const form = await readConfigForm(req);
      const ip = checkHostIp(formOrQuery(form.fields, req.query, 'hostIp'));
      const host = await hostByIp(ctx, d.hosts, ip, String(req.params.tenantId));
      if (!form.file) throw badInput('configFile', 'no configFile part in the form');
      checkConfigFileName(form.file.filename);
      try {
        await d.hostConfig.upload(ctx, host.id, form.file.content);
      } catch (e) {
        // The original answered every plugin failure of an upload with the same text.
        const refused = asPluginRefusal(e, RetCode.PLUGIN_REPORT_FAILED);
        if (refused instanceof ShimError && refused.status === 500) throw new ShimError(500, RetCode.PLUGIN_REPORT_FAILED, 'Failed to do operate on Plugin');
        throw refused;
      }
      sendOk(res, 'Upload config is successful');
    }),
  );

  router.delete(
    path,
    shimRoute(d, { policy: WRITERS, failures: CONFIG_FAILURES }, async (ctx, req, res) => {
      const ip = checkHostIp(req.query.hostIp);
      const host = await hostByIp(ctx, d.hosts, ip, String(req.params.tenantId));
      try {
        await d.hostConfig.remove(ctx, host.id);
      } catch (e) {
        throw e instanceof DomainError && e.code === ErrorCode.FORBIDDEN ? e : asPluginRefusal(e);
      }
      sendOk(res, 'Remove config is successful');
    }),
  );

  return router;
}
