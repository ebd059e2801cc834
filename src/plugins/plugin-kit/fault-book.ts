import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc-error.js';
import type { InjectedFault, PluginRpc } from './kit-types.js';

/** Injected faults, consumed in the order they were injected. */
export class FaultBook {
  private entries: { fault: InjectedFault; left: number }[] = [];

  inject(fault: InjectedFault): void {
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) throw new Error(`InjectedFault.times must be a positive integer, got ${fault.times}`);
    for (const k of ['afterBytes', 'afterMessages'] as const) {
      const v = fault[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new Error(`InjectedFault.${k} must be a non-negative integer, got ${v}`);
    }
    this.entries.push({ fault: { ...fault }, left: fault.times ?? Infinity });
  }

  clear(): void {
    this.entries = [];
  }

  /** The fault that applies to a call of `rpc` now arriving, counted against its `times`. */
  take(rpc: PluginRpc): InjectedFault | undefined {
    const i = this.entries.findIndex((e) => e.fault.rpc === rpc || e.fault.rpc === '*');
    if (i < 0) return undefined;
    const e = this.entries[i]!;
    e.left -= 1;
    if (e.left <= 0) this.entries.splice(i, 1);
    return e.fault;
  }
}

export const faultError = (f: InjectedFault): RpcError => new RpcError(f.code ?? status.INTERNAL, f.message ?? `injected fault (${f.rpc})`);
