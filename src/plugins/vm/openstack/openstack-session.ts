import { CallSlots } from '../../call-slots.js';
import type { RcConfig } from '../rc-file.js';
import { errorDetail, OpenStackError } from './openstack-error.js';

type RequestBody = NonNullable<RequestInit['body']>;

export type ServiceType = 'compute' | 'image' | 'network' | 'volumev3';

export interface SessionOptions {
  /** Deadline of one API request (not of a streamed upload or download); default 30 s. */
  requestTimeoutMs: number;
  /** Requests in flight at once to this cloud; default 8. */
  maxInFlight: number;
  /** A token is renewed this long before Keystone says it expires; default 60 s. */
  renewBeforeMs: number;
}

interface Token {
  value: string;
  expiresAt: number;
  projectId: string;
  catalog: CatalogEntry[];
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

export interface RequestOptions {
  json?: unknown;
  /** A streamed body (an image upload): sent once, so a 401 is not retried. */
  body?: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** No request deadline: an upload or download is bounded by the caller's signal instead. */
  streaming?: boolean;
}

/**
 * One project of one cloud, as an rc file describes it: Keystone v3 password authentication, the token reused until
 * shortly before it expires and renewed then (one renewal for all callers), a 401 answered by renewing once and
 * repeating the request, endpoints from the token's catalog (or the rc file's overrides), a deadline per request
 * and at most `maxInFlight` requests at a time.
 */
export class OpenStackSession {
  private token?: Token;
  private renewing?: Promise<Token>;
  private readonly slots: CallSlots;
  /** Keystone authentications done, for tests and logs. */
  authentications = 0;

  constructor(
    readonly rc: RcConfig,
    private readonly opts: SessionOptions,
  ) {
    this.slots = new CallSlots(opts.maxInFlight);
  }

  /** The project the token is scoped to. */
  async projectId(signal?: AbortSignal): Promise<string> {
    return (await this.validToken(signal)).projectId;
  }

  async endpoint(type: ServiceType, signal?: AbortSignal): Promise<string> {
    const override = this.rc.endpoints[type];
    if (override) return override;
    const t = await this.validToken(signal);
    const entry = t.catalog.find((c) => c.type === type || (type === 'volumev3' && c.type === 'block-storage'));
    const candidates = (entry?.endpoints ?? []).filter((e) => e.interface === this.rc.interface && (!this.rc.regionName || e.region === this.rc.regionName || e.region_id === this.rc.regionName));
    const ep = candidates[0];
    if (!ep) throw new OpenStackError(0, `endpoint of ${type}`, `the catalog has no ${this.rc.interface} ${type} endpoint${this.rc.regionName ? ` in region ${this.rc.regionName}` : ''}`);
    return ep.url.replace(/\/+$/, '');
  }

  /** A request to a service; throws OpenStackError for any status other than 2xx. */
  async request(type: ServiceType, method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const what = `${method} ${type}${path.split('?')[0]}`;
    const release = await this.slots.acquire(o.signal);
    try {
      for (let attempt = 0; ; attempt++) {
        const token = await this.validToken(o.signal);
        const url = new URL(`${await this.endpoint(type, o.signal)}${path}`);
        for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
        const headers: Record<string, string> = { 'x-auth-token': token.value, accept: 'application/json', ...o.headers };
        let body: RequestBody | undefined;
        if (o.json !== undefined) {
          headers['content-type'] ??= 'application/json';
          body = JSON.stringify(o.json);
        } else if (o.body) {
          body = o.body as RequestBody;
        }
        const res = await this.fetch(what, url, { method, headers, body, signal: o.signal, streaming: o.streaming === true || o.body !== undefined });
        // An expired or revoked token: renew once and repeat, unless the body was a stream already consumed (then the
        // token is still forgotten, so the caller's repeat with a reopened stream authenticates: repeatOnExpiredToken).
        if (res.status === 401) {
          this.invalidate(token);
          if (attempt === 0 && !o.body) {
            await res.body?.cancel();
            continue;
          }
        }
        if (!res.ok) throw new OpenStackError(res.status, what, errorDetail(await res.text().catch(() => '')));
        return res;
      }
    } finally {
      release();
    }
  }

  /** A JSON request answering the parsed body (or undefined for an empty one). */
  async json<T>(type: ServiceType, method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.request(type, method, path, o);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Forgets the token if it is still `t`, so the next request authenticates again. */
  private invalidate(t: Token): void {
    if (this.token === t) this.token = undefined;
  }

  private async validToken(signal?: AbortSignal): Promise<Token> {
    const t = this.token;
    if (t && t.expiresAt - this.opts.renewBeforeMs > Date.now()) return t;
    this.renewing ??= this.authenticate(signal).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async authenticate(signal?: AbortSignal): Promise<Token> {
    const rc = this.rc;
    const domain = (name?: string, id?: string) => (id ? { id } : { name: name ?? 'Default' });
    const user = rc.userId ? { id: rc.userId, password: rc.password } : { name: rc.username, domain: domain(rc.userDomainName, rc.userDomainId), password: rc.password };
    const project = rc.projectId ? { id: rc.projectId } : { name: rc.projectName, domain: domain(rc.projectDomainName, rc.projectDomainId) };
    const what = `POST identity/auth/tokens (${rc.authUrl})`;
    const res = await this.fetch(what, new URL(`${rc.authUrl}/auth/tokens`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user } }, scope: { project } } }),
      signal,
      streaming: false,
    });
    if (!res.ok) throw new OpenStackError(res.status, what, errorDetail(await res.text().catch(() => '')));
    const value = res.headers.get('x-subject-token');
    const doc = (await res.json()) as { token?: { expires_at?: string; project?: { id?: string }; catalog?: CatalogEntry[] } };
    const expiresAt = Date.parse(doc.token?.expires_at ?? '');
    if (!value || !doc.token?.project?.id || Number.isNaN(expiresAt)) throw new OpenStackError(res.status, what, 'Keystone answered without a token, its expiry or its project');
    this.authentications += 1;
    this.token = { value, expiresAt, projectId: doc.token.project.id, catalog: doc.token.catalog ?? [] };
    return this.token;
  }

  private async fetch(what: string, url: URL, init: { method: string; headers: Record<string, string>; body?: RequestBody; signal?: AbortSignal; streaming: boolean }): Promise<Response> {
    const signals = [init.signal, init.streaming ? undefined : AbortSignal.timeout(this.opts.requestTimeoutMs)].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: signals.length ? AbortSignal.any(signals) : undefined,
        redirect: 'manual',
        ...(init.body && typeof init.body !== 'string' ? { duplex: 'half' } : {}),
      });
    } catch (e) {
      if (init.signal?.aborted) throw init.signal.reason;
      const err = e as Error & { cause?: { message?: string } };
      const reason = err.name === 'TimeoutError' ? `no answer within ${this.opts.requestTimeoutMs} ms` : (err.cause?.message ?? err.message);
      throw new OpenStackError(0, what, reason);
    }
  }
}

/**
 * Runs a streamed upload again when OpenStack refused its token (expired or revoked under it): the session cannot
 * repeat a stream it sent once, so `run` opens its source anew each time. A refusal after renewal is final.
 */
export async function repeatOnExpiredToken<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof OpenStackError && e.status === 401)) throw e;
    return run();
  }
}
