import type { SimInstanceState } from './sim-options.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import type { SimInstance, SimStore, SimWorkloadEvent } from './sim-store.js';
import type { WatchHub } from '../plugin-kit/watch-hub.js';
import { podName } from './instance-view.js';

/** The event of a container that came up (also added when a DEPLOYING instance is reloaded as RUNNING). */
export const STARTED_EVENT = { type: 'Normal', reason: 'Started', message: 'Started container app' } as const;

/**
 * Every change to an instance goes through here, so that watchers hear each one exactly once, the deploy timers
 * are always cleared, and `changed` hears of each (to persist it).
 */
export class InstanceLifecycle {
  constructor(
    private readonly store: SimStore,
    private readonly hub: WatchHub,
    private readonly deployDelayMs: number,
    private readonly changed: (inst: SimInstance) => void = () => undefined,
  ) {}

  create(fields: Pick<SimInstance, 'tenantId' | 'hostIp' | 'appInstanceId' | 'appPackageId' | 'parameters'>): SimInstance {
    const inst: SimInstance = { ...fields, state: 'DEPLOYING', reason: '', restarts: 0, events: [] };
    this.store.host(inst.tenantId, inst.hostIp).instances.set(inst.appInstanceId, inst);
    this.addEvent(inst, { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned default/${podName(inst)} to sim-node-1` });
    const deployed = (): void => {
      inst.deployTimer = undefined;
      this.addEvent(inst, STARTED_EVENT);
      this.setState(inst, 'RUNNING', '');
    };
    if (this.deployDelayMs > 0) {
      inst.deployTimer = setTimeout(deployed, this.deployDelayMs);
      inst.deployTimer.unref();
    } else {
      deployed();
    }
    return inst;
  }

  setState(inst: SimInstance, state: SimInstanceState, reason: string): void {
    // A state set from outside overrides a pending deploy step.
    if (inst.deployTimer) clearTimeout(inst.deployTimer);
    inst.deployTimer = undefined;
    if (state === 'DEGRADED' && inst.state !== 'DEGRADED') inst.restarts += 1;
    inst.state = state;
    inst.reason = reason;
    this.changed(inst);
    this.hub.publish(keyOf(inst), { kind: 'status' });
  }

  addEvent(inst: SimInstance, ev: Omit<SimWorkloadEvent, 'at'>): void {
    const event = { ...ev, at: new Date().toISOString() };
    inst.events.push(event);
    this.changed(inst);
    this.hub.publish(keyOf(inst), { kind: 'event', event });
  }

  remove(inst: SimInstance): void {
    if (inst.deployTimer) clearTimeout(inst.deployTimer);
    inst.deployTimer = undefined;
    this.store.find(inst.tenantId, inst.hostIp)?.instances.delete(inst.appInstanceId);
    this.changed(inst);
    this.hub.publish(keyOf(inst), { kind: 'gone' });
  }

  /** Clears every pending deploy step (stop()). */
  dispose(): void {
    for (const inst of this.store.instances()) {
      if (inst.deployTimer) clearTimeout(inst.deployTimer);
      inst.deployTimer = undefined;
    }
  }
}

const keyOf = (inst: SimInstance): string => instanceKey(inst.tenantId, inst.hostIp, inst.appInstanceId);
