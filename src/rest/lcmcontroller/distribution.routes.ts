import { Router } from 'express';
import { type AppPackage, DistributionState, OnboardingState, OperationState, OperationType, type PackageDistribution } from '../../db/entities/index.js';
import { badInput } from '../../errors.js';
import type { RequestContext } from '../../services/request-context.js';
import { checkText, NAME_RE } from '../../services/validation.js';
import { sendFailure, sendOk, ShimError, type FailureSpec } from './envelope.js';
import { WRITERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { operationFailure, stillRunning } from './operation-answers.js';
import { clientGone, startOrJoin, waitForOperation } from './operation-wait.js';
import { checkPathPackageId, tenantPackage } from './package.routes.js';
import { Message, RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkHostIp, hostByIp } from './shim-lookups.js';

const INVALID_INPUT = { retCode: RetCode.BAD_REQUEST, message: 'invalid input parameters' };

const DISTRIBUTE_FAILURES: FailureSpec = {
  fields: { hostIp: INVALID_INPUT, packageId: INVALID_INPUT, origin: INVALID_INPUT, body: { retCode: RetCode.FAILED_TO_UNMARSHAL, message: Message.UNMARSHAL_FAILED } },
};

const STATUS_FAILURES: FailureSpec = { fields: { packageId: { retCode: RetCode.PACKAGE_ID_INVALID, message: 'package id is invalid' } } };

/** The original's host status words (it mapped the plugins' uploading/uploaded to these). */
const STATUS_WORD: Record<DistributionState, string> = {
  [DistributionState.DISTRIBUTING]: 'Distributing',
  [DistributionState.DISTRIBUTED]: 'Distributed',
  [DistributionState.ERROR]: 'Error',
  [DistributionState.DELETING]: 'Deleting',
};

/** The original's `AppPackageStatusRecord`, key for key (the capitalised `AppPackageStatus` is really there). */
function statusRecord(pkg: AppPackage, rows: PackageDistribution[]) {
  return {
    appPkgName: pkg.name,
    appPkgVersion: pkg.packageVersion,
    appProvider: pkg.provider,
    appPkgDesc: pkg.description,
    appPkgAffinity: '',
    appId: pkg.appId,
    packageId: pkg.id,
    appIconUrl: '',
    createdTime: pkg.createdAt.toISOString(),
    modifiedTime: '',
    mecHostInfo: rows.length ? rows.map((r) => ({ hostIp: r.host.ip, status: STATUS_WORD[r.state], error: r.error ?? '', AppPackageStatus: null })) : null,
  };
}

/** The body `{"hostIp":["<ipv4>",...],"origin"}`: a wrong type is an unmarshal error, a wrong value invalid input. */
function parseDistribution(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('body', Message.UNMARSHAL_FAILED);
  const { hostIp, origin } = body as Record<string, unknown>;
  if ((hostIp !== undefined && hostIp !== null && !Array.isArray(hostIp)) || (origin !== undefined && origin !== null && typeof origin !== 'string')) throw badInput('body', Message.UNMARSHAL_FAILED);
  const ips = (hostIp ?? []) as unknown[];
  if (ips.some((ip) => typeof ip !== 'string')) throw badInput('body', Message.UNMARSHAL_FAILED);
  if (ips.length === 0) throw badInput('hostIp', 'give at least one hostIp');
  if (typeof origin === 'string') checkText(origin, { field: 'origin', maxBytes: 128, pattern: NAME_RE });
  return ips.map((ip) => checkHostIp(ip));
}

/** Every onboarded package of the path's tenant, oldest first. */
async function tenantPackages(d: LcmControllerDeps, ctx: RequestContext, tenantId: string): Promise<AppPackage[]> {
  const out: AppPackage[] = [];
  for (let after: string | null = null; ; ) {
    const page = await d.packages.list(ctx, { first: d.maxPageSize, after, filter: { onboardingState: OnboardingState.ONBOARDED } });
    out.push(...page.nodes.filter((p) => p.tenantId === tenantId));
    if (!page.hasNextPage) return out;
    after = page.endCursor;
  }
}

/**
 * Distribution of packages to hosts and its status: rows 31–33 of applcm-original.md §1.1, on LcmService as GraphQL.
 * Distribute waits for its operation (the original streamed the package to the plugin before answering), so the
 * status reads Distributed once it answers; a re-sent distribute joins the running operation or, once every host
 * holds the package, answers at once.
 */
export function distributionRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const packages = '/v2/tenants/:tenantId/packages';

  router.post(
    `${packages}/:packageId`,
    shimRoute(d, { policy: WRITERS, failures: DISTRIBUTE_FAILURES }, async (ctx, req, res) => {
      const tenantId = String(req.params.tenantId);
      const ips = parseDistribution(req.body);
      const id = checkPathPackageId(req.params.packageId);
      const pkg = await tenantPackage(d, ctx, tenantId, id, 'App package does not exist');
      const hostIds = new Set<string>();
      for (const ip of ips) hostIds.add((await hostByIp(ctx, d.hosts, ip, tenantId)).id);
      const rows = (await pkg.distributions.load({ populate: ['host'] })).getItems().filter((r) => hostIds.has(r.host.id));
      if (rows.length === hostIds.size && rows.every((r) => r.state === DistributionState.DISTRIBUTED)) {
        return sendOk(res, 'Distributed application package successfully');
      }
      const started = await startOrJoin(d, ctx, OperationType.DISTRIBUTE, () => d.lcm.distribute(ctx, id, [...hostIds]));
      const op = await waitForOperation(d, ctx, started.id, { timeoutMs: d.shim.waitMs, signal: clientGone(res) });
      if (op.state === OperationState.COMPLETED) return sendOk(res, 'Distributed application package successfully');
      throw op.state === OperationState.STARTING || op.state === OperationState.PROCESSING ? stillRunning(op, d.shim.waitMs, RetCode.INTERNAL_SERVER) : operationFailure(op, RetCode.INTERNAL_SERVER);
    }),
  );

  const status = (one: boolean) =>
    shimRoute(d, { policy: WRITERS, failures: STATUS_FAILURES }, async (ctx, req, res) => {
      const tenantId = String(req.params.tenantId);
      const pkgs = one ? [await tenantPackage(d, ctx, tenantId, checkPathPackageId(req.params.packageId), Message.RECORDS_DO_NOT_EXIST)] : await tenantPackages(d, ctx, tenantId);
      if (pkgs.length === 0) return sendFailure(res, new ShimError(404, RetCode.RECORD_NOT_EXIST, Message.RECORDS_DO_NOT_EXIST), {}, d.log);
      await ctx.em.populate(pkgs, ['distributions.host']);
      sendOk(
        res,
        'Query app package records successful',
        pkgs.map((p) => statusRecord(p, p.distributions.getItems())),
      );
    });
  router.get(packages, status(false));
  router.get(`${packages}/:packageId`, status(true));

  return router;
}
