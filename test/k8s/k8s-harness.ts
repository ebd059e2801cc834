import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { describe } from 'node:test';
import type { status } from '@grpc/grpc-js';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { InstanceStatus } from '../../src/generated/proto/applcm_plugin.js';
import { checkContext, openClients, putConfig, putPackage, type CheckContext } from '../../src/plugins/conformance/check-context.js';
import { unary } from '../../src/plugins/conformance/grpc-calls.js';
import { K8sPlugin } from '../../src/plugins/k8s/k8s-plugin.js';
import type { K8sPluginOptions } from '../../src/plugins/k8s/k8s-options.js';
import { FakeKubeServer } from '../fake-kube/fake-kube-server.js';
import { helmBinary, HELM_VERSIONS, type HelmVersion } from '../helpers/helm-binary.js';
import { fixture } from '../helpers/package-client.js';
import { testCerts } from '../helpers/test-certs.js';

/**
 * Where a k8s suite runs: the fake API server of test/fake-kube (always), and a real cluster when
 * APPLCM_TEST_KUBECONFIG names a kubeconfig (Pods there must become Running: a real node, or a node simulator such
 * as kwok, since the fixtures' images cannot be pulled).
 */
export interface ClusterBackend {
  name: string;
  /** The fake's handle, for tests that steer the cluster (readiness); absent on a real cluster. */
  fake?: FakeKubeServer;
  kubeconfig: string;
  stop(): Promise<void>;
}

export const REAL_KUBECONFIG = process.env['APPLCM_TEST_KUBECONFIG'];

export type BackendKind = 'fake' | 'real';

export function backendKinds(): BackendKind[] {
  return REAL_KUBECONFIG ? ['fake', 'real'] : ['fake'];
}

export async function startBackend(kind: BackendKind, o: { metrics?: boolean } = {}): Promise<ClusterBackend> {
  if (kind === 'real') return { name: 'real cluster', kubeconfig: fs.readFileSync(REAL_KUBECONFIG!, 'utf8'), stop: () => Promise.resolve() };
  const certs = testCerts();
  const fake = await FakeKubeServer.start({ metrics: o.metrics ?? true, tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile } });
  return { name: 'fake API server', fake, kubeconfig: fake.kubeconfig(), stop: () => fake.stop() };
}

export const ALL_HELMS = Object.keys(HELM_VERSIONS) as HelmVersion[];

/** One describe per helm version and cluster backend. */
export function eachHelmAndCluster(label: string, body: (helm: HelmVersion, kind: BackendKind) => void): void {
  for (const helm of ALL_HELMS) for (const kind of backendKinds()) describe(`${label} (helm ${helm}, ${kind === 'fake' ? 'fake API server' : 'real cluster'})`, () => body(helm, kind));
}

export interface PluginEnv {
  plugin: K8sPlugin;
  backend: ClusterBackend;
  /** A tenant with the cluster's kubeconfig uploaded; calls helpers of the conformance kit work on it. */
  ctx: CheckContext;
  cleanups: (() => Promise<unknown>)[];
  close(): Promise<void>;
}

export async function startPlugin(helm: HelmVersion, backend: ClusterBackend, o: K8sPluginOptions = {}): Promise<PluginEnv> {
  const plugin = await K8sPlugin.start({ helmBin: await helmBinary(helm), ...o });
  const clients = openClients({ address: plugin.address, accessToken: 'k8s-test-token' });
  const cleanups: (() => Promise<unknown>)[] = [];
  const ctx = checkContext(
    { address: plugin.address, accessToken: 'k8s-test-token', tenantId: randomUUID(), hostIp: '192.0.2.20', configFile: Buffer.from(backend.kubeconfig), deadlineMs: 60_000 },
    clients,
    cleanups,
  );
  const r = await putConfig(ctx);
  if (r.status !== 'Success') throw new Error(`uploadConfig: ${r.status}`);
  return {
    plugin,
    backend,
    ctx,
    cleanups,
    async close() {
      for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
      clients.close();
      await plugin.stop();
    },
  };
}

export const fixtureBytes = (name: string): Buffer => fs.readFileSync(fixture(name));

export async function uploadFixture(env: PluginEnv, name: string, packageId = randomUUID().replace(/-/g, '')): Promise<string> {
  const r = await putPackage(env.ctx, packageId, fixtureBytes(name));
  if (r.status !== 'Success') throw new Error(`uploadPackage ${name}: ${r.status}`);
  return packageId;
}

export function instantiate(ctx: CheckContext, appInstanceId: string, appPackageId: string, parameters: Record<string, string> = {}): Promise<{ status: string }> {
  return unary(ctx.deadlineMs, (md, opts, cb) =>
    ctx.lcm.instantiate({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId, appPackageId, parameters, akSkLcmGen: false }, md, opts, cb),
  );
}

export function instanceStatus(ctx: CheckContext, appInstanceId: string): Promise<InstanceStatus> {
  return unary(ctx.deadlineMs, (md, o, cb) => ctx.ext.instanceStatus({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb));
}

export function workloadEvents(ctx: CheckContext, appInstanceId: string): Promise<{ response: string }> {
  return unary(ctx.deadlineMs, (md, o, cb) => ctx.lcm.workloadEvents({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp, appInstanceId }, md, o, cb));
}

export function queryKpi(ctx: CheckContext): Promise<{ response: string }> {
  return unary(ctx.deadlineMs, (md, o, cb) => ctx.lcm.queryKpi({ accessToken: ctx.token, tenantId: ctx.tenantId, hostIp: ctx.hostIp }, md, o, cb));
}

/** The gRPC failure of a call that must fail: its code and text. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await call;
  } catch (e) {
    const err = e as { code?: status; details?: string; message?: string };
    if (typeof err.code === 'number') return { code: err.code, details: err.details ?? err.message ?? '' };
    throw e;
  }
  throw new Error('the call succeeded; it was expected to fail');
}

/** @kubernetes/client-node on the backend, for assertions on what the cluster holds (fake or real alike). */
export function clusterApi(backend: ClusterBackend): { core: CoreV1Api; apps: AppsV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(backend.kubeconfig);
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/** Helm's release Secrets of `release` in `namespace`: name → status label. */
export async function releaseSecrets(backend: ClusterBackend, namespace: string, release: string): Promise<Record<string, string>> {
  const list = await clusterApi(backend).core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` });
  return Object.fromEntries(list.items.map((s) => [s.metadata?.name ?? '', s.metadata?.labels?.['status'] ?? '']));
}

export async function namespaceExists(backend: ClusterBackend, name: string): Promise<boolean> {
  try {
    const ns = await clusterApi(backend).core.readNamespace({ name });
    return ns.status?.phase !== 'Terminating';
  } catch (e) {
    if ((e as { code?: number }).code === 404) return false;
    throw e;
  }
}
