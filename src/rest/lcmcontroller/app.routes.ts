import { Router } from 'express';
import { configRoutes } from './config.routes.js';
import { distributionRoutes } from './distribution.routes.js';
import { imageRoutes } from './image.routes.js';
import { instanceRoutes } from './instance.routes.js';
import { kpiRoutes } from './kpi.routes.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { mepCapabilityRoutes } from './mep-capability.routes.js';
import { packageRoutes } from './package.routes.js';

/**
 * The original's application routes (applcm-original.md §1.1 rows 4, 10, 11, 17–26, 29–33): host configuration,
 * packages and their distribution, app instances, KPI and MEP capabilities.
 */
export function appRoutes(d: LcmControllerDeps): Router {
  const router = Router();
  router.use(configRoutes(d));
  router.use(packageRoutes(d));
  router.use(distributionRoutes(d));
  router.use(instanceRoutes(d));
  router.use(kpiRoutes(d));
  router.use(mepCapabilityRoutes(d));
  router.use(imageRoutes(d));
  return router;
}
