import express, { type ErrorRequestHandler, Router } from 'express';
import { envelope } from '../lcmcontroller/envelope.js';
import { shimCors } from '../lcmcontroller/cors.js';
import { SHIM_JSON_LIMIT_BYTES } from '../lcmcontroller/lcmcontroller.router.js';
import { shimRateLimit } from '../lcmcontroller/rate-limit.js';
import { Message, RetCode } from '../lcmcontroller/ret-codes.js';
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
  router.use((_req, res) => {
    res.status(404).type('text/plain').send('404 Page not found');
  });

  // One envelope for a body that is too large or not JSON, as on the lcmcontroller routes.
  const bodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large') return void res.status(400).json(envelope(null, RetCode.BODY_TOO_LARGE, Message.BODY_TOO_LARGE));
    if (err.type === 'entity.parse.failed' || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported' || err.status === 400) {
      return void res.status(400).json(envelope(null, RetCode.FAILED_TO_UNMARSHAL, Message.UNMARSHAL_FAILED));
    }
    next(err);
  };
  router.use(bodyErrors);
  return router;
}
