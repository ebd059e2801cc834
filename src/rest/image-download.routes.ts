import type { MikroORM } from '@mikro-orm/postgresql';
import { type Request, type Response, Router } from 'express';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { DomainError, ErrorCode, badInput } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { imageRelay, type RelayedBytes } from '../plugins/image-relay/image-relay.js';
import type { VmImageService } from '../services/vm-image.service.js';
import { pathTenant, restContext } from './rest-context.js';
import { sendError } from './rest-errors.js';

export interface ImageDownloadRoutesDeps {
  images: VmImageService;
  verifier: TokenVerifier;
  orm: MikroORM;
  log: Logger;
}

/** The bytes to send: the whole file, or one range of it (inclusive ends, as in Content-Range). */
type Span = { whole: true; start: 0; end: number } | { whole: false; start: number; end: number };

/**
 * The part of an image of `size` bytes that a request asks for. One range is served (206); a Range that cannot be
 * satisfied is 416; a malformed one, or several, are refused (BAD_USER_INPUT) rather than answered with the whole
 * image. An If-Range that is not the image's ETag asks for the whole file (the image changed since the first part).
 */
function requestedSpan(req: Request, size: number, etag: string | undefined): Span | 'unsatisfiable' {
  const whole: Span = { whole: true, start: 0, end: size - 1 };
  if (!req.headers.range) return whole;
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && (etag === undefined || ifRange !== etag)) return whole;
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges === undefined || ranges.type !== 'bytes') throw badInput('range', 'Range must be one byte range, such as bytes=1048576- or bytes=0-1023');
  if (ranges.length !== 1) throw badInput('range', 'only one byte range per request is served');
  return { whole: false, start: ranges[0]!.start, end: ranges[0]!.end };
}

/** A file name for Content-Disposition: the image's name, which validation keeps to letters, digits, - and _. */
const fileName = (name: string, diskFormat: string | null): string => `${name.replace(/[^\p{L}\p{Nd}_-]/gu, '_')}.${diskFormat && /^[a-z0-9]{1,10}$/.test(diskFormat) ? diskFormat : 'img'}`;

/**
 * Streams `span` of the image's pieces to the response. The plugin's stream has no offset, so the bytes before a
 * range are read and dropped. A piece is released to the relay once the socket has taken it, and the relay reads the
 * plugin's stream only as far as it has free pieces (gRPC flow control then holds the plugin back). So the ring is
 * what bounds the bytes waiting for a slow client, and writes need not wait for 'drain' (queueing the ring's few
 * pieces lets the socket take them in one go). The stream is cancelled once the range is sent or the client goes.
 */
async function pump(chunks: AsyncIterator<RelayedBytes>, first: IteratorResult<RelayedBytes>, res: Response, span: Span): Promise<number> {
  let at = 0;
  let sent = 0;
  for (let r = first; !r.done; r = await chunks.next()) {
    const { bytes: chunk, release } = r.value;
    const from = Math.max(span.start - at, 0);
    const to = Math.min(span.end + 1 - at, chunk.length);
    at += chunk.length;
    if (to > from) {
      sent += to - from;
      res.write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to), release);
    } else {
      release();
    }
    if (at > span.end) break;
  }
  return sent;
}

/** GET (and HEAD) /api/v1/tenants/{tenantId}/images/{imageId}/file: an ACTIVE image's file, with Range. */
export function imageDownloadRoutes(d: ImageDownloadRoutesDeps): Router {
  const router = Router();

  router.get('/api/v1/tenants/:tenantId/images/:imageId/file', async (req: Request<{ tenantId: string; imageId: string }>, res: Response) => {
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    let chunks: AsyncGenerator<RelayedBytes> | undefined;
    try {
      const ctx = await restContext(req, d);
      const tenantId = pathTenant(ctx, req.params.tenantId);
      const { image, client, target } = await d.images.downloadSource(ctx, tenantId, req.params.imageId);
      const size = image.sizeBytes;
      const etag = image.checksum ? `"${image.checksum}"` : undefined;
      const span = size === null ? null : requestedSpan(req, size, etag);
      if (span === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${size}`);
        return void res.status(416).json({ error: { code: ErrorCode.BAD_USER_INPUT, message: `range not satisfiable: the image has ${size} bytes`, field: 'range' } });
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${fileName(image.name, image.diskFormat)}"`,
        'Accept-Ranges': size === null ? 'none' : 'bytes',
        'Cache-Control': 'no-store',
      };
      if (etag) headers.ETag = etag;
      if (span) headers['Content-Length'] = String(span.end - span.start + 1);
      if (span && !span.whole) headers['Content-Range'] = `bytes ${span.start}-${span.end}/${size}`;
      const status = span && !span.whole ? 206 : 200;
      if (req.method === 'HEAD' || (span && span.end < span.start)) return void res.status(status).set(headers).end();

      chunks = imageRelay.download(client, target, image.pluginImageId!, { signal: gone.signal, correlationId: ctx.correlationId });
      // The first chunk before the headers: a plugin that refuses (image gone, not ready) answers with its code.
      const first = await chunks.next();
      res.status(status).set(headers);
      res.flushHeaders();
      const sent = await pump(chunks, first, res, span ?? { whole: true, start: 0, end: Number.MAX_SAFE_INTEGER });
      const expected = span ? span.end - span.start + 1 : sent;
      // Never complete a response short (or long): the client must see a broken download, not a wrong file.
      if (sent !== expected) throw new DomainError(ErrorCode.PLUGIN_ERROR, `the image service sent ${sent} of the ${expected} bytes asked for`, { imageId: image.id });
      res.end();
    } catch (e) {
      if (gone.signal.aborted) return; // the client went: nothing to answer
      if (res.headersSent) d.log.warn({ err: e, correlationId: req.correlationId, imageId: req.params.imageId }, 'image download broken off');
      sendError(res, e, d.log);
    } finally {
      await chunks?.return(undefined);
    }
  });

  return router;
}
