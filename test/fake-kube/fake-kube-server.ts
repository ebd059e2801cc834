import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { ApiError, FakeCluster, type FakeClusterOptions } from './fake-cluster.js';
import type { StoreEvent } from './object-store.js';
import { decodeProtobuf } from './protobuf.js';
import type { ResourceType } from './resources.js';
import { fieldSelector, labelSelector, type KubeObject } from './selectors.js';

export interface FakeKubeOptions extends FakeClusterOptions {
  /** Serve HTTPS with this certificate (the kubeconfig then carries the CA). */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

interface Route {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const MAX_BODY = 8 * 1024 * 1024;

/**
 * A small Kubernetes API server for tests: discovery, the kinds of resource-types.ts with create / get / list /
 * update / patch (merge, strategic, JSON, server-side apply) / delete, label and field selectors, and watches
 * (`?watch=true`, resuming from a resourceVersion, or with initial events), answering what helm 3, helm 4 and
 * @kubernetes/client-node ask. Objects live in memory; see fake-cluster.ts for what reacts to them.
 */
export class FakeKubeServer {
  readonly cluster: FakeCluster;
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly watches = new Set<http.ServerResponse>();
  url = '';

  private constructor(private readonly o: FakeKubeOptions) {
    this.cluster = new FakeCluster(o);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = o.tls ? https.createServer({ cert: fs.readFileSync(o.tls.certFile), key: fs.readFileSync(o.tls.keyFile) }, handler) : http.createServer(handler);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  static async start(o: FakeKubeOptions = {}): Promise<FakeKubeServer> {
    const s = new FakeKubeServer(o);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** A kubeconfig that points at this server. */
  kubeconfig(namespace = 'default'): string {
    const ca = this.o.tls ? [`      certificate-authority-data: ${fs.readFileSync(this.o.tls.caFile).toString('base64')}`] : [];
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: fake',
      '    cluster:',
      `      server: ${this.url}`,
      ...ca,
      'users:',
      '  - name: fake-admin',
      '    user:',
      '      token: fake-admin-token',
      'contexts:',
      '  - name: fake',
      '    context:',
      '      cluster: fake',
      '      user: fake-admin',
      `      namespace: ${namespace}`,
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** Pods stay Pending (image never pulled) while false; setting it updates the pods that exist. */
  setWorkloadsReady(ready: boolean): void {
    this.cluster.controllers.setReady(ready);
  }

  async stop(): Promise<void> {
    for (const w of this.watches) w.end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    this.cluster.requests.push(`${method} ${url.pathname}${url.search}`);
    try {
      const discovery = this.discovery(url.pathname);
      if (discovery !== undefined) {
        if (discovery === null) return this.send(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').status);
        return this.send(res, 200, discovery);
      }
      const route = this.route(url.pathname);
      if (!route) return this.send(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').status);
      const q = url.searchParams;
      const dryRun = q.get('dryRun') === 'All';
      const c = this.cluster;
      const { rt, namespace, name } = route;
      if (method === 'GET' && !name && (q.get('watch') === 'true' || q.get('watch') === '1')) return this.watch(req, res, route, q);
      if (method === 'GET' && !name) return this.sendList(res, rt, this.filter(c.list(rt, namespace), q));
      if (method === 'GET' && name) return this.send(res, 200, c.get(rt, namespace, name));
      if (rt.computed) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      const body = await this.body(req);
      if (method === 'POST' && !name) return this.send(res, 201, c.create(rt, namespace, this.parse(body, req) as KubeObject, dryRun));
      if (method === 'PUT' && name) {
        const o = this.parse(body, req) as KubeObject;
        if (route.subresource === 'status') {
          const cur = c.get(rt, namespace, name);
          cur.status = o.status;
          return this.send(res, 200, c.store.update(rt, cur));
        }
        return this.send(res, 200, c.update(rt, namespace, name, o, dryRun));
      }
      if (method === 'PATCH' && name) {
        const r = c.patch(rt, namespace, name, req.headers['content-type'] ?? 'application/merge-patch+json', this.parse(body, req), dryRun);
        return this.send(res, r.created ? 201 : 200, r.object);
      }
      if (method === 'DELETE' && name) return this.send(res, 200, c.delete(rt, namespace, name));
      if (method === 'DELETE' && !name) {
        for (const o of this.filter(c.list(rt, namespace), q)) c.delete(rt, o.metadata.namespace, o.metadata.name);
        return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      }
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    } catch (e) {
      if (e instanceof ApiError) return this.send(res, e.code, e.status);
      this.send(res, 500, new ApiError(500, 'InternalError', e instanceof Error ? e.message : String(e)).status);
    }
  }

  /** Discovery documents: the object, null for a discovery path that does not exist, undefined for a resource path. */
  private discovery(path: string): object | null | undefined {
    const t = this.cluster.table;
    if (path === '/version') return { major: '1', minor: '33', gitVersion: 'v1.33.0', gitCommit: 'fake', gitTreeState: 'clean', buildDate: '2025-04-23T00:00:00Z', goVersion: 'go1.24.2', compiler: 'gc', platform: 'linux/amd64' };
    if (path === '/api') return t.coreVersions();
    if (path === '/apis') return t.groups();
    if (path === '/api/v1') return t.resourceList('', 'v1') ?? null;
    if (path === '/openapi/v3') return t.openApiRoot();
    const oa = /^\/openapi\/v3\/(?:api\/v1|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (oa) return t.openApi(oa[1] ?? '', oa[2] ?? 'v1') ?? null;
    if (path.startsWith('/openapi/') || path === '/swagger.json') return null;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return { status: 'ok' };
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
    if (m) return (m[2] ? t.resourceList(m[1]!, m[2]) : t.group(m[1]!)) ?? null;
    return undefined;
  }

  private route(path: string): Route | undefined {
    let rest: string[];
    let group = '';
    let version: string;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts[1] === 'v1') {
      version = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource] = rest;
    if (!plural) return undefined;
    const rt = this.cluster.table.find(group, version, plural);
    if (!rt) return undefined;
    if (!rt.namespaced && namespace !== undefined) return undefined;
    return { rt, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
  }

  private filter(items: KubeObject[], q: URLSearchParams): KubeObject[] {
    const byLabel = labelSelector(q.get('labelSelector'));
    const byField = fieldSelector(q.get('fieldSelector'));
    return items.filter((o) => byLabel(o) && byField(o));
  }

  private sendList(res: http.ServerResponse, rt: ResourceType, items: KubeObject[]): void {
    this.send(res, 200, {
      kind: `${rt.kind}List`,
      apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
      metadata: { resourceVersion: String(this.cluster.store.resourceVersion) },
      items,
    });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, route: Route, q: URLSearchParams): void {
    const { rt, namespace } = route;
    const byLabel = labelSelector(q.get('labelSelector'));
    const byField = fieldSelector(q.get('fieldSelector'));
    const matches = (e: StoreEvent) => e.rt === rt && (namespace === undefined || e.object.metadata.namespace === namespace) && byLabel(e.object) && byField(e.object);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
    // As the API server: the answer starts at once, events follow whenever they happen.
    res.flushHeaders();
    this.watches.add(res);
    const write = (type: string, object: object) => res.write(`${JSON.stringify({ type, object })}\n`);
    const store = this.cluster.store;
    const rvParam = q.get('resourceVersion');
    if (q.get('sendInitialEvents') === 'true' || !rvParam || rvParam === '0') {
      for (const o of this.filter(this.cluster.list(rt, namespace), q)) write('ADDED', o);
      if (q.get('sendInitialEvents') === 'true') {
        write('BOOKMARK', { kind: rt.kind, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, metadata: { resourceVersion: String(store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } } });
      }
    } else {
      const past = store.since(Number(rvParam));
      if (!past) {
        write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvParam} (${store.oldestResumable})`, reason: 'Expired', code: 410 });
        this.watches.delete(res);
        res.end();
        return;
      }
      for (const e of past) if (matches(e)) write(e.type, e.object);
    }
    const unsubscribe = store.subscribe((e) => {
      if (matches(e)) write(e.type, e.object);
    });
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => {
      unsubscribe();
      clearTimeout(timer);
      this.watches.delete(res);
    };
    res.once('close', done);
    req.once('close', done);
  }

  private async body(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'request entity too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private parse(body: Buffer, req: http.IncomingMessage): unknown {
    const type = req.headers['content-type'] ?? '';
    try {
      if (type.includes('protobuf')) return decodeProtobuf(body);
      return type.includes('yaml') ? load(body.toString('utf8')) : JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ApiError(400, 'BadRequest', `the body of the request was in an unknown format: ${(e as Error).message}`);
    }
  }

  private send(res: http.ServerResponse, code: number, body: object): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}
