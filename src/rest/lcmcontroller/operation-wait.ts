import { type LcmOperation, OperationState, type OperationType } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { EventSystem } from '../../events/event-system.js';
import type { ReadServices } from '../../services/read-services.js';
import type { RequestContext } from '../../services/request-context.js';

/** States an operation rests in until someone acts: the shim answers its caller once one is reached. */
export const SETTLED_STATES: readonly OperationState[] = [OperationState.COMPLETED, OperationState.FAILED_TEMP, OperationState.FAILED, OperationState.ROLLED_BACK];

export const isSettled = (op: Pick<LcmOperation, 'state'>): boolean => SETTLED_STATES.includes(op.state);

/** Reads the operation again this often while waiting: the event is the signal, the read is the truth. */
const RECHECK_MS = 2000;

export interface OperationWaitDeps {
  events: EventSystem;
  reads: ReadServices;
}

/**
 * Waits until the operation settles, at most `timeoutMs` (or until `signal` aborts: the caller went away), and
 * answers it as last read. The event bus wakes the wait when the operation's event arrives (on any replica's commit);
 * the operation is read from the database before each wait, so an event that came before the tap is not missed.
 */
export async function waitForOperation(d: OperationWaitDeps, ctx: RequestContext, id: string, o: { timeoutMs: number; signal?: AbortSignal }): Promise<LcmOperation> {
  const deadline = Date.now() + o.timeoutMs;
  let fired = false;
  let wake = () => undefined as void;
  const untap = d.events.bus.tap(['operation.updated'], (e) => {
    if (e.subjectId !== id || !SETTLED_STATES.includes(e.payload.state as OperationState)) return;
    fired = true;
    wake();
  });
  try {
    for (;;) {
      fired = false;
      const op = await d.reads.operations.get({ ...ctx, em: ctx.em.fork() }, id);
      const left = deadline - Date.now();
      if (isSettled(op) || left <= 0 || o.signal?.aborted) return op;
      if (fired) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          o.signal?.removeEventListener('abort', done);
          wake = () => undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, RECHECK_MS));
        wake = done;
        o.signal?.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    untap();
  }
}

/** Aborts when the response's connection closes before the answer was sent (the client gave up). */
export function clientGone(res: { once(event: 'close', fn: () => void): unknown; writableFinished: boolean }): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** How often a start refused because a concurrent twin was starting the same work is tried again. */
const TWIN_RETRIES = 5;

/**
 * Starts an operation, or joins the one already doing the same work: a refusal naming an active operation of the same
 * type (OPERATION_IN_PROGRESS) is that operation, so a re-sent request waits for the work the first one started.
 */
export async function startOrJoin(d: OperationWaitDeps, ctx: RequestContext, type: OperationType, start: () => Promise<LcmOperation>): Promise<LcmOperation> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== ErrorCode.CONFLICT) throw e;
      const active = e.details.reason === 'OPERATION_IN_PROGRESS' && typeof e.details.operationId === 'string' ? await d.reads.operations.get({ ...ctx, em: ctx.em.fork() }, e.details.operationId) : undefined;
      if (active?.type === type) return active;
      // A twin inserting the same rows at the same moment: its operation is visible on the next try.
      if (e.details.reason === 'CONCURRENT_DISTRIBUTION' && attempt < TWIN_RETRIES) {
        await new Promise((r) => setTimeout(r, 20 * attempt));
        ctx.em.clear();
        continue;
      }
      throw e;
    }
  }
}
