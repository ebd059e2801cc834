import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { UploadCfgRequest } from '../../generated/proto/lcmservice.js';
import { expectSuccess, newPackageId, putConfig, putPackage, removeConfig, type CheckContext, type ConformanceCheck } from './check-context.js';
import { expectCode, expectOk, upload } from './grpc-calls.js';

const cfg = (data: UploadCfgRequest['data']): UploadCfgRequest => ({ data });

const uploadCfg = (ctx: CheckContext, messages: UploadCfgRequest[]) => upload(ctx.deadlineMs, (md, opts, cb) => ctx.lcm.uploadConfig(md, opts, cb), messages);

/**
 * Whether the plugin holds a configuration for the check's host, seen from outside: uploadPackage is refused
 * without one (FAILED_PRECONDITION) and needs nothing from the VIM otherwise.
 */
async function hasConfig(ctx: CheckContext): Promise<boolean> {
  try {
    await putPackage(ctx, newPackageId(), randomBytes(1024));
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === status.FAILED_PRECONDITION) return false;
    throw e;
  }
}

export const configChecks: ConformanceCheck[] = [
  {
    name: 'config: uploadConfig in several chunks, removeConfig idempotent',
    async run(ctx) {
      if (await hasConfig(ctx)) throw new Error('a fresh tenant already has a configuration');
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      if (!(await hasConfig(ctx))) throw new Error('uploadPackage is refused FAILED_PRECONDITION after uploadConfig answered Success');
      expectSuccess(await expectOk(removeConfig(ctx), 'removeConfig'), 'removeConfig');
      expectSuccess(await expectOk(removeConfig(ctx), 'removeConfig of a removed configuration'), 'removeConfig of a removed configuration');
      if (await hasConfig(ctx)) throw new Error('uploadPackage still accepted after removeConfig');
    },
  },
  {
    name: 'config: metadata out of order or incomplete is INVALID_ARGUMENT',
    async run(ctx) {
      ctx.defer(() => removeConfig(ctx));
      const token = cfg({ $case: 'accessToken', value: ctx.token });
      const tenant = cfg({ $case: 'tenantId', value: ctx.tenantId });
      const host = cfg({ $case: 'hostIp', value: ctx.hostIp });
      const chunk = cfg({ $case: 'configFile', value: ctx.configFile });
      await expectCode(uploadCfg(ctx, [tenant, token, host, chunk]), status.INVALID_ARGUMENT, 'uploadConfig with tenantId before accessToken');
      await expectCode(uploadCfg(ctx, [token, host, tenant, chunk]), status.INVALID_ARGUMENT, 'uploadConfig with hostIp before tenantId');
      await expectCode(uploadCfg(ctx, [chunk, token, tenant, host]), status.INVALID_ARGUMENT, 'uploadConfig with a chunk before the metadata');
      await expectCode(uploadCfg(ctx, [token, tenant]), status.INVALID_ARGUMENT, 'uploadConfig ending before hostIp');
      if (await hasConfig(ctx)) throw new Error('a refused uploadConfig left a configuration behind');
    },
  },
];
