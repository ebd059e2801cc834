import { DomainError, ErrorCode } from '../errors.js';
import { sanitizePluginText, type CallSite } from './plugin-errors.js';

/**
 * Where an image stands on the host's image service, from the Glance statuses the plugins report: queued, saving,
 * uploading and importing are still being made; active can be downloaded; killed and deactivated cannot be used;
 * deleted and pending_delete are going away.
 */
export type PluginImageState = 'PENDING' | 'ACTIVE' | 'FAILED' | 'GONE';

export interface PluginImage {
  imageId: string;
  state: PluginImageState;
  /** The status word the plugin used (shown in progress and errors). */
  status: string;
  sizeBytes: number | null;
  checksum: string | null;
  diskFormat: string | null;
}

const STATES: Record<string, PluginImageState> = {
  queued: 'PENDING',
  saving: 'PENDING',
  uploading: 'PENDING',
  importing: 'PENDING',
  active: 'ACTIVE',
  killed: 'FAILED',
  deactivated: 'FAILED',
  deleted: 'GONE',
  pending_delete: 'GONE',
};

type Json = Record<string, unknown>;

/**
 * The object a plugin answered: our plugins answer it bare; the original osplugin wraps it as
 * `{"data": …, "retCode": …, "message": …}` and reports an unknown image as `{"code": 404|500}`.
 */
function unwrap(text: string, site: CallSite): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError(ErrorCode.PLUGIN_ERROR, `${site.vim} plugin (${site.endpoint}) answered ${site.rpc} with text that is not JSON: ${JSON.stringify(sanitizePluginText(text))}`, { vim: site.vim, rpc: site.rpc });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw unexpected(text, site);
  const o = parsed as Json;
  const code = typeof o.retCode === 'number' ? o.retCode : typeof o.code === 'number' ? o.code : undefined;
  if (code === 404) throw new DomainError(ErrorCode.NOT_FOUND, `${site.vim} plugin (${site.endpoint}) holds no such image`, { vim: site.vim, rpc: site.rpc });
  if (code !== undefined && code !== 0 && code !== 200) {
    const message = typeof o.message === 'string' ? o.message : text;
    throw new DomainError(ErrorCode.PLUGIN_ERROR, `${site.vim} plugin (${site.endpoint}) ${site.rpc} failed (${code}): ${sanitizePluginText(message)}`, { vim: site.vim, rpc: site.rpc });
  }
  if (!('retCode' in o)) return o;
  // A delete answers data null; the callers check the fields they need.
  if (o.data === null || o.data === undefined) return {};
  if (typeof o.data !== 'object' || Array.isArray(o.data)) throw unexpected(text, site);
  return o.data as Json;
}

const unexpected = (text: string, site: CallSite): DomainError =>
  new DomainError(ErrorCode.PLUGIN_ERROR, `${site.vim} plugin (${site.endpoint}) answered ${site.rpc} unexpectedly: ${JSON.stringify(sanitizePluginText(text))}`, { vim: site.vim, rpc: site.rpc });

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The image id a createVmImage answer names. */
export function createdImageId(answer: string, site: CallSite): string {
  const id = text(unwrap(answer, site).imageId);
  if (!id) throw unexpected(answer, site);
  return id;
}

/** A queryVmImage answer for one image. */
export function pluginImage(answer: string, site: CallSite): PluginImage {
  const o = unwrap(answer, site);
  const status = text(o.status)?.toLowerCase();
  const state = status ? STATES[status] : undefined;
  if (!status || !state) throw unexpected(answer, site);
  const size = typeof o.size === 'number' ? o.size : typeof o.size === 'string' && /^\d+$/.test(o.size) ? Number(o.size) : null;
  return {
    imageId: text(o.imageId) ?? text(o.id) ?? '',
    state,
    status,
    sizeBytes: size !== null && Number.isSafeInteger(size) && size >= 0 ? size : null,
    checksum: text(o.checksum),
    diskFormat: text(o.diskFormat) ?? text(o.disk_format),
  };
}

/** A deleteVmImage answer: "Success", or the original osplugin's JSON with retCode 200. */
export function requireDeleted(answer: string, site: CallSite): void {
  if (answer === 'Success') return;
  if (answer.trimStart().startsWith('{')) {
    unwrap(answer, site);
    return;
  }
  throw new DomainError(ErrorCode.PLUGIN_ERROR, `${site.vim} plugin (${site.endpoint}) answered ${JSON.stringify(sanitizePluginText(answer || '<empty>'))} to ${site.rpc}`, { vim: site.vim, rpc: site.rpc });
}
