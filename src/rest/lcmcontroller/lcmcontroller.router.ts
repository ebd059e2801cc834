import express, { type ErrorRequestHandler, Router } from 'express';
import type { HostService } from '../../services/host.service.js';
import { envelope } from './envelope.js';
import { hostRoutes } from './host.routes.js';
import type { ShimAuthDeps } from './lcm-auth.js';
import { Message, RetCode } from './ret-codes.js';
import { shimCors } from './cors.js';

export interface LcmControllerDeps extends ShimAuthDeps {
  hosts: HostService;
  maxPageSize: number;
  corsOrigins: readonly string[];
}

/** The original's `RequestBodyLength`: JSON bodies of the original routes are small. */
export const SHIM_JSON_LIMIT_BYTES = 4096;

/**
 * The original lcmcontroller's routes (applcm-original.md §1.1), mounted at `/lcmcontroller`. Each group of routes
 * (hosts now; configuration, packages, instances later) is a router of its own on the shared services.
 */
export function lcmcontrollerRouter(d: LcmControllerDeps): Router {
  const router = Router();
  router.use(shimCors(d.corsOrigins));
  router.get('/v1/health', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.use(express.json({ limit: SHIM_JSON_LIMIT_BYTES }));
  router.use(hostRoutes(d));

  // As the original, a wrong method or an unknown path under /lcmcontroller is a plain 404 (never an envelope).
  router.use((_req, res) => {
    res.status(404).type('text/plain').send('404 Page not found');
  });

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
