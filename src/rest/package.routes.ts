import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { type Request, type Response, Router } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { AppPackage } from '../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { PackageIdentity, PackageService } from '../services/package.service.js';
import type { RequestContext } from '../services/request-context.js';
import { pathTenant, restContext } from './rest-context.js';
import { sendError } from './rest-errors.js';

export interface PackageRoutesDeps {
  packages: PackageService;
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
}

const FIELDS = ['packageId', 'appId', 'origin'] as const;
/** The original's form field is `package`; `file` is accepted as what generic clients send. */
const FILE_FIELDS = new Set(['package', 'file']);

const summary = (p: AppPackage) => ({
  packageId: p.id,
  appId: p.appId,
  tenantId: p.tenantId,
  state: p.onboardingState,
  name: p.name,
  version: p.packageVersion,
  provider: p.provider,
  type: p.type,
  sizeBytes: p.sizeBytes,
  sha256: p.sha256,
});

/**
 * Reads the multipart form: the identity fields (which must come before the file part, or in the query string,
 * since the upload starts as soon as the file part does) and exactly one file, handed to the service as a stream.
 */
function receiveUpload(req: Request, ctx: RequestContext, packages: PackageService, tenantId: string): Promise<{ pkg: AppPackage; created: boolean }> {
  return new Promise((resolve, reject) => {
    const ident: PackageIdentity = { tenantId };
    for (const f of FIELDS) if (typeof req.query[f] === 'string') ident[f] = req.query[f];
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 } });
    } catch {
      return reject(badInput('body', 'expected a multipart/form-data body with a `package` file part'));
    }
    let upload: Promise<{ pkg: AppPackage; created: boolean }> | undefined;
    let failed: unknown;
    const fail = (e: unknown) => {
      failed ??= e;
      req.unpipe(bb);
      req.resume();
    };
    bb.on('field', (name, value) => {
      if ((FIELDS as readonly string[]).includes(name)) {
        if (upload) return fail(badInput(name, `${name} must come before the package file part`));
        ident[name as (typeof FIELDS)[number]] = value;
      }
    });
    bb.on('file', (name, stream: Readable) => {
      if (!FILE_FIELDS.has(name) || upload) {
        stream.resume();
        return fail(badInput(name, upload ? 'only one package file per request' : `unexpected file field ${name}; send the package as \`package\``));
      }
      upload = packages.upload(ctx, ident, stream);
      upload.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    });
    bb.on('filesLimit', () => fail(badInput('package', 'only one package file per request')));
    bb.on('error', (e: Error) => fail(badInput('body', `malformed multipart body: ${e.message}`)));
    bb.on('close', () => {
      if (failed) {
        // The service cleans up after its own stream fails; wait for it so nothing is left when we answer.
        return void (upload ?? Promise.resolve()).then(() => reject(failed), () => reject(failed));
      }
      if (!upload) return reject(badInput('package', 'no package file part in the form'));
      upload.then(resolve, reject);
    });
    req.on('aborted', () => fail(badInput('body', 'the client aborted the upload')));
    req.pipe(bb);
  });
}

/** Streaming package endpoints: upload (multipart) and download (with Range). */
export function packageRoutes(d: PackageRoutesDeps): Router {
  const router = Router();

  router.post('/api/v1/tenants/:tenantId/packages', async (req: Request<{ tenantId: string }>, res: Response) => {
    try {
      const ctx = await restContext(req, d);
      const tenantId = pathTenant(ctx, req.params.tenantId);
      if (!req.is('multipart/form-data')) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'expected a multipart/form-data body with a `package` file part', { field: 'body' });
      const { pkg, created } = await receiveUpload(req, ctx, d.packages, tenantId);
      res.status(created ? 201 : 200).json(summary(pkg));
    } catch (e) {
      req.resume();
      sendError(res, e, d.log);
    }
  });

  router.get('/api/v1/tenants/:tenantId/packages/:packageId/content', async (req: Request<{ tenantId: string; packageId: string }>, res: Response) => {
    try {
      const ctx = await restContext(req, d);
      pathTenant(ctx, req.params.tenantId);
      const { path, pkg } = await d.packages.contentFile(ctx, req.params.packageId);
      if (pkg.tenantId !== req.params.tenantId) throw new DomainError(ErrorCode.NOT_FOUND, `package ${JSON.stringify(req.params.packageId)} not found`);
      // `send` serves Range, If-Range and HEAD; the strong ETag is the content hash.
      res.setHeader('ETag', `"${pkg.sha256}"`);
      res.sendFile(path, { headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${pkg.id}.csar"` }, etag: false, lastModified: false, acceptRanges: true, cacheControl: false }, (err) => {
        if (err && !res.headersSent) sendError(res, err, d.log);
      });
    } catch (e) {
      sendError(res, e, d.log);
    }
  });

  return router;
}

