import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from './test-server.js';

/** The real packages shipped beside the project (never copied into it). */
export const FIXTURES = path.resolve('../shared/fixtures/csar');
export const fixture = (name: string): string => path.join(FIXTURES, name);

export interface UploadResult {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; [k: string]: unknown } };
}

/** Uploads a package file through the streaming endpoint as a multipart form, fields first as appo sends them. */
export async function uploadPackage(
  t: Pick<TestServer, 'url'> & { tokens: { tenantA: string }; tenants: { A: string } },
  file: string,
  opts: { token?: string | null; tenantId?: string; fields?: Record<string, string>; fileField?: string } = {},
): Promise<UploadResult> {
  const form = new FormData();
  for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
  form.append(opts.fileField ?? 'package', await fs.openAsBlob(file), path.basename(file));
  const token = opts.token === undefined ? t.tokens.tenantA : opts.token;
  const res = await fetch(`${t.url}/api/v1/tenants/${opts.tenantId ?? t.tenants.A}/packages`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  return { status: res.status, body: (await res.json()) as UploadResult['body'] };
}

/** Files left in the server's package store and temp folder. */
export function storeFiles(t: TestServer): { packages: string[]; tmp: string[] } {
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d) : []);
  return { packages: list(path.join(t.dataDir, 'packages')), tmp: list(path.join(t.dataDir, 'tmp')) };
}

/** A hand-built multipart body around one file part, for uploads the test paces or breaks off itself. */
export function multipartFrame(fields: Record<string, string> = {}, fileName = 'app.csar'): { contentType: string; head: Buffer; tail: Buffer } {
  const boundary = `----applcm-test-${Math.random().toString(16).slice(2)}`;
  let head = '';
  for (const [k, v] of Object.entries(fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="${fileName}"\r\nContent-Type: application/zip\r\n\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, head: Buffer.from(head), tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
