import { VmImageStatus } from '../../db/entities/vm-image.entity.js';
import type { OperationHandler } from '../operation-handler.js';
import { lifecycleCall } from './plugin-access.js';
import { deleteImage, imageOnPlugin, updateImage } from './image-rows.js';

/** Deletes an image from its host's image service (idempotent there), then its row. */
export const deleteImageHandler: OperationHandler = {
  async run(ctx) {
    const p = await imageOnPlugin(ctx);
    if (!p) return { alreadyDeleted: true };
    if (p.image.pluginImageId) await p.client.deleteVmImage(p.target, p.image.pluginImageId, lifecycleCall(ctx));
    return null;
  },

  completed: (op) => [deleteImage(String(op.params.imageId))],

  /** Given up: the image may still be on the host; ERROR says so, and another deleteVmImage may be tried. */
  failed: (op) => [updateImage(String(op.params.imageId), 'status = ?', [VmImageStatus.ERROR])],
};
