import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { InstanceStatus_State, type InstanceStatus, type WatchInstanceEvent } from '../../generated/proto/applcm_plugin.js';
import {
  CHUNK_BYTES,
  deployedInstance,
  expectSuccess,
  instantiate,
  newPackageId,
  putConfig,
  putPackage,
  query,
  terminate,
  type CheckContext,
  type ConformanceCheck,
} from './check-context.js';
import { deadlineIn, expectCode, expectOk, StreamReader, unary } from './grpc-calls.js';
import { expectArrayField, jsonObject } from './json-shape.js';

export const instanceStatus = (ctx: CheckContext, appInstanceId: string): Promise<InstanceStatus> =>
  unary(ctx.deadlineMs, (md, o, cb) => ctx.ext.instanceStatus({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb));

export const workloadEvents = (ctx: CheckContext, appInstanceId: string): Promise<{ response: string }> =>
  unary(ctx.deadlineMs, (md, o, cb) => ctx.lcm.workloadEvents({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb));

export const queryKpi = (ctx: CheckContext): Promise<{ response: string }> =>
  unary(ctx.deadlineMs, (md, o, cb) => ctx.lcm.queryKpi({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp }, md, o, cb));

/** States a freshly deployed instance may be in. */
const LIVE_STATES = new Set([InstanceStatus_State.RUNNING, InstanceStatus_State.DEPLOYING]);

/** What the controller asks for: a heartbeat well inside the time the check waits for one. */
const WATCH_HEARTBEAT_MS = 500;

export const instanceChecks: ConformanceCheck[] = [
  {
    name: 'instance: instantiate (idempotent), query, terminate (idempotent)',
    async run(ctx) {
      const { appInstanceId, packageId } = await deployedInstance(ctx);
      expectSuccess(await expectOk(instantiate(ctx, appInstanceId, packageId), 'instantiate again'), 'instantiate again with the same package');
      const other = newPackageId();
      expectSuccess(await expectOk(putPackage(ctx, other, randomBytes(CHUNK_BYTES)), 'uploadPackage'), 'uploadPackage (second package)');
      await expectCode(instantiate(ctx, appInstanceId, other), status.ALREADY_EXISTS, 'instantiate of an existing instance id with another package');
      const q = jsonObject((await expectOk(query(ctx, appInstanceId), 'query')).response, 'query');
      expectArrayField(q, 'pods', 'query');
      expectArrayField(q, 'services', 'query');
      expectSuccess(await expectOk(terminate(ctx, appInstanceId), 'terminate'), 'terminate');
      expectSuccess(await expectOk(terminate(ctx, appInstanceId), 'terminate again'), 'terminate of a terminated instance');
      await expectCode(query(ctx, appInstanceId), status.NOT_FOUND, 'query of a terminated instance');
    },
  },
  {
    name: 'instance: workloadEvents answers JSON with pods',
    async run(ctx) {
      const { appInstanceId } = await deployedInstance(ctx);
      const ev = jsonObject((await expectOk(workloadEvents(ctx, appInstanceId), 'workloadEvents')).response, 'workloadEvents');
      expectArrayField(ev, 'pods', 'workloadEvents');
    },
  },
  {
    name: 'instance: queryKPI answers JSON with data',
    async run(ctx) {
      expectSuccess(await expectOk(putConfig(ctx), 'uploadConfig'), 'uploadConfig');
      const kpi = jsonObject((await expectOk(queryKpi(ctx), 'queryKPI')).response, 'queryKPI');
      if (typeof kpi['data'] !== 'object' || kpi['data'] === null) throw new Error(`queryKPI: no "data" object in ${JSON.stringify(kpi)}`);
    },
  },
  {
    name: 'instance: instanceStatus describes a deployed instance',
    async run(ctx) {
      const { appInstanceId } = await deployedInstance(ctx);
      const s = await expectOk(instanceStatus(ctx, appInstanceId), 'instanceStatus');
      if (s.appInstanceId.toLowerCase() !== appInstanceId) throw new Error(`instanceStatus: appInstanceId ${s.appInstanceId}, expected ${appInstanceId}`);
      if (!LIVE_STATES.has(s.state)) throw new Error(`instanceStatus: state ${InstanceStatus_State[s.state]} for a deployed instance, expected RUNNING or DEPLOYING`);
      if (!s.observedAt) throw new Error('instanceStatus: observedAt is empty');
    },
  },
  {
    name: 'instance: watchInstance sends the status first, heartbeats, and ends when cancelled',
    async run(ctx) {
      const { appInstanceId } = await deployedInstance(ctx);
      const stream = ctx.ext.watchInstance(
        { accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId, includeEvents: false, heartbeatMs: WATCH_HEARTBEAT_MS },
        { deadline: deadlineIn(ctx.deadlineMs) },
      );
      const reader = new StreamReader<WatchInstanceEvent>(stream);
      try {
        const first = await reader.next(ctx.deadlineMs, 'watchInstance');
        if (first.event?.$case !== 'status') throw new Error(`watchInstance: first message is ${first.event?.$case ?? 'empty'}, expected status`);
        if (first.event.value.appInstanceId.toLowerCase() !== appInstanceId) throw new Error(`watchInstance: status of ${first.event.value.appInstanceId}, expected ${appInstanceId}`);
        // Status changes may come first (a real instance still starting); a heartbeat must follow within a few intervals.
        for (;;) {
          const m = await reader.next(WATCH_HEARTBEAT_MS * 6, `watchInstance asked for heartbeats every ${WATCH_HEARTBEAT_MS} ms`);
          if (m.event?.$case === 'heartbeat') break;
        }
      } finally {
        stream.cancel();
      }
      const end = await reader.status(2000, 'watchInstance after cancel');
      if (end.code !== status.CANCELLED) throw new Error(`watchInstance after cancel ended with ${status[end.code]}, expected CANCELLED`);
    },
  },
];
