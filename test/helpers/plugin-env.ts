/** `<VIM>_PLUGIN` / `<VIM>_PLUGIN_PORT` for a plugin listening at host:port, as a test server's environment. */
export function pluginEnv(address: string, vim = 'k8s'): Record<string, string> {
  const i = address.lastIndexOf(':');
  const name = vim.toUpperCase();
  return { [`${name}_PLUGIN`]: address.slice(0, i), [`${name}_PLUGIN_PORT`]: address.slice(i + 1) };
}
