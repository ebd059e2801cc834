import { Router } from 'express';
import { EdgeCredentials } from './edge-credentials.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { loginRoutes } from './login.routes.js';
import { mepProxyRoutes } from './mep-proxy.routes.js';
import { SyncCursors } from './sync-cursors.js';
import { SyncFeeds } from './sync-feeds.js';
import { syncRoutes } from './sync.routes.js';

/**
 * What the original serves around the application routes (applcm-original.md §1.1 rows 2, 3, 12–16, 27, 28, 34, 35):
 * login and password, the MEP proxies and the sync routes. (The rate limit in front of every route is mounted by
 * the router itself, before health.)
 */
export function platformRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  router.use(loginRoutes({ ...d, credentials: new EdgeCredentials(d.orm, d.shim.login, d.log) }));
  router.use(mepProxyRoutes({ ...d, mep: d.shim.mep, allowUnsigned: d.shim.allowUnsigned }));
  router.use(syncRoutes({ ...d, cursors: new SyncCursors(d.orm, d.events.reader, d.log), feeds: new SyncFeeds(d.events.reader), allowUnsigned: d.shim.allowUnsigned }));
  return router;
}
