import type { Request } from 'express';
import { type LcmOperation, OperationState, OperationType } from '../../db/entities/index.js';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import type { RequestContext } from '../../services/request-context.js';
import { checkText, NAME_RE } from '../../services/validation.js';
import { ShimError } from './envelope.js';
import { callerOrigin } from './lcm-auth.js';
import type { LcmControllerDeps } from './lcmcontroller.router.js';
import { operationFailure, stillRunning } from './operation-answers.js';
import { isSettled, startOrJoin, waitForOperation } from './operation-wait.js';
import { RetCode } from './ret-codes.js';
import { checkHostIp, checkInstanceId, hostByIp, INSTANCE_NOT_FOUND } from './shim-lookups.js';

/** The instantiate body as the original reads it (§1.3); `akSkGen` is ignored, as there. */
interface InstantiateBody {
  hostIp: string;
  packageId: string;
  appName: string;
  origin: string;
  parameters: Record<string, string>;
}

const goType = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);
const unmarshal = (field: string, v: unknown, want: string) => new ShimError(400, RetCode.INVALID_REQUEST, `json: cannot unmarshal ${goType(v)} into Go struct field InstantiateRequest.${field} of type ${want}`);

/**
 * appo builds `parameters` from a Gson map, so values may be numbers, booleans or nested JSON (§9): they are taken as
 * the text the value stands for (the Go original refused them with 400 31027), since the plugin protocol carries strings.
 */
function parameterText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function parseInstantiate(req: Request): InstantiateBody {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unmarshal('', body, 'InstantiateRequest');
  const b = body as Record<string, unknown>;
  const str = (field: string): string => {
    const v = b[field];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw unmarshal(field, v, 'string');
    return v;
  };
  const params = b.parameters;
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) throw unmarshal('parameters', params, 'map[string]string');
  const parameters = Object.fromEntries(Object.entries((params ?? {}) as Record<string, unknown>).map(([k, v]) => [k, parameterText(v)]));
  return { hostIp: str('hostIp'), packageId: str('packageId'), appName: str('appName'), origin: str('origin'), parameters };
}

/** The original's checks of the body, in its order; the texts are its own. */
function checkInstantiate(b: InstantiateBody, req: Request): InstantiateBody {
  checkHostIp(b.hostIp);
  if (b.packageId.length === 0 || b.packageId.length > 64) throw badInput('packageId', 'package id is invalid');
  if (b.appName.length === 0) throw badInput('name', 'AppName is invalid');
  checkText(b.appName, { field: 'name', maxBytes: 128, pattern: NAME_RE });
  const origin = b.origin || callerOrigin(req) || 'MEO';
  checkText(origin, { field: 'origin', maxBytes: 128, pattern: NAME_RE });
  return { ...b, origin };
}

export const INSTANTIATE_FIELDS = {
  hostIp: { retCode: RetCode.MEC_HOST_INVALID, message: 'MecHost address is invalid' },
  packageId: { retCode: RetCode.PACKAGE_ID_INVALID, message: 'package id is invalid' },
  name: { retCode: RetCode.APP_NAME_INVALID, message: 'AppName is invalid' },
  origin: { retCode: RetCode.APP_NAME_INVALID, message: 'Origin is invalid' },
  appInstanceId: { retCode: RetCode.INSTANCE_ID_INVALID, message: 'App instance is invalid' },
  parameters: { retCode: RetCode.INVALID_REQUEST, message: 'parameters are invalid' },
  accessKey: { retCode: RetCode.INVALID_REQUEST, message: 'parameters are invalid' },
  secretKey: { retCode: RetCode.INVALID_REQUEST, message: 'parameters are invalid' },
};

const STATE_WORD: Record<string, string> = { DISTRIBUTING: 'Distributing', DISTRIBUTED: 'Distributed', ERROR: 'Error', DELETING: 'Deleting' };

/** LcmService's refusals of an instantiate, as the original answered the same situations. */
function instantiateRefusal(e: unknown): unknown {
  if (!(e instanceof DomainError)) return e;
  if (e.code === ErrorCode.NOT_FOUND) return new ShimError(404, RetCode.NOT_FOUND_IN_DB, 'App package host record not exists');
  if (e.code !== ErrorCode.CONFLICT) return e;
  if (e.details.reason === 'NOT_DISTRIBUTED') {
    const state = typeof e.details.state === 'string' ? e.details.state : null;
    return state ? new ShimError(400, RetCode.PACKAGE_DISTRIBUTED, `application package distribution status is:${STATE_WORD[state] ?? state}`) : new ShimError(404, RetCode.NOT_FOUND_IN_DB, 'App package host record not exists');
  }
  if (e.details.reason === 'NOT_ONBOARDED' || e.details.reason === 'PACKAGE_DISABLED') return new ShimError(400, RetCode.PACKAGE_DISTRIBUTED, e.message);
  return new ShimError(400, RetCode.INSTANCE_EXISTS, 'App instance info record already exists');
}

