import { DistributionState, PackageDistribution } from '../../db/entities/index.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { OperationHandler } from '../operation-handler.js';
import { recordDistribution } from '../record-events.js';

/** Deletes a package from one host's plugin, then its distribution row (deletePackage is idempotent on the plugin). */
export const removeFromHostHandler: OperationHandler = {
  async run(ctx) {
    const row = await ctx.em().findOne(PackageDistribution, { package: ctx.op.packageId!, host: ctx.op.hostId! }, { populate: ['host'] });
    if (!row) return { alreadyRemoved: true };
    const client = await ctx.plugins.clientFor(row.host.vim);
    await client.deletePackage(pluginTarget(row.host, await ctx.accessToken()), ctx.op.packageId!, { signal: ctx.signal, correlationId: ctx.correlationId });
    return null;
  },

  async completed(em, op) {
    const row = await em.findOne(PackageDistribution, { package: op.packageId!, host: op.hostId! }, { populate: ['package', 'host'] });
    if (!row) return;
    recordDistribution(em, row, 'deleted');
    em.remove(row);
  },

  async failed(em, op) {
    const row = await em.findOne(PackageDistribution, { package: op.packageId!, host: op.hostId!, operationId: op.id }, { populate: ['package', 'host'] });
    if (!row || row.state !== DistributionState.DELETING) return;
    row.state = DistributionState.ERROR;
    row.error = 'removal from the host was given up; the package may still be on it';
    recordDistribution(em, row, 'updated');
  },
};
