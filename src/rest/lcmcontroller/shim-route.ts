import type { Request, RequestHandler, Response } from 'express';
import type { RequestContext } from '../../services/request-context.js';
import { releaseUnreadBody } from '../package.routes.js';
import { sendFailure, type FailureSpec } from './envelope.js';
import { authorize, type AccessPolicy, type ShimAuthDeps } from './lcm-auth.js';
import { Message, RetCode } from './ret-codes.js';

/** What every route shares about failures: the cross-cutting checks and the body. */
const COMMON_FIELDS: NonNullable<FailureSpec['fields']> = {
  clientIp: { retCode: RetCode.IP_INVALID, message: Message.CLIENT_IP_INVALID },
  tenantId: { retCode: RetCode.TENANT_ID_INVALID, message: Message.TENANT_ID_INVALID },
  body: { retCode: RetCode.FAILED_TO_UNMARSHAL, message: Message.UNMARSHAL_FAILED },
};

export interface ShimRouteSpec {
  policy: AccessPolicy;
  failures?: FailureSpec;
  /** A streamed (multipart) body: a refusal lets go of what is left unread, whatever refused it. */
  upload?: boolean;
}

export type ShimHandler = (ctx: RequestContext, req: Request, res: Response) => Promise<void>;

/**
 * One original route: authorise under the route's policy, run the handler on the shared services, and answer every
 * failure exactly once in the original's envelope with the route's status and `retCode`.
 */
export function shimRoute(deps: ShimAuthDeps, spec: ShimRouteSpec, handler: ShimHandler): RequestHandler {
  const failures: FailureSpec = { fields: { ...COMMON_FIELDS, ...spec.failures?.fields }, codes: spec.failures?.codes };
  return async (req, res) => {
    try {
      const ctx = await authorize(req, spec.policy, deps);
      await handler(ctx, req, res);
    } catch (e) {
      if (spec.upload) releaseUnreadBody(req, res);
      sendFailure(res, e, failures, deps.log);
    }
  };
}
