import { createHash } from 'node:crypto';
import type { NovaFlavor } from './openstack/nova.js';
import type { VmVdu } from './vm-template.js';

/**
 * The flavor a VDU's virtual compute needs. With extra specs (CPU pinning, host aggregates…) only a flavor the plugin
 * made for exactly those specs will do: its name carries them, hashed. Without, the smallest existing flavor with at
 * least the CPUs, memory and disk asked for.
 */
export function flavorName(vdu: VmVdu): string {
  const specs = Object.entries(vdu.flavorExtraSpecs).sort(([a], [b]) => a.localeCompare(b));
  const base = `applcm-${vdu.vcpus}c-${vdu.ramMb}m-${vdu.diskGb}g`;
  return specs.length ? `${base}-${createHash('sha256').update(JSON.stringify(specs)).digest('hex').slice(0, 8)}` : base;
}

export function fittingFlavor(vdu: VmVdu, flavors: NovaFlavor[]): NovaFlavor | undefined {
  if (Object.keys(vdu.flavorExtraSpecs).length) return flavors.find((f) => f.name === flavorName(vdu));
  return flavors
    .filter((f) => f.vcpus >= vdu.vcpus && f.ram >= vdu.ramMb && f.disk >= vdu.diskGb)
    .sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram || a.disk - b.disk || a.name.localeCompare(b.name))[0];
}
