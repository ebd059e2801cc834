import type { WatchInstanceEvent } from '../../generated/proto/applcm_plugin.js';
import type { WatchRequest } from '../plugin-kit/extensions-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import type { ServerStream } from '../plugin-kit/server-stream.js';
import { WatchSender } from '../plugin-kit/watch-sender.js';
import { instanceStatus, readInstance, serverEvents, workloadEventsOf, type InstanceView } from './instance-reader.js';
import type { VmContext } from './vm-context.js';

/**
 * Streams an instance's status: first as it is, then each change. Nova pushes nothing to a client, so the servers
 * are looked at every `watchPollMs`, and at once when this plugin changed the instance (operate, terminate, through
 * the watch hub); server actions as workload events when asked; heartbeats in silence; ABSENT and the end when the
 * instance is terminated.
 */
export function watchInstance(ctx: VmContext, first: InstanceView, r: WatchRequest, out: ServerStream<WatchInstanceEvent>): void {
  const id = first.rec.appInstanceId;
  const sender = new WatchSender(out, r.heartbeatMs);
  let poll: NodeJS.Timeout | undefined;
  const seen = new Set<string>();

  const sendEvents = async (v: InstanceView, quiet: boolean): Promise<void> => {
    if (!r.includeEvents) return;
    for (const e of workloadEventsOf(await serverEvents(v))) {
      const key = `${e.name}/${e.reason}/${e.firstSeen}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!quiet && out.isOpen) sender.send({ $case: 'workloadEvent', value: e });
    }
  };

  let reading = false;
  const look = async (): Promise<void> => {
    if (reading || !out.isOpen) return;
    reading = true;
    try {
      const v = await readInstance(ctx, r.tenantId, r.hostIp, id);
      if (!out.isOpen) return;
      sender.sendStatus(instanceStatus(v));
      await sendEvents(v, false);
    } catch {
      // A passing API failure: the next look tries again (a terminated instance arrives through the hub).
    } finally {
      reading = false;
    }
  };
  const schedule = (): void => {
    if (!out.isOpen) return;
    poll = setTimeout(() => void look().finally(schedule), ctx.opts.watchPollMs);
  };

  const unsubscribe = ctx.hub.subscribe(instanceKey(r.tenantId, r.hostIp, id), (change) => {
    if (change.kind === 'gone') sender.gone(id);
    else void look();
  });
  out.onClose(() => {
    clearTimeout(poll);
    unsubscribe();
  });
  sender.sendStatus(instanceStatus(first));
  // Events that happened before the watch started are history, not news.
  void sendEvents(first, true)
    .catch(() => undefined)
    .finally(schedule);
}
