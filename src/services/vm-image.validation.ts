import { checkText, NAME_RE } from './validation.js';

export interface CreateImageRequest {
  appInstanceId: string;
  vmId: string;
  name: string;
}

// A VM id is the VIM's server id (Nova: a UUID; other VIMs: their own ids): one token, nothing to escape anywhere.
const VM_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** vmId and name of a snapshot; BAD_USER_INPUT naming the field otherwise. The instance is checked by the service. */
export function validateCreateImage(r: CreateImageRequest): CreateImageRequest {
  return {
    appInstanceId: r.appInstanceId.toLowerCase(),
    vmId: checkText(r.vmId, { field: 'vmId', maxBytes: 128, required: true, pattern: VM_ID_RE, hint: 'letters, digits and _ . : - (a server id)' }),
    name: checkText(r.name, { field: 'name', maxBytes: 128, required: true, pattern: NAME_RE, hint: 'letters and digits, with - or _ inside' }),
  };
}
