import type { TestServer } from '../helpers/test-server.js';

export interface ShimResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
}

export interface ShimRequest {
  method?: string;
  /** The caller's token in `access_token`, as appo sends it; null sends none. */
  token?: string | null;
  body?: unknown;
  /** A raw body (sent as is, with the JSON content type unless headers say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls an original lcmcontroller route the way appo's RestTemplate does: `access_token`, JSON, `origin: MEO`. */
/** A fetch answer read whole: its text, and its JSON when the text is JSON. */
export async function shimResponse(res: Response): Promise<ShimResponse> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function shim(t: TestServer, path: string, r: ShimRequest = {}): Promise<ShimResponse> {
  const headers: Record<string, string> = { accept: '*/*', origin: 'MEO', ...(r.token ? { access_token: r.token } : {}) };
  if (r.body !== undefined || r.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.url}/lcmcontroller${path}`, {
    method: r.method ?? 'GET',
    headers: { ...headers, ...r.headers },
    body: r.raw ?? (r.body !== undefined ? JSON.stringify(r.body) : undefined),
  });
  return shimResponse(res);
}

/** The original's error envelope with `retCode` and `message`. */
export const e2 = (retCode: number, message: string) => ({ data: null, retCode, message, params: null });
