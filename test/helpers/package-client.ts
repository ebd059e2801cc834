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
  t: TestServer,
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
