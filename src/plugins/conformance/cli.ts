import type { ClientTlsOptions } from '../grpc-tls.js';
import { runConformance } from './run-conformance.js';

export interface PluginCheckOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  token: string;
  tenantId?: string;
  hostIp?: string;
}

/**
 * `applcm plugin-check <host:port>`: runs the conformance kit against a plugin, prints one line per check and
 * answers the process exit code (0 all passed, 1 some failed, 2 the run itself could not start).
 */
export async function runPluginCheck(address: string, o: PluginCheckOptions, print: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const tlsAsked = Boolean(o.caFile || o.certFile || o.keyFile || o.serverName);
  const tls: ClientTlsOptions | undefined = tlsAsked ? { caFile: o.caFile, certFile: o.certFile, keyFile: o.keyFile, serverName: o.serverName } : undefined;
  let results;
  try {
    results = await runConformance({ address, tls, accessToken: o.token, tenantId: o.tenantId, hostIp: o.hostIp });
  } catch (e) {
    print(`FAIL plugin-check: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  for (const r of results) print(r.ok ? `ok   ${r.name} (${r.ms} ms)` : `FAIL ${r.name}: ${r.error ?? 'failed'}`);
  const failed = results.filter((r) => !r.ok).length;
  print(`${results.length - failed} passed, ${failed} failed (${address})`);
  return failed ? 1 : 0;
}
