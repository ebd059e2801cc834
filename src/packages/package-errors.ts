import { DomainError, ErrorCode } from '../errors.js';

/** A package is malformed, unsafe or incomplete; the message names the entry and what is wrong with it. */
export const invalidPackage = (message: string, entry?: string): DomainError =>
  new DomainError(ErrorCode.INVALID_PACKAGE, entry ? `${entry}: ${message}` : message, entry ? { entry } : {});
