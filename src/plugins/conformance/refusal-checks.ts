import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { UploadCfgRequest } from '../../generated/proto/lcmservice.js';
import { expectSuccess, instantiate, newPackageId, putConfig, query, queryPackageStatus, removeConfig, type CheckContext, type ConformanceCheck } from './check-context.js';
import { expectCode, expectOk, unary, upload } from './grpc-calls.js';
import { instanceStatus, queryKpi, workloadEvents } from './instance-checks.js';

/** The same check's context acting with other identity fields (what malformed-input checks send). */
const as = (ctx: CheckContext, over: Partial<Pick<CheckContext, 'token' | 'tenantId' | 'hostIp'>>): CheckContext => ({ ...ctx, ...over });

export const refusalChecks: ConformanceCheck[] = [
  {
    name: 'errors: no configuration for the host is FAILED_PRECONDITION',
    async run(ctx) {
      await expectCode(instantiate(ctx, randomUUID(), newPackageId()), status.FAILED_PRECONDITION, 'instantiate without configuration');
      await expectCode(query(ctx, randomUUID()), status.FAILED_PRECONDITION, 'query without configuration');
      await expectCode(queryKpi(ctx), status.FAILED_PRECONDITION, 'queryKPI without configuration');
    },
  },
  {
    name: 'errors: unknown instance is NOT_FOUND',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const id = randomUUID();
      await expectCode(query(ctx, id), status.NOT_FOUND, 'query of an unknown instance');
      await expectCode(workloadEvents(ctx, id), status.NOT_FOUND, 'workloadEvents of an unknown instance');
      await expectCode(instanceStatus(ctx, id), status.NOT_FOUND, 'instanceStatus of an unknown instance');
    },
  },
  {
    name: 'errors: unknown package is NOT_FOUND',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const packageId = newPackageId();
      await expectCode(instantiate(ctx, randomUUID(), packageId), status.NOT_FOUND, 'instantiate of an unknown package');
      await expectCode(queryPackageStatus(ctx, packageId), status.NOT_FOUND, 'queryPackageStatus of an unknown package');
    },
  },
  {
    name: 'errors: malformed tenant id, host ip or instance id is INVALID_ARGUMENT',
    async run(ctx) {
      await expectCode(query(as(ctx, { tenantId: 'not-a-uuid' }), randomUUID()), status.INVALID_ARGUMENT, 'query with tenantId "not-a-uuid"');
      await expectCode(removeConfig(as(ctx, { tenantId: 'not-a-uuid' })), status.INVALID_ARGUMENT, 'removeConfig with tenantId "not-a-uuid"');
      await expectCode(query(as(ctx, { hostIp: 'not-an-ip' }), randomUUID()), status.INVALID_ARGUMENT, 'query with hostIp "not-an-ip"');
      await expectCode(putConfig(as(ctx, { tenantId: 'not-a-uuid' })), status.INVALID_ARGUMENT, 'uploadConfig with tenantId "not-a-uuid"');
      await expectCode(query(ctx, 'not-a-uuid'), status.INVALID_ARGUMENT, 'query with appInstanceId "not-a-uuid"');
    },
  },
  {
    name: 'errors: empty access token is UNAUTHENTICATED',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const anon = as(ctx, { token: '' });
      await expectCode(query(anon, randomUUID()), status.UNAUTHENTICATED, 'query with an empty token');
      await expectCode(removeConfig(anon), status.UNAUTHENTICATED, 'removeConfig with an empty token');
      const messages: UploadCfgRequest[] = [
        { data: { $case: 'accessToken', value: '' } },
        { data: { $case: 'tenantId', value: ctx.tenantId } },
        { data: { $case: 'hostIp', value: ctx.hostIp } },
        { data: { $case: 'configFile', value: ctx.configFile } },
      ];
      await expectCode(
        upload(ctx.deadlineMs, (md, o, cb) => ctx.lcm.uploadConfig(md, o, cb), messages),
        status.UNAUTHENTICATED,
        'uploadConfig with an empty token',
      );
    },
  },
  {
    name: 'errors: a call whose deadline has passed is DEADLINE_EXCEEDED',
    async run(ctx) {
      const past = new Date(Date.now() - 1000);
      await expectCode(
        unary(past, (md, o, cb) => ctx.lcm.queryKpi({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp }, md, o, cb)),
        status.DEADLINE_EXCEEDED,
        'queryKPI with a deadline in the past',
      );
    },
  },
];
