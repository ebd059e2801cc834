import express, { Router } from 'express';
import type { Config } from '../../config.js';
import type { Services } from '../../services/app-services.js';
import { appRoutes } from './app.routes.js';
import { shimCors } from './cors.js';
import { hostRoutes } from './host.routes.js';
import type { ShimAuthDeps } from './lcm-auth.js';
import { platformRoutes } from './platform.routes.js';
import { shimRateLimit } from './rate-limit.js';
import { shimBodyErrors, shimNotFound } from './shim-tail.js';

/** Everything the shim's routes run on: the same services GraphQL uses, never a second implementation. */
export interface LcmControllerDeps extends ShimAuthDeps, Services {
  maxPageSize: number;
  shim: Config['shim'];
}

/** The original's `RequestBodyLength`: JSON bodies of the original routes are small. */
export const SHIM_JSON_LIMIT_BYTES = 4096;

/**
 * The original lcmcontroller's routes (applcm-original.md §1.1), mounted at `/lcmcontroller`. Each group of routes is
 * a router of its own on the shared services:
 * - platformRoutes: health-adjacent platform routes (login, password, MEP proxies) and the sync routes;
 * - hostRoutes: the MEC host routes;
 * - appRoutes: configuration, packages, app instances, KPI, MEP capabilities.
 */
export function lcmcontrollerRouter(d: LcmControllerDeps): Router {
  const router = Router();
  // First, as the original's filter: every route counts, health and unknown paths included.
  router.use(shimRateLimit(d.shim.rateLimitPerSecond));
  router.use(shimCors(d.shim.corsOrigins));
  router.get('/v1/health', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.use(platformRoutes(d));
  router.use(express.json({ limit: SHIM_JSON_LIMIT_BYTES }));
  router.use(hostRoutes(d));
  router.use(appRoutes(d));

  // As the original, a wrong method or an unknown path under /lcmcontroller is a plain 404 (never an envelope).
  router.use(shimNotFound);
  router.use(shimBodyErrors);
  return router;
}
