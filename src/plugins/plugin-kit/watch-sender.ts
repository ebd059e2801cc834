import { InstanceStatus_State, type InstanceStatus, type WatchInstanceEvent } from '../../generated/proto/applcm_plugin.js';
import type { ServerStream } from './server-stream.js';

const comparable = (s: InstanceStatus): string => JSON.stringify({ ...s, observedAt: '' });

/**
 * The sending side of a watchInstance stream: events as they come, a heartbeat in silence (every message restarts
 * it: it only fills silence), and the stream's end when the instance is gone. The heartbeat stops with the stream.
 */
export class WatchSender {
  private timer: NodeJS.Timeout | undefined;
  private lastStatus = '';

  constructor(
    private readonly out: ServerStream<WatchInstanceEvent>,
    private readonly heartbeatMs: number,
  ) {
    out.onClose(() => clearTimeout(this.timer));
  }

  send(event: WatchInstanceEvent['event']): void {
    clearTimeout(this.timer);
    void this.out.send({ event });
    if (this.out.isOpen) this.timer = setTimeout(() => this.send({ $case: 'heartbeat', value: { at: new Date().toISOString() } }), this.heartbeatMs);
  }

  /** A status, unless it says what the last one sent said (its time aside): a re-read that found nothing new is no news. */
  sendStatus(s: InstanceStatus): void {
    const c = comparable(s);
    if (c === this.lastStatus) return;
    this.lastStatus = c;
    this.send({ $case: 'status', value: s });
  }

  /** Nothing left to watch: says so (ABSENT), then ends cleanly. */
  gone(appInstanceId: string): void {
    this.send({ $case: 'status', value: { appInstanceId, state: InstanceStatus_State.ABSENT, reason: 'terminated', workloads: [], services: [], observedAt: new Date().toISOString() } });
    this.out.end();
  }
}
