import { PackageDistribution } from '../../db/entities/index.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { OperationHandler } from '../operation-handler.js';
import { deleteDistributions, failDistributions } from './row-changes.js';

/** Deletes a package from one host's plugin, then its distribution row (deletePackage is idempotent on the plugin). */
export const removeFromHostHandler: OperationHandler = {
  async run(ctx) {
    const row = await ctx.em().findOne(PackageDistribution, { package: ctx.op.packageId!, host: ctx.op.hostId! }, { populate: ['host'] });
    if (!row) return { alreadyRemoved: true };
    const client = await ctx.plugins.clientFor(row.host.vim);
    await client.deletePackage(pluginTarget(row.host, await ctx.accessToken()), ctx.op.packageId!, { signal: ctx.signal, correlationId: ctx.correlationId });
    return null;
  },

  completed: (op) => [deleteDistributions('package_id = ? and host_id = ?', [op.packageId, op.hostId])],

  failed: (op) => [
    failDistributions(`package_id = ? and host_id = ? and operation_id = ? and state = 'DELETING'`, [op.packageId, op.hostId, op.id], 'removal from the host was given up; the package may still be on it'),
  ],
};
