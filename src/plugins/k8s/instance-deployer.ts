import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { checkSamePackage } from '../plugin-kit/applcm-calls.js';
import type { InstantiateInput } from '../plugin-kit/applcm-service.js';
import { instanceKey } from '../plugin-kit/host-keys.js';
import { RpcError } from '../plugin-kit/rpc-error.js';
import { chartNamespace, isDns1123Label, releaseName, valuesOverride } from './chart-values.js';
import { HelmError } from './helm-cli.js';
import { manifestObjects, otherReleases, releaseHistory, type ReleaseRevision } from './helm-release.js';
import { kubeFor, type K8sContext } from './k8s-context.js';
import type { InstanceRecord } from './k8s-store.js';
import { isNotFound, KubeError, type KubeClient } from './kube-client.js';
import { instanceStatus, readWorkloads } from './workload-status.js';

/** Labels of a namespace the plugin created: terminate removes such a namespace once no release is left in it. */
export const CREATED_BY_LABEL = 'applcm.io/created-by';
const CREATED_BY = 'applcm-k8s-plugin';
/** How often the resources of an install in progress are looked at, to name the unready ones if it fails. */
const UNREADY_POLL_MS = 1000;

/** Helm and API failures as the caller sees them: the tool's own text, with what the plugin was doing. */
export function failure(what: string, e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (e instanceof HelmError || e instanceof KubeError) return new RpcError(status.UNKNOWN, `${what}: ${e.message}`);
  return new RpcError(status.INTERNAL, `${what}: ${e instanceof Error ? e.message : String(e)}`);
}

const last = (h: ReleaseRevision[]): ReleaseRevision | undefined => h[h.length - 1];

/**
 * Installs and removes instances with helm, one operation per instance at a time. The instance record is written
 * (INSTALLING) before helm starts, so that whatever a crash leaves — a record, a pending-* release — is found and
 * resolved by the next call for the instance.
 */
export class InstanceDeployer {
  constructor(private readonly ctx: K8sContext) {}

  instantiate(r: InstantiateInput): Promise<void> {
    const appInstanceId = r.appInstanceId.toLowerCase();
    return this.ctx.locks.run(instanceKey(r.tenantId, r.hostIp, appInstanceId), async () => {
      const { store } = this.ctx;
      const rec = await store.instance(r.tenantId, r.hostIp, appInstanceId);
      checkSamePackage(rec, appInstanceId, r.appPackageId);
      const { kube, kubeconfig } = await kubeFor(this.ctx, r.tenantId, r.hostIp);
      const pkg = await store.package(r.tenantId, r.hostIp, r.appPackageId);
      if (!pkg && rec?.state !== 'DEPLOYED') throw new RpcError(status.NOT_FOUND, `no package ${r.appPackageId} on host ${r.hostIp}`);
      const release = releaseName(appInstanceId);
      const requested = r.parameters['namespace'];
      if (requested !== undefined && !isDns1123Label(requested)) throw new RpcError(status.INVALID_ARGUMENT, `parameter namespace ${JSON.stringify(requested)} is not a DNS-1123 label`);
      const namespace = rec?.namespace ?? requested ?? chartNamespace(pkg?.chart?.valuesYaml) ?? 'default';
      await kube.probe().catch((e: unknown) => {
        throw failure(`instantiate ${appInstanceId}`, e);
      });
      try {
        // A retry finds its own release; a crash's leftovers are resolved first.
        if ((await this.resolveLeftovers(kube, kubeconfig, namespace, release)) === 'deployed') {
          await store.putInstance(r.tenantId, r.hostIp, { ...(rec ?? this.record(r, release, namespace, false)), state: 'DEPLOYED' });
          return;
        }
      } catch (e) {
        throw failure(`instantiate ${appInstanceId}: resolving the release left by an earlier run`, e);
      }
      if (!pkg) throw new RpcError(status.NOT_FOUND, `no package ${r.appPackageId} on host ${r.hostIp}`);
      if (!pkg.chart) throw new RpcError(status.FAILED_PRECONDITION, `package ${r.appPackageId}: ${pkg.chartError ?? 'no chart'}`);
      let created: boolean;
      try {
        created = await this.ensureNamespace(kube, namespace, appInstanceId);
      } catch (e) {
        throw failure(`instantiate ${appInstanceId}: namespace ${namespace}`, e);
      }
      await store.putInstance(r.tenantId, r.hostIp, { ...this.record(r, release, namespace, created || (rec?.createdNamespace ?? false)), state: 'INSTALLING' });
      this.ctx.hub.publish(instanceKey(r.tenantId, r.hostIp, appInstanceId), { kind: 'status' });
      const valuesFile = path.join(store.tmpDir, `${randomUUID()}.values.json`);
      await fs.writeFile(valuesFile, valuesOverride({ appInstanceId, namespace, accessKey: r.parameters['ak'], secretKey: r.parameters['sk'] }), { mode: 0o600 });
      const tracker = new UnreadyTracker(kube, namespace, release, appInstanceId);
      try {
        await this.ctx.helm.install({ release, namespace, kubeconfig, chart: pkg.chart.file, valuesFile, timeoutMs: this.ctx.opts.helmTimeoutMs });
      } catch (e) {
        const unready = tracker.lastUnready;
        await this.removeTraces(r.tenantId, r.hostIp, appInstanceId, kube, kubeconfig, namespace, release).catch(() => undefined);
        const err = failure(`helm install of ${release} (instance ${appInstanceId}) failed`, e);
        throw new RpcError(err.code, unready ? `${err.details}; not ready when it stopped: ${unready}` : err.details);
      } finally {
        tracker.stop();
        await fs.rm(valuesFile, { force: true });
      }
      await store.putInstance(r.tenantId, r.hostIp, { ...this.record(r, release, namespace, created || (rec?.createdNamespace ?? false)), state: 'DEPLOYED' });
      this.ctx.hub.publish(instanceKey(r.tenantId, r.hostIp, appInstanceId), { kind: 'status' });
    });
  }

