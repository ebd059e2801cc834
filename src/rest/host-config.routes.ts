import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import type { MikroORM } from '@mikro-orm/postgresql';
import { type Request, type Response, Router } from 'express';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { MecHost } from '../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { HostConfigService } from '../services/host-config.service.js';
import { MAX_HOST_CONFIG_BYTES } from '../services/host-config.validation.js';
import { pathTenant, restContext } from './rest-context.js';
import { sendError } from './rest-errors.js';

export interface HostConfigRoutesDeps {
  hostConfig: HostConfigService;
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
}

/** The original's form field is `configFile`; `file` is what generic clients send. */
const FILE_FIELDS = new Set(['configFile', 'file']);

const summary = (h: MecHost) => ({ hostId: h.id, ip: h.ip, vim: h.vim, configStatus: h.configStatus });

/** A configuration form as read: its one file (if any) and its text fields. */
export interface ConfigForm {
  file?: { content: Buffer; filename: string };
  fields: Record<string, string>;
}

/**
 * Reads a configuration form into memory: the one file part (refused once it reaches the 5 MiB cap) and the text
 * fields (the original's form carries `hostIp` beside the file).
 */
export function readConfigForm(req: Request): Promise<ConfigForm> {
  return new Promise((resolve, reject) => {
    let file: ConfigForm['file'];
    const fields: Record<string, string> = {};
    let failure: Error | undefined;
    const fail = (e: Error) => {
      failure ??= e;
    };
    let bb;
    try {
      bb = Busboy({ headers: req.headers as BusboyHeaders, limits: { files: 1, fields: 5, fieldSize: 1024, parts: 6, fileSize: MAX_HOST_CONFIG_BYTES } });
    } catch {
      return reject(badInput('body', 'expected a multipart/form-data body with a `configFile` file part'));
    }
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, filename) => {
      if (!FILE_FIELDS.has(name) || file) {
        stream.resume();
        return fail(badInput(name, file ? 'only one configuration file per request' : `unexpected file field ${name}; send the file as \`configFile\``));
      }
      const parts: Buffer[] = [];
      stream.on('data', (b: Buffer) => parts.push(b));
      stream.on('limit', () => fail(new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `the configuration file must be smaller than ${MAX_HOST_CONFIG_BYTES} bytes`, { field: 'configFile', limit: MAX_HOST_CONFIG_BYTES })));
      stream.on('end', () => {
        file = { content: Buffer.concat(parts), filename: filename ?? '' };
      });
    });
    bb.on('filesLimit', () => fail(badInput('configFile', 'only one configuration file per request')));
    bb.on('error', (e: unknown) => reject(badInput('body', `malformed multipart body: ${e instanceof Error ? e.message : String(e)}`)));
    bb.on('finish', () => {
      if (failure) return reject(failure);
      resolve({ file, fields });
    });
    req.on('aborted', () => reject(badInput('body', 'the client aborted the upload')));
    req.pipe(bb);
  });
}

/** The one file part of the form; a form without one is refused. */
async function readConfigFile(req: Request): Promise<Buffer> {
  const { file } = await readConfigForm(req);
  if (!file) throw badInput('configFile', 'no configFile part in the form');
  return file.content;
}

/** Host configuration over REST: the multipart form takes files up to the original's 5 MiB. */
export function hostConfigRoutes(d: HostConfigRoutesDeps): Router {
  const router = Router();
  const path = '/api/v1/tenants/:tenantId/hosts/:hostId/config';

  router.post(path, async (req: Request<{ tenantId: string; hostId: string }>, res: Response) => {
    try {
      const ctx = await restContext(req, d);
      pathTenant(ctx, req.params.tenantId);
      if (!req.is('multipart/form-data')) throw badInput('body', 'expected a multipart/form-data body with a `configFile` file part');
      const content = await readConfigFile(req);
      const key = req.header('idempotency-key');
      res.json(summary(await d.hostConfig.upload(ctx, req.params.hostId, content, key)));
    } catch (e) {
      req.resume();
      sendError(res, e, d.log);
    }
  });

  router.delete(path, async (req: Request<{ tenantId: string; hostId: string }>, res: Response) => {
    try {
      const ctx = await restContext(req, d);
      pathTenant(ctx, req.params.tenantId);
      res.json(summary(await d.hostConfig.remove(ctx, req.params.hostId, req.header('idempotency-key'))));
    } catch (e) {
      sendError(res, e, d.log);
    }
  });

  return router;
}
