import { DomainError, ErrorCode } from '../errors.js';
import { sanitizePluginText } from '../plugins/plugin-errors.js';

export interface MepOptions {
  /** Base URL of the MEP API gateway (the original's API_GW_ADDR:API_GW_PORT). */
  url?: string;
  /** Base URL for termination notices when it differs (the original's MEP_SERVER:MEP_PORT). */
  terminationUrl?: string;
  timeoutMs: number;
}

export interface MepRegistration {
  accessKey: string;
  secretKey: string;
  /** The instance's name, as the original sent the request's appName. */
  appName: string;
  /** app_configuration.appName of the AppD. */
  appdAppName: string;
  /** serName of the optional, produced and required services, in the original's order. */
  requiredServices: string[];
}

/**
 * The original controller's two calls to the MEP: registering an instance's AK/SK (so the app's mep-agent can
 * authenticate) before it is deployed, and telling the MEP an instance was terminated. Neither is made when no MEP
 * is configured.
 */
export class MepClient {
  constructor(private readonly o: MepOptions) {}

  get configured(): boolean {
    return Boolean(this.o.url);
  }

  async register(appInstanceId: string, r: MepRegistration, signal: AbortSignal): Promise<void> {
    if (!this.o.url) return;
    const body = {
      authInfo: { credentials: { accessKeyId: r.accessKey, secretKey: r.secretKey, appName: r.appName } },
      appInfo: { appName: r.appdAppName, requiredServices: r.requiredServices.length ? r.requiredServices : null },
    };
    await this.call('PUT', `${trim(this.o.url)}/mep/appMng/v1/applications/${encodeURIComponent(appInstanceId)}/confs`, { 'content-type': 'application/json' }, JSON.stringify(body), signal, false);
  }

  /** Idempotent: an instance the MEP does not know (404) counts as done. */
  async terminate(appInstanceId: string, signal: AbortSignal): Promise<void> {
    const base = this.o.terminationUrl ?? this.o.url;
    if (!base) return;
    await this.call('DELETE', `${trim(base)}/mep/mec_app_support/v1/applications/${encodeURIComponent(appInstanceId)}/AppInstanceTermination`, { 'x-appinstanceid': appInstanceId }, undefined, signal, true);
  }

  private async call(method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal, notFoundOk: boolean): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)]), redirect: 'error' });
    } catch (e) {
      if (signal.aborted) throw e;
      // Unreachable or too slow: worth retrying, as a plugin that is away.
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `the MEP did not answer ${method} ${new URL(url).pathname}: ${sanitizePluginText((e as Error).message)}`, { service: 'mep' });
    }
    const text = await res.text().catch(() => '');
    if (res.ok || (notFoundOk && res.status === 404)) return;
    throw new DomainError(ErrorCode.MEP_ERROR, `the MEP answered ${res.status} to ${method} ${new URL(url).pathname}: ${sanitizePluginText(text.slice(0, 300))}`, { service: 'mep', status: res.status });
  }
}

const trim = (u: string) => u.replace(/\/+$/, '');
