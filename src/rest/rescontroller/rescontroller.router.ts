import express, { Router } from 'express';
import { shimCors } from '../lcmcontroller/cors.js';
import { SHIM_JSON_LIMIT_BYTES } from '../lcmcontroller/lcmcontroller.router.js';
import { shimRateLimit } from '../lcmcontroller/rate-limit.js';
import { shimBodyErrors, shimNotFound } from '../lcmcontroller/shim-tail.js';
import type { RescontrollerDeps } from './res-route.js';
import { resourceRoutes } from './resource.routes.js';

/**
 * The original rescontroller (applcm-original.md §1.8), mounted at `/rescontroller`: "the same beego stack" as the
 * lcmcontroller, so the same building blocks in the same order — its own rate-limit bucket (the original ran it as a
 * process of its own), CORS, health, the 4096-byte JSON cap, the routes, a plain 404 for anything else.
 */
export function rescontrollerRouter(d: RescontrollerDeps): Router {
  const router = Router();
  router.use(shimRateLimit(d.shim.rateLimitPerSecond));
  router.use(shimCors(d.shim.corsOrigins));
  router.get('/v1/health', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.use(express.json({ limit: SHIM_JSON_LIMIT_BYTES }));
  router.use(resourceRoutes(d));
  router.use(shimNotFound);
  router.use(shimBodyErrors);
  return router;
}
