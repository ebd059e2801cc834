import { DomainError, ErrorCode } from '../../errors.js';
import { IMAGE_COLUMNS, imageEvent, imageRowSnapshot, type ImageRow } from '../../events/image-events.js';
import { sqlRows } from '../../db/sql-tx.js';
import { pluginTarget } from '../../plugins/plugin-target.js';
import type { PluginClient, PluginTarget } from '../../plugins/plugin-client.js';
import type { HandlerContext } from '../operation-handler.js';
import type { OutcomeStatement } from '../outcome-tx.js';

/**
 * Changes an image as part of an outcome and announces its new state. `set` holds column assignments written by the
 * handler (never input); their values go in `params`. A vanished image refuses the outcome when `required`.
 */
export function updateImage(id: string, set: string, params: readonly unknown[] = [], opts: { required?: boolean } = {}): OutcomeStatement<ImageRow> {
  return {
    sql: `update vm_image set ${set}, updated_at = now(), row_version = row_version + 1 where id = ? returning ${IMAGE_COLUMNS}`,
    params: [...params, id],
    announce(rows) {
      if (opts.required && rows.length === 0) throw new DomainError(ErrorCode.NOT_FOUND, `VM image ${id} no longer exists`, { resource: 'VM image' });
      return rows.map((r) => imageEvent(imageRowSnapshot(r), false));
    },
  };
}

/** Removes an image's row and announces that it is gone (nothing when it already was). */
export function deleteImage(id: string): OutcomeStatement<ImageRow> {
  return {
    sql: `delete from vm_image where id = ? returning ${IMAGE_COLUMNS}`,
    params: [id],
    announce: (rows) => rows.map((r) => imageEvent(imageRowSnapshot(r), true)),
  };
}

/** An image of an operation with what reaching its host's image service takes. */
export interface ImageOnPlugin {
  image: { id: string; vmId: string; name: string; instanceId: string | null; pluginImageId: string | null };
  client: PluginClient;
  target: PluginTarget;
}

/** The operation's image (params.imageId) with its host's plugin client and call target; null when the row is gone. */
export async function imageOnPlugin(ctx: HandlerContext): Promise<ImageOnPlugin | null> {
  const id = String(ctx.op.params.imageId);
  const [row] = await sqlRows<{ id: string; vm_id: string; name: string; instance_id: string | null; plugin_image_id: string | null; host_tenant: string | null; host_ip: string; host_vim: string }>(
    ctx.db,
    `select i.id, i.vm_id, i.name, i.instance_id, i.plugin_image_id, h.tenant_id as host_tenant, h.ip as host_ip, h.vim as host_vim
     from vm_image i join mec_host h on h.id = i.host_id where i.id = ?`,
    [id],
  );
  if (!row) return null;
  const client = await ctx.plugins.clientFor(row.host_vim);
  return {
    image: { id: row.id, vmId: row.vm_id, name: row.name, instanceId: row.instance_id, pluginImageId: row.plugin_image_id },
    client,
    target: pluginTarget({ tenantId: row.host_tenant, ip: row.host_ip }, await ctx.accessToken()),
  };
}

/**
 * Remembers the plugin's id for the image at once, not with the outcome: a resumed or retried run must find the same
 * image. Bookkeeping of the engine, so neither a new version nor an event: the outcome announces it with the rest.
 */
export async function notePluginImage(ctx: HandlerContext, imageId: string, pluginImageId: string | null): Promise<void> {
  await sqlRows(ctx.db, 'update vm_image set plugin_image_id = ? where id = ?', [pluginImageId, imageId]);
}
