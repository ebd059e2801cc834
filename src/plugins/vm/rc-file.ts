/**
 * An OpenStack rc file, parsed, never sourced: what `. openrc` would set, as long as the file does nothing but set
 * the variables below. Anything a shell would do besides (command substitution, expansions, other commands,
 * continuation lines, variables the plugin does not know) is refused, so nothing in the file is ever executed or
 * interpreted on the plugin's machine.
 */
export interface RcConfig {
  authUrl: string;
  username?: string;
  userId?: string;
  password: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  regionName?: string;
  /** Which catalog endpoints: public (default), internal or admin. */
  interface: 'public' | 'internal' | 'admin';
  /** The original osplugin's endpoint overrides (NOVA_URL, GLANCE_URL, NEUTRON_URL, CINDER_URL). */
  endpoints: Partial<Record<'compute' | 'image' | 'network' | 'volumev3', string>>;
}

export class RcFileError extends Error {}

/** Variables an rc file may set; the values of the others below are checked for what the plugin supports. */
const KNOWN = new Set([
  'OS_AUTH_URL',
  'OS_USERNAME',
  'OS_USER_ID',
  'OS_PASSWORD',
  'OS_PROJECT_NAME',
  'OS_PROJECT_ID',
  'OS_TENANT_NAME',
  'OS_TENANT_ID',
  'OS_USER_DOMAIN_NAME',
  'OS_USER_DOMAIN_ID',
  'OS_PROJECT_DOMAIN_NAME',
  'OS_PROJECT_DOMAIN_ID',
  'OS_DOMAIN_NAME',
  'OS_REGION_NAME',
  'OS_INTERFACE',
  'OS_ENDPOINT_TYPE',
  'OS_IDENTITY_API_VERSION',
  'OS_AUTH_TYPE',
  'OS_COMPUTE_API_VERSION',
  'OS_IMAGE_API_VERSION',
  'OS_NETWORK_API_VERSION',
  'OS_VOLUME_API_VERSION',
  'OS_NO_CACHE',
  'NOVA_URL',
  'GLANCE_URL',
  'NEUTRON_URL',
  'CINDER_URL',
  'HEAT_URL',
  'GNOCCHI_URL',
]);

/** Settings that would make the plugin read files on its own machine: credentials go in the file itself. */
const FILE_SETTINGS = new Set(['OS_CACERT', 'OS_CERT', 'OS_KEY', 'OS_CLIENT_CONFIG_FILE', 'OS_CLOUD']);

const LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** A bare word: no quoting, no expansion, no operators, no whitespace. */
const BARE = /^[A-Za-z0-9_@%+=:,./~^!-]*$/;
/** Inside double quotes a shell still expands $, ` and \ escapes: all refused. */
const DOUBLE_QUOTED = /^"([^"$`\\]*)"$/;
const SINGLE_QUOTED = /^'([^']*)'$/;

function valueOf(raw: string, name: string, lineNo: number): string {
  // A quoted value ends at its closing quote; after it (or after a bare word) only a comment may follow.
  const q = raw[0];
  const end = q === '"' || q === "'" ? raw.indexOf(q, 1) + 1 : (/[ \t]/.exec(raw)?.index ?? raw.length);
  const rest = raw.slice(end).trim();
  if (end === 0 || (rest !== '' && !rest.startsWith('#'))) throw new RcFileError(`line ${lineNo}: the value of ${name} is followed by more than a comment`);
  const v = raw.slice(0, end);
  const d = DOUBLE_QUOTED.exec(v) ?? SINGLE_QUOTED.exec(v);
  if (d) return d[1]!;
  if (BARE.test(v)) return v;
  throw new RcFileError(`line ${lineNo}: the value of ${name} is not a plain or quoted literal (no $, backquotes, backslashes, spaces or shell operators)`);
}

function httpUrl(value: string, name: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new RcFileError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RcFileError(`${name} must be an http or https URL, not ${u.protocol}`);
  if (u.username || u.password) throw new RcFileError(`${name} must not carry credentials`);
  return value.replace(/\/+$/, '');
}

/** The variables the file sets, in order, last one winning (as a shell would). */
export function rcVariables(text: string): Map<string, string> {
  if (text.includes('\0')) throw new RcFileError('the rc file contains NUL bytes');
  const vars = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = LINE.exec(t);
    if (!m) throw new RcFileError(`line ${lineNo} is not an "export NAME=value" line: only variable settings are accepted (the file is parsed, never run)`);
    const name = m[1]!;
    if (FILE_SETTINGS.has(name)) throw new RcFileError(`line ${lineNo}: ${name} would make the plugin read a file on its machine; put certificates and credentials in the rc file's values instead`);
    if (!KNOWN.has(name) && !name.startsWith('OS_')) throw new RcFileError(`line ${lineNo}: ${name} is not an OpenStack variable`);
    vars.set(name, valueOf(m[2]!, name, lineNo));
  });
  return vars;
}

