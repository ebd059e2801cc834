import { badInput } from '../errors.js';
import { AFFINITY_RE, checkIpv4, checkText, CITY_RE, NAME_RE } from './validation.js';

export interface HwCapabilityData {
  hwType: string;
  hwVendor: string;
  hwModel: string;
}

export interface HostFields {
  ip?: string;
  name?: string;
  zipCode?: string;
  city?: string;
  address?: string;
  affinity?: string;
  coordinates?: string;
  vim?: string;
  origin?: string;
  hwCapabilities?: HwCapabilityData[];
}

const NAME_HINT = 'letters and digits, with - or _ only between them';
export const MAX_HW_CAPABILITIES = 32;

/**
 * Validates the host fields that are present (the original's rules, applcm-original.md §1.5) and returns them
 * normalised: `vim` lower-cased (it selects a plugin), `origin` upper-cased (MEO, MEPM).
 */
export function validateHostFields(f: HostFields, creating: boolean): HostFields {
  const out: HostFields = {};
  if (f.ip !== undefined || creating) out.ip = checkIpv4(f.ip ?? '', 'ip');
  if (f.name !== undefined || creating) out.name = checkText(f.name ?? '', { field: 'name', maxBytes: 128, pattern: NAME_RE, required: true, hint: NAME_HINT });
  if (f.zipCode !== undefined) out.zipCode = checkText(f.zipCode, { field: 'zipCode', maxBytes: 128, pattern: NAME_RE, hint: NAME_HINT });
  if (f.city !== undefined) out.city = checkText(f.city, { field: 'city', maxBytes: 128, pattern: CITY_RE, hint: 'letters and digits, with / or spaces only between them' });
  if (f.address !== undefined) out.address = checkText(f.address, { field: 'address', maxBytes: 256 });
  if (f.affinity !== undefined) out.affinity = checkText(f.affinity, { field: 'affinity', maxBytes: 128, pattern: AFFINITY_RE, hint: 'letters and digits, with -, _ or , only between them' });
  if (f.coordinates !== undefined) out.coordinates = checkText(f.coordinates, { field: 'coordinates', maxBytes: 128 });
  if (f.vim !== undefined) out.vim = checkText(f.vim, { field: 'vim', maxBytes: 128, pattern: NAME_RE, required: true, hint: NAME_HINT }).toLowerCase();
  if (f.origin !== undefined) out.origin = checkText(f.origin, { field: 'origin', maxBytes: 128, pattern: NAME_RE, required: true, hint: NAME_HINT }).toUpperCase();
  if (f.hwCapabilities !== undefined) out.hwCapabilities = validateHwCapabilities(f.hwCapabilities);
  return out;
}

function validateHwCapabilities(list: HwCapabilityData[]): HwCapabilityData[] {
  if (list.length > MAX_HW_CAPABILITIES) throw badInput('hwCapabilities', `at most ${MAX_HW_CAPABILITIES} hardware capabilities`);
  const seen = new Set<string>();
  return list.map((c, i) => {
    const field = `hwCapabilities[${i}]`;
    const hw = {
      hwType: checkText(c.hwType, { field: `${field}.hwType`, maxBytes: 128, pattern: NAME_RE, required: true, hint: NAME_HINT }),
      hwVendor: checkText(c.hwVendor, { field: `${field}.hwVendor`, maxBytes: 128 }),
      hwModel: checkText(c.hwModel, { field: `${field}.hwModel`, maxBytes: 128 }),
    };
    if (seen.has(hw.hwType)) throw badInput(`${field}.hwType`, `hardware type ${hw.hwType} is listed twice`);
    seen.add(hw.hwType);
    return hw;
  });
}
