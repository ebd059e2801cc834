import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { type AppPackage, type LcmOperation, OperationState, OperationType } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import { checkAppId } from '../../services/package.validation.js';
import type { RequestContext } from '../../services/request-context.js';
import { byteLength } from '../../services/validation.js';
import { receiveUpload } from '../package.routes.js';
import { sendOk, sendRaw, ShimError, type FailureSpec } from './envelope.js';
import { callerOrigin, READERS, WRITERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { operationFailure, stillRunning } from './operation-answers.js';
import { clientGone, startOrJoin, waitForOperation } from './operation-wait.js';
import { Message, RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkHostIp, hostByIp, orMissing } from './shim-lookups.js';

/** The original's id checks (≤ 64, ≤ 32 characters); ours also keep ids to a safe alphabet (§9A 10). */
const PACKAGE_FIELDS: NonNullable<FailureSpec['fields']> = {
  packageId: { retCode: RetCode.PACKAGE_ID_INVALID, message: 'package id is invalid' },
  appId: { retCode: RetCode.APP_ID_INVALID, message: 'AppName is invalid' },
  origin: { retCode: RetCode.ORIGIN_INVALID, message: 'Origin is invalid' },
};

const UPLOAD_FAILURES: FailureSpec = {
  fields: { ...PACKAGE_FIELDS, package: { retCode: RetCode.FILE_CAN_NOT_READ, message: 'Upload config file error' } },
  codes: {
    [ErrorCode.PAYLOAD_TOO_LARGE]: { status: 400, retCode: RetCode.FILE_TOO_BIG, message: 'File size is larger than max size' },
    // The original overwrote a package id with other bytes; we keep the first and refuse the second.
    [ErrorCode.CONFLICT]: { status: 400, retCode: RetCode.FAILED_TO_SAVE_FILE },
  },
};

const DELETE_FAILURES: FailureSpec = {
  fields: { ...PACKAGE_FIELDS, hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid from url' } },
  // The original deleted records under running instances; we refuse while instances use the package.
  codes: { [ErrorCode.CONFLICT]: { status: 409, retCode: RetCode.DELETE_DATA_FAILED } },
};

const newHexId = () => randomUUID().replaceAll('-', '');

/** The original's upload file rule: extension exactly `.csar` or `.zip`, name ≤ 128 bytes. */
function checkPackageFileName(name: string): void {
  if (!/\.(csar|zip)$/.test(name) || byteLength(name) > 128) {
    throw new ShimError(400, RetCode.FAILED_TO_SAVE_FILE, "File shouldn't contains any extension or filename is larger than max size");
  }
}

/** A path's package id, checked as the original (≤ 64) and as ours (safe alphabet). */
export function checkPathPackageId(id: unknown): string {
  const s = typeof id === 'string' ? id : '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) throw badInput('packageId', 'package id is invalid');
  return s;
}

/** The path tenant's package with this id (an admin's path names the tenant), else the original's 404 `message`. */
export async function tenantPackage(d: LcmControllerDeps, ctx: RequestContext, tenantId: string, id: string, message: string): Promise<AppPackage> {
  const pkg = await orMissing(d.packages.get(ctx, id), 404, RetCode.RECORD_NOT_EXIST, message);
  if (pkg.tenantId !== tenantId) throw new ShimError(404, RetCode.RECORD_NOT_EXIST, message);
  return pkg;
}

/** Waits for removals from hosts, one after the other within one bound; answers the first that did not complete. */
async function removalsDone(d: LcmControllerDeps, ctx: RequestContext, ops: LcmOperation[], signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + d.shim.waitMs;
  for (const started of ops) {
    const op = await waitForOperation(d, ctx, started.id, { timeoutMs: Math.max(0, deadline - Date.now()), signal });
    if (op.state === OperationState.COMPLETED) continue;
    throw op.state === OperationState.STARTING || op.state === OperationState.PROCESSING ? stillRunning(op, d.shim.waitMs, RetCode.INTERNAL_SERVER) : operationFailure(op, RetCode.INTERNAL_SERVER);
  }
}

/**
 * Package upload, deletion (everywhere and from one host) and the package-deployed check: rows 19, 29, 30 and 4 of
 * applcm-original.md §1.1, on PackageService and LcmService as GraphQL. Distribution is in distribution.routes.ts.
 */
export function packageRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const packages = '/v2/tenants/:tenantId/packages';

  router.post(
    packages,
    shimRoute(d, { policy: WRITERS, failures: UPLOAD_FAILURES, upload: true }, async (ctx, req, res) => {
      if (!req.is('multipart/form-data')) throw badInput('package', 'expected a multipart/form-data body with a `package` file part');
      const tenantId = String(req.params.tenantId);
      const { pkg } = await receiveUpload(req, ctx, d.packages, tenantId, (filename, ident) => {
        // As the original: a missing appId is 32 hex digits, a missing packageId the appId and 32 more.
        ident.appId = ident.appId ? checkAppId(ident.appId) : newHexId();
        ident.packageId ||= `${ident.appId}${newHexId()}`;
        ident.origin ||= callerOrigin(req) ?? 'MEO';
        checkPackageFileName(filename);
      });
      sendOk(res, 'Uploaded application package successfully', { appId: pkg.appId, packageId: pkg.id });
    }),
  );

  router.delete(
    `${packages}/:packageId`,
    shimRoute(d, { policy: WRITERS, failures: DELETE_FAILURES }, async (ctx, req, res) => {
      const id = checkPathPackageId(req.params.packageId);
      const pkg = await tenantPackage(d, ctx, String(req.params.tenantId), id, Message.RECORDS_DO_NOT_EXIST);
      // The original meant to delete the package from every host first (it never did, §9A 4): we do.
      const rows = (await pkg.distributions.load({ populate: ['host'] })).getItems();
      const removals: LcmOperation[] = [];
      for (const row of rows) removals.push(await startOrJoin(d, ctx, OperationType.REMOVE_FROM_HOST, () => d.lcm.removeFromHost(ctx, id, row.host.id)));
      await removalsDone(d, ctx, removals, clientGone(res));
      try {
        // A fresh unit of work: the one above holds the package as it was before the removals changed it.
        await d.packages.delete({ ...ctx, em: ctx.em.fork() }, id);
      } catch (e) {
        // A twin request deleted it meanwhile: deleted is what was asked.
        if (!(e instanceof DomainError && e.code === ErrorCode.NOT_FOUND)) throw e;
      }
      sendOk(res, 'Deleted application package successfully');
    }),
  );

  router.delete(
    `${packages}/:packageId/hosts/:hostIp`,
    shimRoute(d, { policy: WRITERS, failures: DELETE_FAILURES }, async (ctx, req, res) => {
      const tenantId = String(req.params.tenantId);
      const id = checkPathPackageId(req.params.packageId);
      const ip = checkHostIp(req.params.hostIp);
      await tenantPackage(d, ctx, tenantId, id, 'App package record does not exist in database');
      const host = await hostByIp(ctx, d.hosts, ip, tenantId);
      const op = await orMissing(
        startOrJoin(d, ctx, OperationType.REMOVE_FROM_HOST, () => d.lcm.removeFromHost(ctx, id, host.id)),
        404,
        RetCode.RECORD_NOT_EXIST,
        'App package host record does not exist in database',
      );
      await removalsDone(d, ctx, [op], clientGone(res));
      sendOk(res, 'Deleted host application package successfully');
    }),
  );

  router.get(
    '/v1/hosts/:hostIp/packages/:packageId/status',
    shimRoute(d, { policy: READERS, failures: { fields: { hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid' }, packageId: PACKAGE_FIELDS.packageId! } } }, async (ctx, req, res) => {
      const ip = checkHostIp(req.params.hostIp);
      const packageId = checkPathPackageId(req.params.packageId);
      const hosts = await d.hosts.list(ctx, { first: 100, filter: { ip } });
      let deployed = false;
      for (const host of hosts.nodes) {
        const found = await d.reads.instances.list(ctx, { first: 1, filter: { packageId, hostId: host.id } });
        if ((deployed = found.page.nodes.length > 0)) break;
      }
      sendRaw(res, { package_deployed: deployed });
    }),
  );

  return router;
}
