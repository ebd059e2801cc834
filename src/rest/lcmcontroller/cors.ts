import type { RequestHandler } from 'express';

const METHODS = 'PUT, POST, GET, DELETE';
// The original's list plus the headers its callers authenticate with (its own list left them out, §1.0).
const HEADERS = 'Origin, X-Requested-With, Content-Type, Accept, access_token, Authorization';

/**
 * CORS for the original routes. A request is never refused because of its `Origin`: appo sends `origin: MEO`, which
 * is no URL at all, and server-side callers ignore CORS. Browsers are granted access (with credentials, as the
 * original) only for the configured origins: the original echoed any origin, which lets every web page call the API
 * with a user's credentials (hardening X3).
 */
export function shimCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (typeof origin === 'string' && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Length');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', METHODS);
      res.setHeader('Access-Control-Allow-Headers', HEADERS);
      return void res.status(204).end();
    }
    next();
  };
}
