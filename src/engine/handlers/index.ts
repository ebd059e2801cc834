import { OperationType } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { OperationHandler } from '../operation-handler.js';
import { createImageHandler } from './create-image.handler.js';
import { deleteImageHandler } from './delete-image.handler.js';
import { distributeHandler } from './distribute.handler.js';
import { instantiateHandler } from './instantiate.handler.js';
import { operateHandler } from './operate.handler.js';
import { removeFromHostHandler } from './remove-from-host.handler.js';
import { terminateHandler } from './terminate.handler.js';

/** Operation types whose work arrives with a later capability (package deletion). */
const notYet = (type: OperationType): OperationHandler => ({
  run: () => Promise.reject(new DomainError(ErrorCode.CONFLICT, `${type} operations are not supported by this version`)),
});

export const HANDLERS: Record<OperationType, OperationHandler> = {
  [OperationType.INSTANTIATE]: instantiateHandler,
  [OperationType.TERMINATE]: terminateHandler,
  [OperationType.OPERATE]: operateHandler,
  [OperationType.DISTRIBUTE]: distributeHandler,
  [OperationType.REMOVE_FROM_HOST]: removeFromHostHandler,
  [OperationType.DELETE_PACKAGE]: notYet(OperationType.DELETE_PACKAGE),
  [OperationType.CREATE_IMAGE]: createImageHandler,
  [OperationType.DELETE_IMAGE]: deleteImageHandler,
};
