import type { ErrorRequestHandler, RequestHandler } from 'express';
import { envelope } from './envelope.js';
import { Message, RetCode } from './ret-codes.js';

/** As the original's beego: a wrong method or an unknown path is a plain 404 (never an envelope). */
export const shimNotFound: RequestHandler = (_req, res) => {
  res.status(404).type('text/plain').send('404 Page not found');
};

/** A JSON body over the cap, or one that does not parse, as the original answered it: one envelope. */
export const shimBodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, req, res, next) => {
  if (err.type === 'entity.too.large') return void res.status(400).json(envelope(null, RetCode.BODY_TOO_LARGE, Message.BODY_TOO_LARGE));
  if (err.type === 'entity.parse.failed' || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported' || err.status === 400) {
    // The original's instantiate answered its unmarshal errors with ErrCodeInvalidRequest; every other route 31024.
    const retCode = req.path.endsWith('/instantiate') ? RetCode.INVALID_REQUEST : RetCode.FAILED_TO_UNMARSHAL;
    return void res.status(400).json(envelope(null, retCode, Message.UNMARSHAL_FAILED));
  }
  next(err);
};
