import { badInput, DomainError, ErrorCode } from '../errors.js';
import { loadYaml } from '../packages/safe-yaml.js';

/** The original refused configuration files of 5 MiB and more. */
export const MAX_HOST_CONFIG_BYTES = 5 * 1024 * 1024;

/** An OpenStack rc file: `export NAME=value` lines (quotes allowed), comments and blank lines. */
const RC_LINE = /^export\s+[A-Za-z_][A-Za-z0-9_]*=.+$/;

/**
 * Checks a host's VIM configuration before it goes to the plugin, as the original did (size, parses) and a little
 * further: a kubeconfig must be a YAML mapping, an OpenStack rc file must be `export K=V` lines (what the VM
 * plugin requires anyway). Other VIM types get the original's rule: any YAML.
 */
export function validateHostConfig(content: Buffer, vim: string): void {
  if (content.length === 0) throw badInput('content', 'the configuration file is empty');
  if (content.length >= MAX_HOST_CONFIG_BYTES) {
    throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `the configuration file must be smaller than ${MAX_HOST_CONFIG_BYTES} bytes`, { field: 'content', limit: MAX_HOST_CONFIG_BYTES });
  }
  const text = content.toString('utf8');
  if (text.includes('\uFFFD')) throw badInput('content', 'the configuration file is not UTF-8 text');
  if (vim === 'openstack') {
    const bad = text.split(/\r?\n/).findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#') && !RC_LINE.test(l.trim()));
    if (bad >= 0) throw badInput('content', `line ${bad + 1} of the OpenStack rc file is not an "export NAME=value" line`);
    return;
  }
  let doc: unknown;
  try {
    doc = loadYaml(text, 'configuration file', { maxChars: MAX_HOST_CONFIG_BYTES });
  } catch (e) {
    throw badInput('content', `the configuration file is not valid YAML: ${(e as Error).message}`);
  }
  if (vim === 'k8s' && (typeof doc !== 'object' || doc === null || Array.isArray(doc))) {
    throw badInput('content', 'a kubeconfig must be a YAML mapping (clusters, users, contexts)');
  }
}
