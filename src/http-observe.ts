import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Metrics } from './observability/metrics.js';

const CORRELATION_RE = /^[A-Za-z0-9._-]{8,64}$/;
const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);
/** Route labels for paths with ids in them, so metrics stay bounded. */
const PATTERN_ROUTES: [RegExp, string][] = [
  [/^\/api\/v1\/tenants\/[^/]+\/packages$/, '/api/v1/tenants/:tenantId/packages'],
  [/^\/api\/v1\/tenants\/[^/]+\/packages\/[^/]+\/content$/, '/api/v1/tenants/:tenantId/packages/:packageId/content'],
  [/^\/api\/v1\/tenants\/[^/]+\/hosts\/[^/]+\/config$/, '/api/v1/tenants/:tenantId/hosts/:hostId/config'],
  [/^\/api\/v1\/tenants\/[^/]+\/images\/[^/]+\/file$/, '/api/v1/tenants/:tenantId/images/:imageId/file'],
  [/^\/lcmcontroller\//, '/lcmcontroller/*'],
  [/^\/rescontroller\//, '/rescontroller/*'],
];
const routeLabel = (path: string): string => (KNOWN_ROUTES.has(path) ? path : (PATTERN_ROUTES.find(([re]) => re.test(path))?.[1] ?? 'other'));

/**
 * What every HTTP request gets, whichever handler answers it: a correlation id (the caller's when well-formed, echoed
 * in `x-correlation-id`) and its duration in the HTTP histogram, labelled by route and status when the answer is sent.
 * `path` is the request's path before any router strips its mount point; unknown paths share one label.
 */
export function observeRequest(metrics: Metrics, req: http.IncomingMessage, res: http.ServerResponse, path: string): string {
  const header = req.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && CORRELATION_RE.test(header) ? header : randomUUID();
  res.setHeader('x-correlation-id', correlationId);
  const end = metrics.httpDuration.startTimer({ method: req.method });
  res.once('finish', () => end({ route: routeLabel(path), status: String(res.statusCode) }));
  return correlationId;
}
