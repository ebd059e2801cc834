import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Results of one event, per subscription shape: subscribers that asked the same question with the same rights share
 * one execution. Weak on the event payload (one object per event, shared by every subscriber: see event-payloads.ts),
 * so entries go with the event.
 */
const shared = new WeakMap<object, Map<string, Result>>();

/**
 * What makes two subscriptions' results for one event identical: the operation, its variables, and the rights of the
 * caller (role and tenant decide every visibility rule). Anything else in the context (the token, the unit of work)
 * only reads the same rows or asks the same plugin on the caller's behalf.
 */
function shapeOf(args: ExecutionArgs): string | null {
  const ctx = args.contextValue as Partial<GraphQLContext> | undefined;
  if (!ctx?.principal) return null;
  return JSON.stringify([print(args.document), args.operationName ?? null, args.variableValues ?? null, ctx.principal.role, ctx.principal.tenantId]);
}

/** The per-subscriber iterator: the source stream's payloads, each turned into the (possibly shared) result. */
class ResultStream implements AsyncGenerator<ExecutionResult, undefined> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly resultOf: (payload: unknown) => Result,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    // Plain promise chaining: this runs once per subscriber and event, so every promise saved counts.
    return this.source.next().then((r): IteratorResult<ExecutionResult, undefined> | Promise<IteratorResult<ExecutionResult, undefined>> => {
      if (r.done) return { value: undefined, done: true };
      const result = this.resultOf(r.value);
      return result instanceof Promise ? result.then((value) => ({ value, done: false })) : { value: result, done: false };
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(e?: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.source.throw) await this.source.throw(e);
    else await this.source.return?.();
    throw e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * graphql-js `subscribe`, with one execution per event and subscription shape instead of one per subscriber: with 2 000
 * dashboards watching the same thing, an event is executed once and only serialised and sent 2 000 times.
 */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, undefined> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const shape = shapeOf(args);
  const run = (payload: unknown): Result => execute({ ...args, rootValue: payload });
  const resultOf = (payload: unknown): Result => {
    if (shape === null || typeof payload !== 'object' || payload === null) return run(payload);
    let byShape = shared.get(payload);
    if (!byShape) shared.set(payload, (byShape = new Map<string, Result>()));
    let result = byShape.get(shape);
    if (!result) byShape.set(shape, (result = run(payload)));
    return result;
  };
  return new ResultStream(source[Symbol.asyncIterator](), resultOf);
}
