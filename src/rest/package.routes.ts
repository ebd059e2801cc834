import type { Readable } from 'node:stream';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
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

/** Buffering between the socket, the form parser and the file: small buffers stall the socket between disk writes. */
const STREAM_BUFFER_BYTES = 1024 * 1024;
/** Unread request bytes up to which a refused upload is drained rather than cut off. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
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
 * Checks the file part before its bytes reach the service: its file name, and the identity read so far (which it may
 * complete, e.g. with generated ids). Throwing refuses the upload.
 */
export type FilePartCheck = (filename: string, ident: PackageIdentity) => void;

/**
 * Reads the multipart form: the identity fields (which must come before the file part, or in the query string,
 * since the upload starts as soon as the file part does) and exactly one file, handed to the service as a stream.
 */
export function receiveUpload(req: Request, ctx: RequestContext, packages: PackageService, tenantId: string, checkFile?: FilePartCheck): Promise<{ pkg: AppPackage; created: boolean }> {
  return new Promise((resolve, reject) => {
    const ident: PackageIdentity = { tenantId };
    for (const f of FIELDS) if (typeof req.query[f] === 'string') ident[f] = req.query[f];
    let bb: BusboyInstance;
    try {
      // @fastify/busboy finds part boundaries with a native search: 1 GiB parses in about 0.15 s, where busboy's
      // JavaScript search takes 1.7 s and became the upload's bottleneck.
      bb = Busboy({ headers: req.headers as BusboyHeaders, highWaterMark: STREAM_BUFFER_BYTES, fileHwm: STREAM_BUFFER_BYTES, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 } });
    } catch {
      return reject(badInput('body', 'expected a multipart/form-data body with a `package` file part'));
    }
    let upload: Promise<{ pkg: AppPackage; created: boolean }> | undefined;
    let fileStream: Readable | undefined;
    let failed = false;
    // Settles when the form has been read to its end; the service keeps the package only if it resolves.
    let formEnded!: () => void;
    let formFailed!: (e: unknown) => void;
    const formDone = new Promise<void>((res, rej) => {
      formEnded = res;
      formFailed = rej;
    });
    formDone.catch(() => undefined); // observed by the service, or by nobody when no file part came
    // Stops reading the form on the first problem. A file part still streaming is broken off so the service
    // sees its stream fail and removes what it wrote; the answer waits for that cleanup, so nothing is left
    // behind when the client reads it.
    const fail = (cause: unknown) => {
      if (failed) return;
      failed = true;
      const e = cause instanceof Error ? cause : new Error(String(cause));
      formFailed(e);
      req.unpipe(bb);
      req.resume();
      // Destroyed without an error: the service's pipeline (if still reading) sees a premature close.
      if (fileStream && !fileStream.readableEnded) fileStream.destroy();
      void (upload ?? Promise.resolve()).then(() => reject(e), () => reject(e));
    };
    bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if ((FIELDS as readonly string[]).includes(name)) {
        if (valueTruncated) return fail(badInput(name, `${name} is longer than 1024 bytes`));
        if (upload) return fail(badInput(name, `${name} must come before the package file part`));
        ident[name as (typeof FIELDS)[number]] = value;
      }
    });
    bb.on('file', (name, stream: Readable, filename) => {
      if (!FILE_FIELDS.has(name) || upload) {
        stream.resume();
        return fail(badInput(name, upload ? 'only one package file per request' : `unexpected file field ${name}; send the package as \`package\``));
      }
      try {
        checkFile?.(filename ?? '', ident);
      } catch (e) {
        stream.resume();
        return fail(e);
      }
      fileStream = stream;
      upload = packages.upload(ctx, ident, stream, formDone);
      // A refusal before or while streaming (bad field, quota, size cap) ends the form at once.
      upload.catch((e: unknown) => {
        stream.resume();
        fail(e);
      });
    });
    bb.on('filesLimit', () => fail(badInput('package', 'only one package file per request')));
    bb.on('error', (e: unknown) => fail(badInput('body', `malformed multipart body: ${e instanceof Error ? e.message : String(e)}`)));
    bb.on('finish', () => {
      if (failed) return;
      if (!upload) return fail(badInput('package', 'no package file part in the form'));
      formEnded();
      upload.then(resolve, () => undefined); // failures go through fail() above
    });
    req.on('aborted', () => fail(badInput('body', 'the client aborted the upload')));
    req.pipe(bb);
  });
}

/**
 * Before answering a refused upload: a large unread rest of the body is not worth receiving, so the connection is
 * closed after the answer. A small one is drained, since many clients (undici among them) fail on a connection
 * closed while they still send.
 */
export function releaseUnreadBody(req: Request, res: Response): void {
  if (!req.complete && Number(req.headers['content-length'] ?? Infinity) > DRAIN_LIMIT_BYTES) res.setHeader('Connection', 'close');
  req.resume();
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
      releaseUnreadBody(req, res);
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
      res.sendFile(path, { headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${pkg.id}.csar"` }, etag: false, lastModified: false, acceptRanges: true, cacheControl: false }, (err?: Error & { status?: number }) => {
        if (!err || res.headersSent) return;
        if (err.status === 416) {
          res.setHeader('Content-Range', `bytes */${pkg.sizeBytes ?? '*'}`);
          return void res.status(416).json({ error: { code: ErrorCode.BAD_USER_INPUT, message: `range not satisfiable: the package has ${pkg.sizeBytes} bytes`, field: 'range' } });
        }
        sendError(res, err, d.log);
      });
    } catch (e) {
      sendError(res, e, d.log);
    }
  });

  return router;
}

