import { type Request, type RequestHandler, type Response, Router } from 'express';
import { meetsEdgeKeyPolicy } from '../../auth/edge-key-policy.js';
import { badInput, ErrorCode } from '../../errors.js';
import type { RequestContext } from '../../services/request-context.js';
import { NAME_RE } from '../../services/validation.js';
import { CREDENTIAL_NOT_FOUND, type EdgeCredentials } from './edge-credentials.js';
import { sendFailure, sendRaw, type FailureSpec } from './envelope.js';
import { clientIp, type ShimAuthDeps } from './lcm-auth.js';
import { Message, RetCode } from './ret-codes.js';

export interface LoginRoutesDeps extends ShimAuthDeps {
  credentials: EdgeCredentials;
}

const NAME_MAX_BYTES = 15;
const CREDENTIALS_INVALID = 'username or key is invalid';

/** The original's texts (applcm-original.md §1.7); it answered them as bare strings, the shim in its envelope. */
const failures = (mismatch: string): FailureSpec => ({
  fields: {
    clientIp: { retCode: RetCode.IP_INVALID, message: Message.CLIENT_IP_INVALID },
    name: { retCode: RetCode.BAD_REQUEST, message: CREDENTIALS_INVALID },
    key: { retCode: RetCode.BAD_REQUEST, message: CREDENTIALS_INVALID },
    newkey: { retCode: RetCode.BAD_REQUEST, message: 'new key is invalid' },
  },
  codes: {
    [ErrorCode.NOT_FOUND]: { status: 404, retCode: RetCode.NOT_FOUND_IN_DB, message: CREDENTIAL_NOT_FOUND },
    // The original answers a wrong key with 400, not 401.
    [ErrorCode.UNAUTHENTICATED]: { status: 400, retCode: RetCode.BAD_REQUEST, message: mismatch },
  },
});

const header = (req: Request, name: string): string => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** `name`, `key` (and `newkey`) as the original reads them: headers, each checked only when not empty. */
function credentialHeaders(req: Request): { name: string; key: string; newKey: string } {
  const name = header(req, 'name');
  const key = header(req, 'key');
  if (name && (Buffer.byteLength(name) > NAME_MAX_BYTES || !NAME_RE.test(name))) throw badInput('name', CREDENTIALS_INVALID);
  if (key && !meetsEdgeKeyPolicy(key)) throw badInput('key', CREDENTIALS_INVALID);
  return { name, key, newKey: header(req, 'newkey') };
}

type Handler = (em: RequestContext['em'], req: Request, res: Response) => Promise<void>;

/** A route of the original without a token: client address first, one answer per request, keys never logged. */
function credentialRoute(d: LoginRoutesDeps, spec: FailureSpec, handler: Handler): RequestHandler {
  return async (req, res) => {
    try {
      clientIp(req);
      await handler(d.orm.em.fork(), req, res);
    } catch (e) {
      sendFailure(res, e, spec, d.log);
    }
  };
}

/**
 * The edge-local login of the original (rows 2 and 3 of §1.1): `POST /v1/login` checks `name`/`key`, `POST
 * /v1/password` replaces a user's key with `newkey` (the original's password policy). Users and their hashed keys
 * are in the credential table (EdgeCredentials). Login answers the original's record without its `key` (which it
 * echoed); it grants nothing by itself: every other route still needs an access token.
 */
export function loginRoutes(d: LoginRoutesDeps): Router {
  const router = Router();

  router.post(
    '/v1/login',
    credentialRoute(d, failures('Invalid credentials'), async (em, req, res) => {
      const { name, key } = credentialHeaders(req);
      // As the original: without a name there is nothing to check, and the answer is empty.
      if (!name) return void res.status(200).end();
      const user = await d.credentials.check(em, name, key);
      d.log.info({ user: user.name }, 'edge login');
      sendRaw(res, { authenticate_id: user.id, name: user.name });
    }),
  );

  router.post(
    '/v1/password',
    credentialRoute(d, failures('Old password is not matched'), async (em, req, res) => {
      const { name, key, newKey } = credentialHeaders(req);
      // The policy is checked even without a name: a key the policy refuses is never taken, whatever else is sent.
      if (!meetsEdgeKeyPolicy(newKey)) throw badInput('newkey', 'new key is invalid');
      if (name) await d.credentials.changeKey(em, name, key, newKey);
      sendRaw(res, null);
    }),
  );

  return router;
}
