import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockMode } from '@mikro-orm/postgresql';
import { AppPackage, DistributionState, PackageDistribution } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import { PartialFailure, type HandlerContext, type OperationHandler } from '../operation-handler.js';
import { recordDistribution } from '../record-events.js';
import { deleteDistributions, failDistributions } from './row-changes.js';

export interface HostOutcome {
  hostId: string;
  state: DistributionState;
  error: string | null;
}

const STATUS_POLL_MS = 500;
/** Reading the package in 1 MiB pieces keeps the plugin stream's chunks full. */
const READ_BYTES = 1024 * 1024;

/** Moves a distribution row this operation owns, and announces it. */
async function setRow(ctx: HandlerContext, rowId: string, state: DistributionState, error: string | null): Promise<void> {
  await ctx.em().transactional(async (em) => {
    const row = await em.findOne(PackageDistribution, { id: rowId, operationId: ctx.op.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['package', 'host'] });
    if (!row || (row.state === state && row.error === error)) return;
    row.state = state;
    row.error = error;
    recordDistribution(em, row, 'updated');
  });
}

/** Streams the package to one host's plugin and waits until the plugin reports it distributed. */
async function toHost(ctx: HandlerContext, pkg: AppPackage, row: PackageDistribution, token: string): Promise<void> {
  const client = await ctx.plugins.clientFor(row.host.vim);
  const target = pluginTarget(row.host, token);
  const file = ctx.store.pathOf(pkg.storageKey!);
  await client.uploadPackage(target, pkg.id, fs.createReadStream(file, { highWaterMark: READ_BYTES }), { signal: ctx.signal, correlationId: ctx.correlationId });
  const until = Date.now() + ctx.options.distributeStatusTimeoutMs;
  for (;;) {
    const status = await client.queryPackageStatus(target, pkg.id, { signal: ctx.signal, correlationId: ctx.correlationId });
    if (status === 'DISTRIBUTED') return;
    if (status === 'ERROR') throw new DomainError(ErrorCode.PLUGIN_ERROR, `the ${row.host.vim} plugin reports the package in error on ${row.host.ip}`);
    if (Date.now() > until) throw new DomainError(ErrorCode.DEADLINE_EXCEEDED, `the package was still distributing on ${row.host.ip} after ${ctx.options.distributeStatusTimeoutMs} ms`);
    await sleep(STATUS_POLL_MS, undefined, { signal: ctx.signal });
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Distributes a package to several hosts, a few at a time. Each host's row moves on its own (DISTRIBUTING →
 * DISTRIBUTED or ERROR) and is announced as it does; the result lists every host's outcome, so a partial success is
 * explicit: the operation ends FAILED_TEMP with the failed hosts named, and a retry redoes only those.
 */
export const distributeHandler: OperationHandler = {
  async run(ctx) {
    const em = ctx.em();
    const pkg = await em.findOne(AppPackage, { id: ctx.op.packageId! });
    if (!pkg?.storageKey) throw new DomainError(ErrorCode.NOT_FOUND, `package ${JSON.stringify(ctx.op.packageId)} or its file no longer exists`, { resource: 'package' });
    const rows = await em.find(PackageDistribution, { package: pkg.id, operationId: ctx.op.id }, { populate: ['host'], orderBy: { createdAt: 'asc' } });
    const outcomes = new Map<string, HostOutcome>(rows.map((r) => [r.host.id, { hostId: r.host.id, state: r.state, error: r.error }]));
    const todo = rows.filter((r) => r.state !== DistributionState.DISTRIBUTED);
    // Without a token nothing can be sent anywhere: that is the operation's failure, not each host's.
    const token = await ctx.accessToken();
    let done = rows.length - todo.length;
    await ctx.progress({ step: 'distributing', done, total: rows.length });
    await eachLimited(todo, ctx.options.distributeConcurrency, async (row) => {
      if (ctx.signal.aborted) return;
      await setRow(ctx, row.id, DistributionState.DISTRIBUTING, null);
      try {
        await toHost(ctx, pkg, row, token);
        await setRow(ctx, row.id, DistributionState.DISTRIBUTED, null);
        outcomes.set(row.host.id, { hostId: row.host.id, state: DistributionState.DISTRIBUTED, error: null });
      } catch (e) {
        if (ctx.signal.aborted) return;
        const message = e instanceof DomainError ? e.message : `distribution failed: ${(e as Error).message}`;
        await setRow(ctx, row.id, DistributionState.ERROR, message);
        outcomes.set(row.host.id, { hostId: row.host.id, state: DistributionState.ERROR, error: message });
      }
      done += 1;
      await ctx.progress({ step: 'distributing', done, total: rows.length });
    });
    const hosts = [...outcomes.values()];
    const result = { hosts, distributed: hosts.filter((h) => h.state === DistributionState.DISTRIBUTED).length, failed: hosts.filter((h) => h.state === DistributionState.ERROR).length };
    if (result.failed > 0) {
      throw new PartialFailure(new DomainError(ErrorCode.PLUGIN_ERROR, `${result.failed} of ${hosts.length} host(s) did not receive the package: ${hosts.filter((h) => h.error).map((h) => h.error).join('; ')}`, { failedHosts: hosts.filter((h) => h.error).map((h) => h.hostId) }), result);
    }
    return result;
  },

  async rollback(ctx) {
    const em = ctx.em();
    const rows = await em.find(PackageDistribution, { package: ctx.op.packageId!, operationId: ctx.op.id }, { populate: ['host'] });
    for (const row of rows) {
      const client = await ctx.plugins.clientFor(row.host.vim);
      await client.deletePackage(pluginTarget(row.host, await ctx.accessToken()), ctx.op.packageId!, { signal: ctx.signal, correlationId: ctx.correlationId });
    }
  },

  rolledBack: (op) => [deleteDistributions('package_id = ? and operation_id = ?', [op.packageId, op.id])],

  failed: (op) => [failDistributions(`package_id = ? and operation_id = ? and state = 'DISTRIBUTING'`, [op.packageId, op.id], 'the distribution was given up')],
};
