import { Watch, type CoreV1Event } from '@kubernetes/client-node';
import type { WatchInstanceEvent } from '../../generated/proto/applcm_plugin.js';
import type { WatchRequest } from '../plugin-kit/extensions-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import type { ServerStream } from '../plugin-kit/server-stream.js';
import { WatchSender } from '../plugin-kit/watch-sender.js';
import type { K8sContext } from './k8s-context.js';
import type { InstanceView } from './instance-reader.js';
import { viewOf } from './instance-reader.js';
import { eventsOf, workloadEvent } from './workload-status.js';

/** Changes within this window are read once: a rollout touches pods, replica sets and events in a burst. */
const SETTLE_MS = 150;
/** A watch the API server closed (its timeout, a restart) is opened again after this pause. */
const REOPEN_MS = 1000;
const WATCH_TIMEOUT_S = 300;

/**
 * Streams an instance's status: first as it is, then each change, pushed by Kubernetes watches of the release's
 * namespace (pods, deployments, Helm's release Secrets, events) rather than by polling; workload events when asked;
 * heartbeats in silence; ABSENT and the end when the instance is terminated.
 */
export function watchInstance(ctx: K8sContext, first: InstanceView, r: WatchRequest, out: ServerStream<WatchInstanceEvent>): void {
  const { rec, kube } = first;
  const ns = rec.namespace;
  let view = first;
  const sender = new WatchSender(out, r.heartbeatMs);
  let settle: NodeJS.Timeout | undefined;
  const aborts = new Set<AbortController>();
  const seenEvents = new Set<string>();

  const reread = (): void => {
    clearTimeout(settle);
    settle = setTimeout(() => {
      void (async () => {
        const current = await ctx.store.instance(r.tenantId, r.hostIp, rec.appInstanceId);
        if (!out.isOpen || !current) return;
        view = await viewOf(ctx, kube, current, r.tenantId, r.hostIp);
        if (out.isOpen) sender.sendStatus(view.status);
      })().catch(() => undefined);
    }, SETTLE_MS);
  };

  const onEvent = (e: CoreV1Event): void => {
    const uid = e.metadata?.uid ?? '';
    const key = `${uid}/${e.count ?? 1}`;
    if (seenEvents.has(key)) return;
    seenEvents.add(key);
    if (r.includeEvents && eventsOf([e], view.workloads, view.objects).length > 0) sender.send({ $case: 'workloadEvent', value: workloadEvent(e) });
  };

  const watcher = new Watch(kube.kc);
  const open = (path: string, query: Record<string, string | boolean | number>, onChange: (phase: string, obj: unknown) => void): void => {
    let resourceVersion = typeof query['resourceVersion'] === 'string' ? query['resourceVersion'] : undefined;
    const start = (): void => {
      if (!out.isOpen) return;
      // The server ends each watch after a while (spread, as client-go's reflectors do); it reopens from the last version.
      const q = { ...query, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_S + Math.floor(Math.random() * WATCH_TIMEOUT_S), ...(resourceVersion ? { resourceVersion } : {}) };
      watcher
        .watch(
          path,
          q,
          (phase, obj: { metadata?: { resourceVersion?: string } }) => {
            if (obj?.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
            if (phase === 'BOOKMARK') return;
            if (phase === 'ERROR') {
              resourceVersion = undefined; // expired: start from now
              return;
            }
            onChange(phase, obj);
          },
          () => {
            if (out.isOpen) setTimeout(start, REOPEN_MS).unref();
          },
        )
        .then(
          (a) => {
            if (out.isOpen) aborts.add(a);
            else a.abort();
          },
          () => {
            if (out.isOpen) setTimeout(start, REOPEN_MS).unref();
          },
        );
    };
    start();
  };

  const unsubscribe = ctx.hub.subscribe(instanceKey(r.tenantId, r.hostIp, rec.appInstanceId), (change) => {
    if (change.kind === 'gone') sender.gone(rec.appInstanceId);
    else reread();
  });
  out.onClose(() => {
    unsubscribe();
    clearTimeout(settle);
    for (const a of aborts) a.abort();
  });

  sender.sendStatus(first.status);
  const changed = (): void => reread();
  /** Watches from the collection's current resourceVersion: no replay of what the first status already saw. */
  const fromNow = (what: string, list: (o: object) => Promise<{ metadata?: { resourceVersion?: string } }>, path: string, query: Record<string, string>, onChange: (phase: string, obj: unknown) => void) =>
    kube.call(`list ${what} of ${ns}`, list).then((l) => open(path, { ...query, resourceVersion: l.metadata?.resourceVersion ?? '' }, onChange));
  const selector = `owner=helm,name=${rec.release}`;
  void Promise.all([
    fromNow('pods', (o) => kube.core.listNamespacedPod({ namespace: ns, limit: 1 }, o), `/api/v1/namespaces/${ns}/pods`, {}, changed),
    fromNow('deployments', (o) => kube.apps.listNamespacedDeployment({ namespace: ns, limit: 1 }, o), `/apis/apps/v1/namespaces/${ns}/deployments`, {}, changed),
    fromNow('release secrets', (o) => kube.core.listNamespacedSecret({ namespace: ns, labelSelector: selector, limit: 1 }, o), `/api/v1/namespaces/${ns}/secrets`, { labelSelector: selector }, changed),
    // Events from now on only: the past ones are what workloadEvents answers.
    fromNow('events', (o) => kube.core.listNamespacedEvent({ namespace: ns, limit: 1 }, o), `/api/v1/namespaces/${ns}/events`, {}, (phase, obj) => {
      if (phase === 'ADDED' || phase === 'MODIFIED') onEvent(obj as CoreV1Event);
    }),
  ])
    // Whatever changed between the first status and the watches' start.
    .then(changed)
    .catch(() => undefined);
}