/** How a waited-for operation answers: done, failed as the original's plugin call failed, or still running. */
function outcome(op: LcmOperation, waitMs: number, retCode: RetCode): ShimError | null {
  if (op.state === OperationState.COMPLETED) return null;
  return isSettled(op) ? operationFailure(op, retCode) : stillRunning(op, waitMs, retCode);
}

/**
 * Instantiate through LcmService, waiting for the operation. The same request again (appo re-sends) finds the same
 * instance and joins its operation, or reports it when it is over. A failed instantiate is rolled back, as the
 * original deleted the record of an app its plugin refused.
 */
export async function instantiateAndWait(d: LcmControllerDeps, ctx: RequestContext, req: Request, signal: AbortSignal): Promise<void> {
  const tenantId = String(req.params.tenantId);
  const body = checkInstantiate(parseInstantiate(req), req);
  const appInstanceId = checkInstanceId(String(req.params.appInstanceId));
  const host = await hostByIp(ctx, d.hosts, body.hostIp, tenantId);
  let started: LcmOperation;
  try {
    started = await d.lcm.instantiate(ctx, { appInstanceId, packageId: body.packageId, hostId: host.id, name: body.appName, parameters: body.parameters, origin: body.origin });
  } catch (e) {
    throw instantiateRefusal(e);
  }
  const op = await waitForOperation(d, ctx, started.id, { timeoutMs: d.shim.waitMs, signal });
  if (op.state === OperationState.FAILED_TEMP) {
    await d.operations.rollback(ctx, op.id).catch((err: unknown) => ctx.log.warn({ err, operationId: op.id }, 'could not roll back a failed instantiate'));
  }
  const failure = outcome(op, d.shim.waitMs, RetCode.PLUGIN_REPORT_FAILED);
  if (failure) throw failure;
}

const ACTIVE_ELSEWHERE = (op: LcmOperation) =>
  new ShimError(409, RetCode.INTERNAL_SERVER, `the app instance has a ${op.type} operation ${op.id} in ${op.state}; retry, roll back or fail it first`);

/**
 * Terminate through LcmService, waiting for the operation, within `deadline`. A re-sent terminate joins the running
 * one, retries one that failed, and reports one that completed (the instance is gone; the original answered 404
 * there, which appo takes for success too). An operation of another kind still running is waited for first.
 */
export async function terminateAndWait(d: LcmControllerDeps, ctx: RequestContext, tenantId: string, id: string, o: { deadline: number; signal: AbortSignal }): Promise<void> {
  const left = () => Math.max(0, o.deadline - Date.now());
  const visible = async () => {
    try {
      return (await d.reads.instances.get({ ...ctx, em: ctx.em.fork() }, id)).tenantId === tenantId;
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) return false;
      throw e;
    }
  };
  for (let waitedForOther = false; ; ) {
    if (!(await visible())) {
      const last = (await d.reads.operations.list(ctx, { first: 1, filter: { instanceId: id, type: OperationType.TERMINATE } })).page.nodes[0];
      if (last?.state === OperationState.COMPLETED && last.tenantId === tenantId) return;
      throw new ShimError(404, RetCode.NOT_FOUND_IN_DB, INSTANCE_NOT_FOUND);
    }
    let started: LcmOperation;
    try {
      started = await startOrJoin(d, ctx, OperationType.TERMINATE, () => d.lcm.terminate(ctx, id, { mode: 'FORCEFUL', timeoutSeconds: 0 }));
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCode.NOT_FOUND) continue; // gone meanwhile: answered above
      const active = e instanceof DomainError && typeof e.details.operationId === 'string' ? await d.reads.operations.get({ ...ctx, em: ctx.em.fork() }, e.details.operationId) : undefined;
      if (!active) throw e;
      if (isSettled(active) || waitedForOther) throw ACTIVE_ELSEWHERE(active);
      // An instantiate (or its rollback) still running: terminate after it, as the original's calls queued.
      const other = await waitForOperation(d, ctx, active.id, { timeoutMs: left(), signal: o.signal });
      if (!isSettled(other) && other.state !== OperationState.FAILED_TEMP) throw stillRunning(other, d.shim.waitMs, RetCode.INTERNAL_SERVER);
      waitedForOther = true;
      continue;
    }
    // A terminate that failed before: this request is a retry of it (a twin may have retried it first: join that).
    if (started.state === OperationState.FAILED_TEMP) await d.operations.retry(ctx, started.id).catch((e: unknown) => {
      if (!(e instanceof DomainError && e.details.reason === 'WRONG_STATE')) throw e;
    });
    const op = await waitForOperation(d, ctx, started.id, { timeoutMs: left(), signal: o.signal });
    const failure = outcome(op, d.shim.waitMs, RetCode.INTERNAL_SERVER);
    if (failure) throw failure;
    return;
  }
}
