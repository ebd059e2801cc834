import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import type { UploadPackageRequest } from '../../generated/proto/lcmservice.js';
import { PluginExtensionsService } from '../../generated/proto/applcm_plugin.js';
import {
  CHUNK_BYTES,
  deletePackage,
  expectSuccess,
  newPackageId,
  packageChunks,
  packageMessages,
  packageMeta,
  putConfig,
  putPackage,
  queryPackageStatus,
  type CheckContext,
  type ConformanceCheck,
} from './check-context.js';
import { capabilities } from './extension-checks.js';
import { expectCode, expectOk, isServiceError, upload } from './grpc-calls.js';

/** A package the size of a small real one, sent in the controller's chunk size. */
const PACKAGE_BYTES = 3 * 1024 * 1024;

const DISTRIBUTED = new Set(['Distributed', 'uploaded']);
const IN_PROGRESS = new Set(['Distributing', 'uploading']);

/** Polls until the package is distributed; a plugin may report it in progress for a while first. */
async function awaitDistributed(ctx: CheckContext, packageId: string): Promise<void> {
  const until = Date.now() + ctx.deadlineMs;
  for (;;) {
    const { response } = await expectOk(queryPackageStatus(ctx, packageId), 'queryPackageStatus');
    if (DISTRIBUTED.has(response)) return;
    if (!IN_PROGRESS.has(response)) throw new Error(`queryPackageStatus answered ${JSON.stringify(response)}, expected Distributed`);
    if (Date.now() > until) throw new Error(`package still ${response} after ${ctx.deadlineMs} ms`);
    await sleep(100);
  }
}

/** How long a refused or cancelled upload is watched: a careless plugin may store the part a moment later. */
const SETTLE_MS = 600;

/**
 * Watches queryPackageStatus for a while after an upload that must leave nothing: it may never answer a
 * distributed package, and must end on NOT_FOUND (a plugin may need a moment to notice a cancelled stream).
 */
async function expectNothingStored(ctx: CheckContext, packageId: string, what: string): Promise<void> {
  const until = Date.now() + SETTLE_MS;
  let last = '';
  for (;;) {
    try {
      const { response } = await queryPackageStatus(ctx, packageId);
      if (DISTRIBUTED.has(response)) throw new Error(`${what}: the package was kept (queryPackageStatus answers ${JSON.stringify(response)})`);
      last = response;
    } catch (e) {
      if (!(isServiceError(e) && e.code === status.NOT_FOUND)) throw e;
      last = 'NOT_FOUND';
    }
    if (Date.now() >= until) break;
    await sleep(50);
  }
  if (last !== 'NOT_FOUND') throw new Error(`${what}: queryPackageStatus still answers ${JSON.stringify(last)} after ${SETTLE_MS} ms, expected NOT_FOUND`);
}

const uploadPkg = (ctx: CheckContext, messages: UploadPackageRequest[], opts?: { cancelAfter?: number }) =>
  upload(ctx.deadlineMs, (md, o, cb) => ctx.lcm.uploadPackage(md, o, cb), messages, opts);

export const packageChecks: ConformanceCheck[] = [
  {
    name: 'package: 3 MiB upload in 256 KiB chunks, Distributed, replaced, deletePackage idempotent',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const packageId = newPackageId();
      expectSuccess(await expectOk(putPackage(ctx, packageId, randomBytes(PACKAGE_BYTES)), 'uploadPackage'), 'uploadPackage');
      await awaitDistributed(ctx, packageId);
      expectSuccess(await expectOk(putPackage(ctx, packageId, randomBytes(CHUNK_BYTES)), 'uploadPackage of the same id'), 'uploadPackage of the same id (replaces)');
      await awaitDistributed(ctx, packageId);
      expectSuccess(await expectOk(deletePackage(ctx, packageId), 'deletePackage'), 'deletePackage');
      expectSuccess(await expectOk(deletePackage(ctx, packageId), 'deletePackage of a deleted package'), 'deletePackage of a deleted package');
      await expectCode(queryPackageStatus(ctx, packageId), status.NOT_FOUND, 'queryPackageStatus of a deleted package');
    },
  },
  {
    name: 'package: uploadPackage without configuration is FAILED_PRECONDITION',
    async run(ctx) {
      const packageId = newPackageId();
      await expectCode(putPackage(ctx, packageId, randomBytes(CHUNK_BYTES)), status.FAILED_PRECONDITION, 'uploadPackage for a host without configuration');
    },
  },
  {
    name: 'package: metadata out of order is INVALID_ARGUMENT',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const packageId = newPackageId();
      ctx.defer(() => deletePackage(ctx, packageId));
      const m = packageMeta(ctx, packageId);
      const body = packageChunks(randomBytes(CHUNK_BYTES));
      await expectCode(uploadPkg(ctx, [m.accessToken, m.hostIp, m.appPackageId, m.tenantId, ...body]), status.INVALID_ARGUMENT, 'uploadPackage with hostIp before appPackageId');
      await expectCode(uploadPkg(ctx, [m.accessToken, m.appPackageId, m.hostIp, ...body]), status.INVALID_ARGUMENT, 'uploadPackage with chunks before tenantId');
      await expectCode(queryPackageStatus(ctx, packageId), status.NOT_FOUND, 'queryPackageStatus after refused uploads');
    },
  },
  {
    name: 'package: an upload cancelled half-way (or before it half-closed) leaves nothing behind',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const bytes = randomBytes(PACKAGE_BYTES);
      const chunkCount = Math.ceil(PACKAGE_BYTES / CHUNK_BYTES);
      // Early, half-way, late, and with every byte sent but the stream never half-closed: only a completed stream
      // is a package. Several points, because whether a careless plugin keeps a part depends on what it was doing
      // when the cancel came.
      for (const sent of [1, Math.floor(chunkCount / 2), chunkCount - 1, chunkCount]) {
        const packageId = newPackageId();
        ctx.defer(() => deletePackage(ctx, packageId));
        const what = `uploadPackage cancelled after ${sent} of ${chunkCount} chunks`;
        await expectCode(uploadPkg(ctx, packageMessages(ctx, packageId, bytes), { cancelAfter: 4 + sent }), status.CANCELLED, what);
        await expectNothingStored(ctx, packageId, what);
      }
    },
  },
  {
    name: 'package: a message over the plugin limit is RESOURCE_EXHAUSTED',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      // The limit the plugin announces, or gRPC's default for a plugin without the extensions.
      let limit = 4 * 1024 * 1024;
      try {
        const caps = await capabilities(ctx);
        if (caps.maxReceiveMessageBytes > 0) limit = caps.maxReceiveMessageBytes;
      } catch (e) {
        if (!(isServiceError(e) && e.code === status.UNIMPLEMENTED)) throw new Error(`${PluginExtensionsService.capabilities.path}: ${String(e)}`);
      }
      const packageId = newPackageId();
      ctx.defer(() => deletePackage(ctx, packageId));
      const oversized: UploadPackageRequest = { data: { $case: 'package', value: randomBytes(limit + 1) } };
      await expectCode(uploadPkg(ctx, [...packageMessages(ctx, packageId, Buffer.alloc(0)), oversized]), status.RESOURCE_EXHAUSTED, `uploadPackage with a ${limit + 1}-byte message`);
      await expectNothingStored(ctx, packageId, 'after a refused oversized message');
    },
  },
];
