import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { glanceRoutes } from './glance-routes.js';
import { neutronRoutes } from './neutron-routes.js';
import { novaRoutes } from './nova-routes.js';
import { FakeState } from './fake-state.js';
import { answer, type Route } from './http-util.js';

export interface FakeOpenStackOptions {
  username?: string;
  password?: string;
  projectName?: string;
  /** Lifetime of a Keystone token; default 1 h. */
  tokenTtlMs?: number;
  /** How long a server stays BUILD, an image saving, a deletion pending; default 100 ms. */
  transitionMs?: number;
  /** Bytes of a server's disk (what a snapshot holds); default 3 MiB + 12 345. */
  diskBytes?: number;
}

/**
 * A small Keystone v3 / Nova v2.1 / Glance v2 / Neutron v2.0 on one port, for the VM plugin's tests: the real APIs'
 * paths, bodies and status codes, as far as the plugin uses them (tokens that expire and a 401 after, images
 * queued → saving → active, servers BUILD → ACTIVE or ERROR with a fault, 409 for a network in use), plus switches to
 * make it fail. Everything is in memory.
 */
export class FakeOpenStack {
  readonly state: FakeState;
  private server?: http.Server;
  private port = 0;

  constructor(readonly opts: FakeOpenStackOptions = {}) {
    this.state = new FakeState({
      transitionMs: opts.transitionMs ?? 100,
      diskBytes: opts.diskBytes ?? 3 * 1024 * 1024 + 12_345,
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get authUrl(): string {
    return `${this.url}/identity/v3`;
  }

  /** An rc file for this cloud, as an operator would write it. */
  rcFile(over: Record<string, string> = {}): string {
    const vars = {
      OS_AUTH_URL: this.authUrl,
      OS_USERNAME: this.opts.username ?? 'edge',
      OS_PASSWORD: this.opts.password ?? 'secret-password',
      OS_PROJECT_NAME: this.opts.projectName ?? 'mec',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne',
      OS_IDENTITY_API_VERSION: '3',
      ...over,
    };
    return `# OpenStack rc file for the fake cloud\n${Object.entries(vars)
      .map(([k, v]) => `export ${k}=${v}`)
      .join('\n')}\n`;
  }

  async start(): Promise<this> {
    const routes: Route[] = [...novaRoutes(this.state), ...glanceRoutes(this.state), ...neutronRoutes(this.state)];
    this.server = http.createServer((req, res) => {
      void this.handle(routes, req, res).catch((e: unknown) => {
        if (!res.headersSent) answer(res, 500, { error: { message: String(e) } });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.state.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every token issued so far stops working (as a Keystone restart with new fernet keys would do). */
  expireTokens(): void {
    for (const t of this.state.tokens.values()) t.expiresAt = 0;
  }

  private async handle(routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.state.requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'POST' && url.pathname === '/identity/v3/auth/tokens') return this.issueToken(req, res);
    const token = this.state.tokens.get(String(req.headers['x-auth-token'] ?? ''));
    if (!token || token.expiresAt <= Date.now()) {
      this.state.rejectedTokens += 1;
      return answer(res, 401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    }
    const call = `${req.method} ${url.pathname}`;
    if (this.state.expireTokensAfter?.test(call)) {
      this.state.expireTokensAfter = undefined;
      res.once('finish', () => this.expireTokens());
    }
    for (const r of routes) {
      if (r.method !== req.method) continue;
      const m = r.path.exec(url.pathname);
      if (m) return r.handle({ req, res, url, params: m.slice(1).map(decodeURIComponent), projectId: token.projectId });
    }
    answer(res, 404, { itemNotFound: { code: 404, message: `no route for ${req.method} ${url.pathname}` } });
  }

  private async issueToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    type Auth = { auth?: { identity?: { methods?: string[]; password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } }; scope?: { project?: { name?: string } } } };
    let body: Auth;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Auth;
    } catch {
      return answer(res, 400, { error: { code: 400, message: 'Malformed JSON', title: 'Bad Request' } });
    }
    const user = body.auth?.identity?.password?.user;
    const ok = body.auth?.identity?.methods?.includes('password') && user?.name === (this.opts.username ?? 'edge') && user.password === (this.opts.password ?? 'secret-password');
    if (!ok) return answer(res, 401, { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    if (body.auth?.scope?.project?.name !== (this.opts.projectName ?? 'mec')) return answer(res, 401, { error: { code: 401, message: 'Could not find project.', title: 'Unauthorized' } });
    const value = randomUUID().replace(/-/g, '') + randomBytes(8).toString('hex');
    const expiresAt = Date.now() + (this.opts.tokenTtlMs ?? 3_600_000);
    this.state.tokens.set(value, { expiresAt, projectId: this.state.projectId });
    this.state.authentications += 1;
    const ep = (type: string, suffix: string) => ({ type, name: type, endpoints: ['public', 'internal'].map((i) => ({ id: createHash('md5').update(type + i).digest('hex'), interface: i, region: 'RegionOne', region_id: 'RegionOne', url: `${this.url}${suffix}` })) });
    res.setHeader('x-subject-token', value);
    answer(res, 201, {
      token: {
        methods: ['password'],
        expires_at: new Date(expiresAt).toISOString(),
        issued_at: new Date().toISOString(),
        user: { id: 'u-edge', name: user.name, domain: { id: 'default', name: 'Default' } },
        project: { id: this.state.projectId, name: this.opts.projectName ?? 'mec', domain: { id: 'default', name: 'Default' } },
        catalog: [ep('compute', '/compute/v2.1'), ep('image', '/image'), ep('network', '/network'), ep('identity', '/identity/v3')],
      },
    });
  }
}
