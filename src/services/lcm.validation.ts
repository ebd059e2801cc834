import { badInput } from '../errors.js';
import { byteLength, checkText, isUuid, NAME_RE } from './validation.js';

export interface InstantiateRequest {
  appInstanceId?: string | null;
  packageId: string;
  hostId: string;
  name: string;
  description?: string | null;
  /** Parameters for the plugin (string values, as in the original). `ak` / `sk` here count as the AK/SK. */
  parameters?: Record<string, unknown> | null;
  /** Parameters that are secrets: sent to the plugin, never readable afterwards. */
  secretParameters?: Record<string, unknown> | null;
  accessKey?: string | null;
  secretKey?: string | null;
  origin?: string | null;
}

const KEY_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_PARAMETERS = 100;
const MAX_VALUE_BYTES = 4096;
const MAX_KEY_BYTES = 256;

function stringMap(field: string, v: Record<string, unknown> | null | undefined): Record<string, string> {
  if (v == null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badInput(field, `${field} must be an object of strings`);
  const entries = Object.entries(v);
  if (entries.length > MAX_PARAMETERS) throw badInput(field, `at most ${MAX_PARAMETERS} ${field}`);
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (!KEY_RE.test(k) || k.startsWith('__')) throw badInput(field, `${field} key ${JSON.stringify(k.slice(0, 40))} must be 1-128 characters of A-Z a-z 0-9 _ . - (not starting with __)`);
    // The original refused non-string values (a JSON number is a 400), and so do we: the plugin protocol carries strings.
    if (typeof val !== 'string') throw badInput(field, `${field}.${k} must be a string`);
    if (byteLength(val) > MAX_VALUE_BYTES) throw badInput(field, `${field}.${k} is longer than ${MAX_VALUE_BYTES} bytes`);
    out[k] = val;
  }
  return out;
}

/** Checks an instantiate request and splits what is secret (write-only) from what is not. */
export function validateInstantiation(r: InstantiateRequest) {
  if (r.appInstanceId != null && !isUuid(r.appInstanceId)) throw badInput('appInstanceId', 'appInstanceId must be a UUID');
  if (!isUuid(r.hostId)) throw badInput('hostId', 'hostId must be a UUID');
  checkText(r.packageId, { field: 'packageId', maxBytes: 64, required: true });
  const name = checkText(r.name, { field: 'name', maxBytes: 128, required: true, pattern: NAME_RE, hint: 'letters and digits, with - or _ inside' });
  const description = checkText(r.description ?? '', { field: 'description', maxBytes: 1024 });
  const origin = checkText(r.origin ?? 'MEO', { field: 'origin', maxBytes: 128, pattern: NAME_RE });
  const parameters = stringMap('parameters', r.parameters);
  const secretParameters = stringMap('secretParameters', r.secretParameters);
  // The original's requests carry the AK/SK inside `parameters`; they are secrets wherever they come from.
  const ak = r.accessKey ?? parameters.ak;
  const sk = r.secretKey ?? parameters.sk;
  delete parameters.ak;
  delete parameters.sk;
  for (const k of Object.keys(secretParameters)) if (k in parameters) throw badInput('secretParameters', `${k} is given both as a parameter and as a secret parameter`);
  if (Boolean(ak) !== Boolean(sk)) throw badInput(ak ? 'secretKey' : 'accessKey', 'give both the access key and the secret key, or neither (they are then generated)');
  for (const [field, v] of [['accessKey', ak], ['secretKey', sk]] as const) {
    if (v !== undefined && (byteLength(v) > MAX_KEY_BYTES || !/^[\x21-\x7e]+$/.test(v))) throw badInput(field, `${field} must be 1-${MAX_KEY_BYTES} printable ASCII characters`);
  }
  const userSecrets: { ak?: string; sk?: string; secretParameters: Record<string, string> } = { ...(ak ? { ak, sk } : {}), secretParameters };
  return { appInstanceId: r.appInstanceId?.toLowerCase() ?? null, packageId: r.packageId, hostId: r.hostId, name, description, origin, parameters, secretParameters, userSecrets };
}
