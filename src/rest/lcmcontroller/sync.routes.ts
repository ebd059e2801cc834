import type { EntityManager } from '@mikro-orm/postgresql';
import { type Response, Router } from 'express';
import { isAdmin } from '../../auth/principal.js';
import { Role } from '../../db/entities/index.js';
import { badInput } from '../../errors.js';
import { envelope, sendRaw, type FailureSpec } from './envelope.js';
import { isAnonymous, READERS, type AccessPolicy, type ShimAuthDeps } from './lcm-auth.js';
import { RetCode } from './ret-codes.js';
import { shimRoute } from './shim-route.js';
import type { SyncAnswer, SyncCursors, SyncStart } from './sync-cursors.js';
import type { SyncFeeds, SyncScope } from './sync-feeds.js';
import { listOrNull } from './sync-records.js';

export interface SyncRoutesDeps extends ShimAuthDeps {
  cursors: SyncCursors;
  feeds: SyncFeeds;
  allowUnsigned: boolean;
}

/** The v2 sync routes: admins only, and every failure is 401 (a guest too), as the original's admin-only check. */
const ADMINS: AccessPolicy = { roles: [Role.ADMIN], tenantBound: true, only401: true };

type Read<T> = (start: SyncStart, em: EntityManager, scope: SyncScope) => Promise<SyncAnswer<T>>;

/**
 * One sync route: the caller's position (per caller, path tenant and feed), what changed after it, the original's
 * body. Admins (and the anonymous caller of the open mode, as the original answered anyone) see every tenant's
 * records; a tenant its own and the shared hosts.
 */
function syncRoute<T>(d: SyncRoutesDeps, policy: AccessPolicy, failures: FailureSpec, feed: string, read: Read<T>, send: (res: Response, body: T) => void) {
  return shimRoute(d, { policy, failures }, async (ctx, req, res) => {
    const { principal } = ctx;
    const scope: SyncScope = { tenantId: isAnonymous(principal) || isAdmin(principal) ? null : principal.tenantId };
    const cursor = req.query.cursor;
    if (cursor !== undefined && typeof cursor !== 'string') throw badInput('cursor', 'cursor must be given once');
    const key = { caller: principal.userId, scope: typeof req.params.tenantId === 'string' ? req.params.tenantId : '', feed };
    await d.cursors.answer(key, cursor, res, (start, em) => read(start, em, scope), (body) => send(res, body));
  });
}

/**
 * The original's sync routes (rows 12, 13, 27, 28, 34, 35 of applcm-original.md §1.1) on the change feed: each
 * change is answered until the caller has confirmed receiving it (docs/rest-shim.md "Sync"), never marked on the
 * way out as the original did. Bodies are the original's; where it wrote two JSON documents, their keys share one
 * object; the v2 app-instance lists are also at the top level, where appo reads them (§9 rows 8–9).
 */
export function syncRoutes(d: SyncRoutesDeps): Router {
  const router = Router();
  const f = d.feeds;
  const hostReaders: AccessPolicy = { ...READERS, tenantBound: false, open: d.allowUnsigned };
  const plain: FailureSpec = {};

  router.get(
    '/v1/hosts/sync_updated',
    syncRoute(d, hostReaders, plain, 'hosts.updated', (s, em, scope) => f.hostsUpdated(s, em, scope), (res, recs) => sendRaw(res, { mecHostUpdatedRecs: listOrNull(recs) })),
  );
  router.get(
    '/v1/hosts/sync_deleted',
    syncRoute(d, hostReaders, plain, 'hosts.deleted', (s, em, scope) => f.hostsDeleted(s, em, scope), (res, recs) => sendRaw(res, { mecHostStaleRecs: listOrNull(recs) })),
  );

  const instances = '/v2/tenants/:tenantId/app_instances';
  router.get(
    `${instances}/sync_updated`,
    syncRoute(d, ADMINS, plain, 'instances.updated', (s, em, scope) => f.instancesUpdated(s, em, scope), (res, recs) => {
      const list = listOrNull(recs);
      res.status(200).json({ ...envelope({ appInstanceUpdatedRecs: list }, RetCode.SUCCESS, 'AppInstance synchronization is successful'), appInstanceUpdatedRecs: list });
    }),
  );
  router.get(
    `${instances}/sync_deleted`,
    syncRoute(d, ADMINS, plain, 'instances.deleted', (s, em, scope) => f.instancesDeleted(s, em, scope), (res, recs) => {
      const list = listOrNull(recs);
      res.status(200).json({ ...envelope({ appInstanceDeletedRecs: list }, RetCode.SUCCESS, 'Stale appInstance records synchronization is successful'), appInstanceDeletedRecs: list });
    }),
  );

  const packages = '/v2/tenants/:tenantId/packages';
  router.get(
    `${packages}/sync_updated`,
    syncRoute(d, ADMINS, plain, 'packages.updated', (s, em, scope) => f.packagesUpdated(s, em, scope), (res, recs) => {
      res.status(200).json({ appPackageRecord: listOrNull(recs), ...envelope(null, RetCode.SUCCESS, 'Application packages synchronization is successful') });
    }),
  );
  router.get(
    `${packages}/sync_deleted`,
    // The original's text for a bad tenant on this one route.
    syncRoute(d, ADMINS, { fields: { tenantId: { retCode: RetCode.TENANT_ID_INVALID, message: 'package id is invalid' } } }, 'packages.deleted', (s, em, scope) => f.packagesDeleted(s, em, scope), (res, recs) => {
      res.status(200).json({
        appPackageStaleRec: listOrNull(recs.appPackageStaleRec),
        appPackageHostStaleRec: listOrNull(recs.appPackageHostStaleRec),
        ...envelope(null, RetCode.SUCCESS, 'Stale app package records synchronization is successful'),
      });
    }),
  );

  return router;
}
