import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

/**
 * The original's limiter (applcm-original.md §1.0, §3.5): `perSecond` requests per fixed one-second window in one
 * bucket shared by every caller, in front of every /lcmcontroller route (health included). Every answer carries
 * `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds); past the limit the answer is
 * 429 with the text `Too Many Requests`. The bucket is per replica, as the original's in-memory store was per process.
 */
export function shimRateLimit(perSecond: number): RequestHandler {
  return rateLimit({
    windowMs: 1000,
    limit: perSecond,
    // One global bucket, as the original's empty key: the limit protects the controller, not fairness between callers.
    keyGenerator: () => '',
    legacyHeaders: true,
    standardHeaders: false,
    handler: (_req, res) => {
      res.status(429).type('text/plain').send('Too Many Requests');
    },
  });
}
