// Calls of the shim's application routes as EdgeGallery callers build them: multipart forms for configuration and
// packages, JSON for the rest (shim() in shim-client.ts), and a stand-in MEP for the capability and AK/SK calls.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestServer } from '../helpers/test-server.js';
import { shim, shimResponse, type ShimResponse } from './shim-client.js';

export const ok = (message: string, data: unknown = null) => ({ data, retCode: 0, message, params: null });

/** Posts a multipart form to a shim path, with `access_token` and `origin: MEO` as appo and MECM send them. */
export async function shimForm(t: TestServer, p: string, form: FormData, token: string | null, query = ''): Promise<ShimResponse> {
  const res = await fetch(`${t.url}/lcmcontroller${p}${query}`, { method: 'POST', headers: { origin: 'MEO', ...(token ? { access_token: token } : {}) }, body: form });
  return shimResponse(res);
}

/** The configuration form: `hostIp` beside the `configFile` part (a kubeconfig, no extension in its name). */
export function configForm(hostIp: string | null, content: string | Buffer = 'apiVersion: v1\nkind: Config\nclusters: []\n', fileName = 'kubeconfig'): FormData {
  const form = new FormData();
  if (hostIp !== null) form.append('hostIp', hostIp);
  form.append('configFile', new Blob([content]), fileName);
  return form;
}

/** The package form: `appId` and `packageId` before the `package` part, as MECM sends them. */
export async function packageForm(file: string, fields: Record<string, string> = {}, fileName = path.basename(file)): Promise<FormData> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('package', await fs.openAsBlob(file), fileName);
  return form;
}

/** A 32-hex id, as MECM makes app and package ids. */
export const hexId = (): string => randomUUID().replaceAll('-', '');

/** A host registered through the shim; answers its ip. */
export async function shimHost(t: TestServer, tenantId: string, token: string, ip: string, vim = 'K8S'): Promise<string> {
  const r = await shim(t, `/v1/tenants/${tenantId}/hosts`, { method: 'POST', token, body: { mechostIp: ip, mechostName: `edge${ip.replaceAll('.', '')}`, city: 'Xian', vim, origin: 'MEO' } });
  if (r.status !== 200) throw new Error(`host add failed: ${r.status} ${r.text}`);
  return ip;
}

export interface MepCall {
  method: string;
  url: string;
  body: string;
}

/**
 * A stand-in for the MEP (it cannot run here): the AK/SK registration and termination notice the engine sends, and
 * the config API's capabilities the shim reads, with the original's paths.
 */
export function fakeMep(capabilities: unknown[]) {
  const seen: MepCall[] = [];
  let capabilityStatus = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const m = /^\/mepcfg\/mec_platform_config\/v1\/capabilities(?:\/([^/]+))?$/.exec(req.url ?? '');
      if (m && req.method === 'GET') {
        if (capabilityStatus !== 200) return void res.writeHead(capabilityStatus, { 'content-type': 'application/json' }).end('{"title":"refused"}');
        const one = m[1] ? capabilities.find((c) => (c as { capabilityId?: string }).capabilityId === m[1]) : capabilities;
        if (!one) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"not found"}');
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(one));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return {
    seen,
    setCapabilityStatus: (s: number) => (capabilityStatus = s),
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** A host with its kubeconfig and a package distributed to it, all through the shim; answers the package id. */
export async function shimReady(t: TestServer, tenantId: string, token: string, ip: string, file: string): Promise<string> {
  await shimHost(t, tenantId, token, ip);
  const cfg = await shimForm(t, `/v2/tenants/${tenantId}/configuration`, configForm(ip), token);
  if (cfg.status !== 200) throw new Error(`config failed: ${cfg.text}`);
  const packageId = hexId();
  const up = await shimForm(t, `/v2/tenants/${tenantId}/packages`, await packageForm(file, { packageId }), token);
  if (up.status !== 200) throw new Error(`upload failed: ${up.text}`);
  const dist = await shim(t, `/v2/tenants/${tenantId}/packages/${packageId}`, { method: 'POST', token, body: { hostIp: [ip] } });
  if (dist.status !== 200) throw new Error(`distribute failed: ${dist.text}`);
  return packageId;
}
