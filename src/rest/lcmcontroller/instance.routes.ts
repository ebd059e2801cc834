import { Router } from 'express';
import type { AppInstance, MecHost } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { RequestContext } from '../../services/request-context.js';
import { sendOk, sendRaw, sendText, ShimError, type FailureSpec } from './envelope.js';
import { READERS, WRITERS } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { INSTANTIATE_FIELDS, instantiateAndWait, terminateAndWait } from './instance-lifecycle.js';
import { clientGone } from './operation-wait.js';
import { Message, RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import { checkInstanceId, INSTANCE_NOT_FOUND } from './shim-lookups.js';

const INSTANCE_FIELDS: FailureSpec = { fields: { appInstanceId: INSTANTIATE_FIELDS.appInstanceId } };

/** The instance of the path's tenant with this id, and its host; else 404 `App info record does not exist in database`. */
async function tenantInstance(d: LcmControllerDeps, ctx: RequestContext, tenantId: string, id: string): Promise<{ inst: AppInstance; host: MecHost }> {
  const missing = new ShimError(404, RetCode.NOT_FOUND_IN_DB, INSTANCE_NOT_FOUND);
  let inst: AppInstance;
  try {
    inst = await d.reads.instances.get(ctx, checkInstanceId(id));
  } catch (e) {
    throw e instanceof DomainError && e.code === ErrorCode.NOT_FOUND ? missing : e;
  }
  if (inst.tenantId !== tenantId) throw missing;
  return { inst, host: await d.hosts.get(ctx, inst.host.id) };
}

/** A plugin's refusal of a read: its "not found" is 404, anything else 500, each with the route's `retCode`. */
function readRefusal(e: unknown, notFound: RetCode, other: RetCode): unknown {
  if (!(e instanceof DomainError)) return e;
  if (e.code === ErrorCode.PLUGIN_UNAVAILABLE) return new ShimError(500, RetCode.FAILED_GET_PLUGIN, 'Failed to get client');
  if (e.code === ErrorCode.NOT_FOUND || /not found/i.test(e.message)) return new ShimError(404, notFound, e.message);
  return new ShimError(500, other, e.message);
}

/** RFC 3339 in seconds, as Go's time.Time marshals a database timestamp. */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * App instances: instantiate, terminate, batch terminate, query, workload events and the tenant's list (rows 10, 11,
 * 20–22, 26 of applcm-original.md §1.1), on LcmService and the read services as GraphQL. Instantiate and terminate
 * wait for their operation, at most APPLCM_SHIM_WAIT_S.
 */
export function instanceRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  const instances = '/v2/tenants/:tenantId/app_instances/:appInstanceId';

  router.post(
    `${instances}/instantiate`,
    shimRoute(d, { policy: WRITERS, failures: { fields: INSTANTIATE_FIELDS } }, async (ctx, req, res) => {
      await instantiateAndWait(d, ctx, req, clientGone(res));
      sendOk(res, 'Application instantiated successfully');
    }),
  );

  router.post(
    `${instances}/terminate`,
    shimRoute(d, { policy: WRITERS, failures: INSTANCE_FIELDS }, async (ctx, req, res) => {
      const id = checkInstanceId(String(req.params.appInstanceId));
      await terminateAndWait(d, ctx, String(req.params.tenantId), id, { deadline: Date.now() + d.shim.waitMs, signal: clientGone(res) });
      sendOk(res, 'Termination is successful');
    }),
  );

  router.delete(
    '/v1/tenants/:tenantId/app_instances/batchTerminate',
    shimRoute(d, { policy: WRITERS, failures: INSTANCE_FIELDS }, async (ctx, req, res) => {
      const body: unknown = req.body;
      const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).appInstances : undefined;
      if (typeof list !== 'string') throw badInput('body', Message.UNMARSHAL_FAILED);
      const ids = list.split(',').map((id) => checkInstanceId(id));
      // One bound for the whole batch; the first failure ends it, as in the original.
      const o = { deadline: Date.now() + d.shim.waitMs, signal: clientGone(res) };
      for (const id of ids) await terminateAndWait(d, ctx, String(req.params.tenantId), id, o);
      sendRaw(res, null);
    }),
  );

  router.get(
    instances,
    shimRoute(d, { policy: READERS, failures: INSTANCE_FIELDS }, async (ctx, req, res) => {
      const { inst, host } = await tenantInstance(d, ctx, String(req.params.tenantId), String(req.params.appInstanceId));
      try {
        sendText(res, await d.reads.live.statusJson(ctx, {}, inst, host));
      } catch (e) {
        throw readRefusal(e, RetCode.HOST_NOT_FOUND_IN_PLUGIN, RetCode.ERROR_REPORTED_BY_PLUGIN);
      }
    }),
  );

  router.get(
    `${instances}/workload/events`,
    shimRoute(d, { policy: READERS, failures: INSTANCE_FIELDS }, async (ctx, req, res) => {
      const { inst, host } = await tenantInstance(d, ctx, String(req.params.tenantId), String(req.params.appInstanceId));
      try {
        sendText(res, await d.reads.live.workloadEventsJson(ctx, inst, host));
      } catch (e) {
        throw readRefusal(e, RetCode.GET_WORKLOAD_FAILED, RetCode.GET_WORKLOAD_FAILED);
      }
    }),
  );

  router.get(
    '/v1/tenants/:tenantId/app_instances',
    shimRoute(d, { policy: READERS }, async (ctx, req, res) => {
      const tenantId = String(req.params.tenantId);
      const rows = [];
      for (let after: string | null = null; ; ) {
        const { page } = await d.reads.instances.list(ctx, { first: d.maxPageSize, after, filter: { tenantId } }, { host: true });
        rows.push(...page.nodes);
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      // The original's AppInfoRecord list; an empty one is Go's nil slice, `null`.
      sendRaw(
        res,
        rows.length === 0
          ? null
          : rows.map((i) => ({
              appInstanceId: i.id,
              createTime: rfc3339(i.createdAt),
              mecHost: i.loadedHost?.ip ?? '',
              deployType: '',
              tenantId: i.tenantId,
              appPackageId: i.packageId,
              appName: i.name,
              origin: i.origin,
              syncStatus: i.origin.toUpperCase() !== 'MEPM',
            })),
      );
    }),
  );

  return router;
}
