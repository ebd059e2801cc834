import { Router } from 'express';
import type { LcmControllerDeps } from './lcmcontroller.router.js';

/**
 * What the original serves around the application routes (applcm-original.md §1.1 rows 2, 3, 12–16, 27, 28, 34, 35):
 * the rate limit in front of every route, login and password, the MEP proxies and the sync routes.
 */
export function platformRoutes(_d: LcmControllerDeps): Router {
  const router = Router();
  return router;
}
