import { checkContext, openClients, type ConformanceCheck, type ConformanceOptions } from './check-context.js';
import { conformanceChecks } from './checks.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/**
 * Runs the checks one after another against the plugin at `opts.address`. Each check gets its own tenant
 * (unless `opts.tenantId` fixes one) and its cleanups run whatever the outcome, so one failure does not
 * cascade into the next.
 */
export async function runConformance(opts: ConformanceOptions, checks: readonly ConformanceCheck[] = conformanceChecks): Promise<CheckResult[]> {
  const selected = opts.only ? checks.filter((c) => opts.only?.includes(c.name)) : checks;
  if (opts.only) {
    const unknown = opts.only.filter((n) => !checks.some((c) => c.name === n));
    if (unknown.length) throw new Error(`unknown conformance checks: ${unknown.join(', ')}`);
  }
  const clients = openClients(opts);
  const results: CheckResult[] = [];
  try {
    for (const check of selected) {
      const cleanups: (() => Promise<unknown>)[] = [];
      const started = performance.now();
      let error: string | undefined;
      try {
        await check.run(checkContext(opts, clients, cleanups));
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      // Best effort: the idempotent removals are checked in their own right, and a failing check already says why.
      for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
      results.push({ name: check.name, ok: error === undefined, ...(error === undefined ? {} : { error }), ms: Math.round(performance.now() - started) });
    }
  } finally {
    clients.close();
  }
  return results;
}
