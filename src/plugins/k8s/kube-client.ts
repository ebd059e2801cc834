import fs from 'node:fs/promises';
import { CallSlots, inSlot } from '../call-slots.js';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  VersionApi,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** A Kubernetes API failure with what was asked and, when the server answered, its HTTP status. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeError && e.httpStatus === 404;

/** The reason of an API answer that is an error: the Status message when there is one. */
function apiReason(e: ApiException<unknown>): string {
  const body = typeof e.body === 'string' ? (() => { try { return JSON.parse(e.body) as unknown; } catch { return e.body; } })() : e.body;
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${e.code}`;
}

/**
 * @kubernetes/client-node for one cluster (a host's kubeconfig): typed APIs whose every request carries a deadline
 * (an unreachable or silent API server fails in `timeoutMs`, not after the OS's TCP timeout) and waits for a slot
 * of the cluster's semaphore (bounded concurrency, the plugin's QPS guard).
 */
export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  private readonly versionApi: VersionApi;

  private constructor(
    readonly kc: KubeConfig,
    private readonly timeoutMs: number,
    private readonly slots: CallSlots,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.versionApi = kc.makeApiClient(VersionApi);
  }

  static async fromFile(file: string, timeoutMs: number, slots: CallSlots): Promise<KubeClient> {
    const kc = new KubeConfig();
    try {
      kc.loadFromString(await fs.readFile(file, 'utf8'));
    } catch (e) {
      throw new KubeError(`the host's kubeconfig cannot be used: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!kc.getCurrentCluster()) throw new KubeError("the host's kubeconfig names no current cluster");
    return new KubeClient(kc, timeoutMs, slots);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** Per-request options: the deadline as an abort signal on every request the call makes. */
  private options(): ConfigurationOptions {
    const timeoutMs = this.timeoutMs;
    // The generated APIs hand middleware results either to a promise wrapper or straight to their Observable stub
    // (which calls toPromise()), depending on the entry point; an answer that is both suits either.
    const both = <T>(v: T): Promise<T> & { toPromise(): Promise<T> } => Object.assign(Promise.resolve(v), { toPromise: () => Promise.resolve(v) });
    const deadline = {
      pre: (ctx: RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(timeoutMs));
        return both(ctx);
      },
      post: (res: ResponseContext) => both(res),
    };
    return {
      middleware: [deadline],
      middlewareMergeStrategy: 'append',
    } as unknown as ConfigurationOptions;
  }

  /** Runs one API call with the deadline and a slot; failures become KubeErrors that say what was asked of whom. */
  call<T>(what: string, fn: (o: ConfigurationOptions) => Promise<T>): Promise<T> {
    return inSlot(this.slots, async () => {
      try {
        return await fn(this.options());
      } catch (e) {
        if (e instanceof ApiException) throw new KubeError(`${what}: ${apiReason(e as ApiException<unknown>)}`, e.code);
        const err = e as Error & { type?: string; code?: string };
        if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.type === 'aborted') {
          throw new KubeError(`the Kubernetes API at ${this.server} did not answer ${what} within ${Math.round(this.timeoutMs / 1000)} s`);
        }
        throw new KubeError(`the Kubernetes API at ${this.server} is unreachable (${what}): ${err.message}`);
      }
    });
  }

  /** Answers quickly whether the API server is there at all, before helm is started against it. */
  async probe(): Promise<string> {
    const v = await this.call('GET /version', (o) => this.versionApi.getCode({}, o));
    return v.gitVersion;
  }
}