/** Parses and checks an rc file; RcFileError says what is wrong (never echoing the password). */
export function parseRcFile(text: string): RcConfig {
  const v = rcVariables(text);
  const get = (k: string): string | undefined => {
    const x = v.get(k);
    return x === undefined || x === '' ? undefined : x;
  };
  const authUrlRaw = get('OS_AUTH_URL');
  if (!authUrlRaw) throw new RcFileError('OS_AUTH_URL is not set');
  const password = get('OS_PASSWORD');
  if (!password) throw new RcFileError('OS_PASSWORD is not set');
  const username = get('OS_USERNAME');
  const userId = get('OS_USER_ID');
  if (!username && !userId) throw new RcFileError('OS_USERNAME (or OS_USER_ID) is not set');
  const projectName = get('OS_PROJECT_NAME') ?? get('OS_TENANT_NAME');
  const projectId = get('OS_PROJECT_ID') ?? get('OS_TENANT_ID');
  if (!projectName && !projectId) throw new RcFileError('OS_PROJECT_NAME (or OS_PROJECT_ID) is not set');
  const idVersion = get('OS_IDENTITY_API_VERSION');
  if (idVersion && !/^3(\.\d+)?$/.test(idVersion)) throw new RcFileError(`OS_IDENTITY_API_VERSION ${JSON.stringify(idVersion)}: only Keystone v3 is supported`);
  const authType = get('OS_AUTH_TYPE');
  if (authType && authType !== 'password' && authType !== 'v3password') throw new RcFileError(`OS_AUTH_TYPE ${JSON.stringify(authType)}: only password authentication is supported`);
  const iface = (get('OS_INTERFACE') ?? get('OS_ENDPOINT_TYPE') ?? 'public').replace(/URL$/, '');
  if (iface !== 'public' && iface !== 'internal' && iface !== 'admin') throw new RcFileError(`OS_INTERFACE ${JSON.stringify(iface)} must be public, internal or admin`);
  let authUrl = httpUrl(authUrlRaw, 'OS_AUTH_URL');
  if (!/\/v3$/.test(authUrl)) authUrl = `${authUrl}/v3`;
  const endpoints: RcConfig['endpoints'] = {};
  const overrides = [
    ['NOVA_URL', 'compute'],
    ['GLANCE_URL', 'image'],
    ['NEUTRON_URL', 'network'],
    ['CINDER_URL', 'volumev3'],
  ] as const;
  for (const [name, type] of overrides) {
    const u = get(name);
    if (u) endpoints[type] = httpUrl(u, name);
  }
  const domain = get('OS_DOMAIN_NAME');
  const opt = <K extends string>(k: K, value: string | undefined): Partial<Record<K, string>> => (value ? ({ [k]: value } as Record<K, string>) : {});
  return {
    authUrl,
    password,
    interface: iface,
    endpoints,
    ...opt('username', username),
    ...opt('userId', userId),
    ...opt('projectName', projectName),
    ...opt('projectId', projectId),
    ...opt('userDomainName', get('OS_USER_DOMAIN_NAME') ?? (get('OS_USER_DOMAIN_ID') ? undefined : (domain ?? 'Default'))),
    ...opt('userDomainId', get('OS_USER_DOMAIN_ID')),
    ...opt('projectDomainName', get('OS_PROJECT_DOMAIN_NAME') ?? (get('OS_PROJECT_DOMAIN_ID') ? undefined : (domain ?? 'Default'))),
    ...opt('projectDomainId', get('OS_PROJECT_DOMAIN_ID')),
    ...opt('regionName', get('OS_REGION_NAME')),
  };
}
