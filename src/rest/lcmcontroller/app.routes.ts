import { Router } from 'express';
import type { LcmControllerDeps } from './lcmcontroller.router.js';

/**
 * The original's application routes (applcm-original.md §1.1 rows 4, 10, 11, 17–26, 29–33): host configuration,
 * packages and their distribution, app instances, KPI and MEP capabilities.
 */
export function appRoutes(_d: LcmControllerDeps): Router {
  const router = Router();
  return router;
}
