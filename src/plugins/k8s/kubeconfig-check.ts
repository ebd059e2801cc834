import { isMapping, loadYaml } from '../../packages/safe-yaml.js';

/** Fields of a kubeconfig that name files on the plugin's machine instead of carrying their content. */
const FILE_FIELDS: Record<'cluster' | 'user', string[]> = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
};

/**
 * Why a tenant's kubeconfig cannot be used, or undefined. It is run by helm (client-go) and @kubernetes/client-node on
 * the plugin's machine, so anything that would make them run a program (`exec` credential plugins, `auth-provider`)
 * or read one of the plugin's files (certificate and token paths) is refused: credentials must be inline
 * (`*-data`, `token`).
 */
export function kubeconfigProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = loadYaml(text, 'kubeconfig');
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (!isMapping(doc)) return 'the kubeconfig is not a YAML mapping';
  for (const [section, key] of [
    ['clusters', 'cluster'],
    ['users', 'user'],
  ] as const) {
    const list = doc[section];
    if (list === undefined || list === null || list === '') continue;
    if (!Array.isArray(list)) return `${section} is not a list`;
    for (const entry of list) {
      const body = isMapping(entry) ? entry[key] : undefined;
      if (!isMapping(body)) continue;
      const name = isMapping(entry) && typeof entry['name'] === 'string' ? entry['name'] : '?';
      if (key === 'user') {
        if (body['exec'] !== undefined) return `user ${JSON.stringify(name)} runs a credential plugin (exec), which the plugin does not run`;
        if (body['auth-provider'] !== undefined) return `user ${JSON.stringify(name)} uses an auth-provider, which the plugin does not run`;
      }
      for (const f of FILE_FIELDS[key]) {
        if (body[f] !== undefined) return `${key} ${JSON.stringify(name)} names a file (${f}); give the content inline (${f === 'tokenFile' ? 'token' : `${f}-data`})`;
      }
    }
  }
  return undefined;
}