  /** Uninstalls (waiting until the resources are gone); an instance that is not there is already terminated. */
  terminate(tenantId: string, hostIp: string, appInstanceId: string): Promise<void> {
    const id = appInstanceId.toLowerCase();
    return this.ctx.locks.run(instanceKey(tenantId, hostIp, id), async () => {
      const rec = await this.ctx.store.instance(tenantId, hostIp, id);
      if (!rec) return;
      const { kube, kubeconfig } = await kubeFor(this.ctx, tenantId, hostIp);
      try {
        await kube.probe();
        await this.removeTraces(tenantId, hostIp, id, kube, kubeconfig, rec.namespace, rec.release);
      } catch (e) {
        throw failure(`terminate ${id}`, e);
      }
    });
  }

  /** Uninstalls the release if Helm holds any revision of it, removes a namespace the plugin created and left empty, and the record. */
  private async removeTraces(tenantId: string, hostIp: string, appInstanceId: string, kube: KubeClient, kubeconfig: string, namespace: string, release: string): Promise<void> {
    if ((await releaseHistory(kube, namespace, release)).length > 0) {
      await this.ctx.helm.uninstall({ release, namespace, kubeconfig, timeoutMs: this.ctx.opts.helmTimeoutMs });
    }
    await this.removeNamespaceIfOurs(kube, namespace, release);
    await this.ctx.store.removeInstance(tenantId, hostIp, appInstanceId);
    this.ctx.hub.publish(instanceKey(tenantId, hostIp, appInstanceId), { kind: 'gone' });
  }

  /**
   * What an earlier run left: nothing, a deployed release (a retry: keep it), or a release stuck in pending-* or
   * failed because the process running helm died. A pending-install or failed release is uninstalled, a
   * pending-upgrade/-rollback rolled back to its last deployed revision. The caller holds the instance's lock, so no
   * helm of this process works on the release: a pending state is a dead run's.
   */
  private async resolveLeftovers(kube: KubeClient, kubeconfig: string, namespace: string, release: string): Promise<'deployed' | 'absent'> {
    const history = await releaseHistory(kube, namespace, release);
    const cur = last(history);
    if (!cur) return 'absent';
    if (cur.status === 'deployed') return 'deployed';
    const timeoutMs = this.ctx.opts.helmTimeoutMs;
    if (cur.status === 'pending-upgrade' || cur.status === 'pending-rollback') {
      const good = [...history].reverse().find((h) => h.revision < cur.revision && (h.status === 'deployed' || h.status === 'superseded'));
      if (good) {
        await this.ctx.helm.rollback({ release, namespace, kubeconfig, revision: good.revision, timeoutMs });
        return 'deployed';
      }
    }
    // pending-install, failed, uninstalling, or a pending upgrade with nothing to go back to: start afresh.
    await this.ctx.helm.uninstall({ release, namespace, kubeconfig, timeoutMs });
    return 'absent';
  }

  /** Creates the namespace unless it exists; true when this call created it. */
  private async ensureNamespace(kube: KubeClient, namespace: string, appInstanceId: string): Promise<boolean> {
    try {
      await kube.call(`read namespace ${namespace}`, (o) => kube.core.readNamespace({ name: namespace }, o));
      return false;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await kube.call(`create namespace ${namespace}`, (o) =>
        kube.core.createNamespace({ body: { metadata: { name: namespace, labels: { [CREATED_BY_LABEL]: CREATED_BY, 'applcm.io/first-instance': appInstanceId } } } }, o),
      );
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.httpStatus === 409) return false;
      throw e;
    }
  }

  /** A namespace the plugin created goes when the last release in it does (another instance may share it). */
  private async removeNamespaceIfOurs(kube: KubeClient, namespace: string, release: string): Promise<void> {
    let labels: Record<string, string> | undefined;
    try {
      labels = (await kube.call(`read namespace ${namespace}`, (o) => kube.core.readNamespace({ name: namespace }, o))).metadata?.labels;
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (labels?.[CREATED_BY_LABEL] !== CREATED_BY) return;
    if ((await otherReleases(kube, namespace, release)).length > 0) return;
    try {
      await kube.call(`delete namespace ${namespace}`, (o) => kube.core.deleteNamespace({ name: namespace }, o));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private record(r: InstantiateInput, release: string, namespace: string, createdNamespace: boolean): InstanceRecord {
    return { appInstanceId: r.appInstanceId.toLowerCase(), appPackageId: r.appPackageId, release, namespace, createdNamespace, state: 'INSTALLING', updatedAt: '' };
  }
}

/**
 * Looks at a release's resources while helm waits for them, so that an install that fails names what was not
 * ready (helm's rollback removes the resources before it answers).
 */
class UnreadyTracker {
  lastUnready = '';
  private timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly release: string,
    private readonly appInstanceId: string,
  ) {
    this.timer = setInterval(() => void this.look(), UNREADY_POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const cur = last(await releaseHistory(this.kube, this.namespace, this.release));
      if (!cur) return;
      const w = await readWorkloads(this.kube, this.namespace, manifestObjects(cur.manifest));
      const s = instanceStatus(this.appInstanceId, w, false);
      const deployments = w.groups.filter((g) => g.kind !== 'Pod' && g.pods.some((p) => !(p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')));
      const parts = [...deployments.map((g) => `${g.kind}/${g.name}`), s.reason].filter(Boolean);
      if (parts.length) this.lastUnready = parts.join('; ');
    } catch {
      // The next look, or the helm error alone.
    } finally {
      this.busy = false;
    }
  }
}
