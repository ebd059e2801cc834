import type http from 'node:http';

export interface RouteCall {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: string[];
  projectId: string;
}

export interface Route {
  method: string;
  path: RegExp;
  handle(c: RouteCall): Promise<void> | void;
}

export function answer(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.statusCode = status;
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function jsonBody<T>(req: http.IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Nova's error shape: {"badRequest": {"code": 400, "message": "…"}}. */
export const novaError = (res: http.ServerResponse, status: number, message: string): void => {
  const key = status === 404 ? 'itemNotFound' : status === 409 ? 'conflictingRequest' : status === 403 ? 'forbidden' : 'badRequest';
  answer(res, status, { [key]: { code: status, message } });
};

/** Neutron's error shape: {"NeutronError": {"type", "message", "detail"}}. */
export const neutronError = (res: http.ServerResponse, status: number, type: string, message: string): void => answer(res, status, { NeutronError: { type, message, detail: '' } });

export const route = (method: string, path: string, handle: Route['handle']): Route => ({ method, path: new RegExp(`^${path.replace(/:id/g, '([^/]+)')}$`), handle });
