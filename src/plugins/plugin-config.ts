import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import type { Deadlines } from './deadlines.js';
import type { ClientTlsOptions } from './grpc-tls.js';

/** Where a plugin endpoint came from: `<VIM>_PLUGIN` variables, the plugins file, or the embedded default. */
export type PluginSource = 'env' | 'file' | 'embedded';

export interface PluginSpec {
  /** Lower-case VIM type the plugin serves (`k8s`, `openstack`, …); hosts select their plugin by it. */
  vim: string;
  /** host:port */
  endpoint: string;
  source: PluginSource;
  /** TLS for this plugin; undefined means plaintext. */
  tls?: ClientTlsOptions;
  deadlines?: Partial<Deadlines>;
}

export class PluginConfigError extends Error {}

const VIM_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const HOST_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

export function checkEndpoint(endpoint: string, where: string): string {
  const m = /^(.*):(\d{1,5})$/.exec(endpoint);
  if (!m || !HOST_RE.test(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new PluginConfigError(`${where}: endpoint ${JSON.stringify(endpoint)} is not host:port`);
  }
  return endpoint;
}

/**
 * The original's convention: a host with VIM `x` goes to `X_PLUGIN:X_PLUGIN_PORT`, so `K8S_PLUGIN` / `K8S_PLUGIN_PORT`
 * and `OPENSTACK_PLUGIN` / `OPENSTACK_PLUGIN_PORT` (and any other VIM named the same way). A name without its port
 * is a configuration error rather than a guessed default.
 */
export function pluginSpecsFromEnv(env: NodeJS.ProcessEnv, tls: ClientTlsOptions | undefined): PluginSpec[] {
  const specs: PluginSpec[] = [];
  for (const [key, value] of Object.entries(env)) {
    const m = /^([A-Z][A-Z0-9_]*)_PLUGIN$/.exec(key);
    if (!m || !value) continue;
    const vim = m[1]!.toLowerCase();
    const port = env[`${m[1]}_PLUGIN_PORT`];
    if (!port) throw new PluginConfigError(`${key} is set but ${m[1]}_PLUGIN_PORT is not`);
    if (!VIM_RE.test(vim)) throw new PluginConfigError(`${key}: ${JSON.stringify(vim)} is not a valid VIM type`);
    const host = value.includes(':') && !value.startsWith('[') ? `[${value}]` : value;
    specs.push({ vim, endpoint: checkEndpoint(`${host}:${port}`, key), source: 'env', tls });
  }
  return specs.sort((a, b) => a.vim.localeCompare(b.vim));
}

const deadlinesSchema = z
  .object({
    health: z.number().int().min(100),
    query: z.number().int().min(100),
    config: z.number().int().min(100),
    lifecycle: z.number().int().min(100),
    transfer: z.number().int().min(100),
    watch: z.number().int().min(100),
  })
  .partial()
  .strict();

const tlsSchema = z
  .object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional(), serverName: z.string().optional() })
  .strict();

const fileSchema = z
  .object({
    plugins: z.array(
      z
        .object({
          vim: z.string().transform((v) => v.toLowerCase()).pipe(z.string().regex(VIM_RE, 'a lower-case VIM type')),
          endpoint: z.string(),
          // false forces plaintext for this plugin even when TLS is on by default; an object overrides the default.
          tls: z.union([z.literal(false), z.literal(true), tlsSchema]).optional(),
          deadlines: deadlinesSchema.optional(),
        })
        .strict(),
    ),
  })
  .strict();

/**
 * The plugins file (YAML or JSON) registers more VIM types, or gives one its own TLS and deadlines:
 *
 *     plugins:
 *       - vim: edge-vm
 *         endpoint: 10.1.2.3:8234
 *         tls: { caFile: /etc/applcm/plugin-ca.pem, serverName: osplugin }
 *         deadlines: { lifecycle: 600000 }
 *
 * Relative file paths are relative to the plugins file.
 */
export function pluginSpecsFromFile(file: string, defaultTls: ClientTlsOptions | undefined): PluginSpec[] {
  let raw: unknown;
  try {
    raw = load(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PluginConfigError(`plugins file ${file}: ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PluginConfigError(`plugins file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const dir = path.dirname(path.resolve(file));
  const abs = (p: string | undefined) => (p ? path.resolve(dir, p) : undefined);
  return parsed.data.plugins.map((p, i) => {
    const tls = p.tls === false ? undefined : p.tls === true || p.tls === undefined ? defaultTls : { caFile: abs(p.tls.caFile), certFile: abs(p.tls.certFile), keyFile: abs(p.tls.keyFile), serverName: p.tls.serverName };
    if (p.tls === true && !tls) throw new PluginConfigError(`plugins file ${file}: plugins.${i}.tls is true but no default TLS (APPLCM_PLUGIN_TLS) is configured`);
    return { vim: p.vim, endpoint: checkEndpoint(p.endpoint, `plugins file ${file}: plugins.${i}`), source: 'file' as const, tls, deadlines: p.deadlines };
  });
}

/** Env and file together; one VIM type may be configured once. */
export function mergePluginSpecs(...lists: PluginSpec[][]): PluginSpec[] {
  const byVim = new Map<string, PluginSpec>();
  for (const spec of lists.flat()) {
    const prior = byVim.get(spec.vim);
    if (prior) throw new PluginConfigError(`VIM type ${spec.vim} is configured twice (${prior.source} ${prior.endpoint} and ${spec.source} ${spec.endpoint})`);
    byVim.set(spec.vim, spec);
  }
  return [...byVim.values()];
}
