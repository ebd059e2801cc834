// Shared by the rescontroller suites: a controller whose `openstack` VIM plugin is the real VM plugin, against the
// fake Keystone/Nova/Glance/Neutron — or, when APPLCM_TEST_OPENSTACK_RC names an rc file of a real cloud, against
// that cloud (the fake is not started; assertions on the cloud's state are made only on the fake).
import fs from 'node:fs';
import { VmPlugin } from '../../src/plugins/vm/vm-plugin.js';
import { FakeOpenStack } from '../fake-openstack/fake-openstack.js';
import { pluginEnv } from '../helpers/plugin-env.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { shimResponse, type ShimRequest, type ShimResponse } from './shim-client.js';
import { configForm, shimForm, shimHost } from './shim-app-client.js';

export const REAL_RC = process.env['APPLCM_TEST_OPENSTACK_RC'];

export interface ResRig {
  t: TestServer;
  plugin: VmPlugin;
  /** The fake cloud; undefined against a real one. */
  cloud?: FakeOpenStack;
  rcFile: string;
  close(): Promise<void>;
}

export async function startResRig(label: string, backend: 'fake' | 'real' = 'fake', env: Record<string, string> = {}): Promise<ResRig> {
  const cloud = backend === 'fake' ? await new FakeOpenStack({ transitionMs: 40 }).start() : undefined;
  const rcFile = cloud ? cloud.rcFile() : fs.readFileSync(REAL_RC!, 'utf8');
  const plugin = await VmPlugin.start({ pollMs: 40, watchPollMs: 100, deleteTimeoutMs: 10_000, bootTimeoutMs: 20_000 });
  const t = await startTestServer(label, { ...pluginEnv(plugin.address, 'openstack'), APPLCM_WORKER_POLL_MS: '200', ...env });
  return {
    t,
    plugin,
    cloud,
    rcFile,
    async close() {
      await t.close();
      await plugin.stop();
      await cloud?.stop();
    },
  };
}

/** An OpenStack host registered and configured through the lcmcontroller routes, as MECM does before appo calls. */
export async function vmHost(rig: ResRig, tenantId: string, token: string, ip: string): Promise<string> {
  await shimHost(rig.t, tenantId, token, ip, 'openstack');
  const cfg = await shimForm(rig.t, `/v2/tenants/${tenantId}/configuration`, configForm(ip, rig.rcFile, 'openrc'), token);
  if (cfg.status !== 200) throw new Error(`config upload failed: ${cfg.status} ${cfg.text}`);
  return ip;
}

/** Calls a rescontroller route as appo's RestTemplate does: `access_token`, JSON, `Accept: *\/*`, `origin: MEO`. */
export async function res(t: TestServer, path: string, r: ShimRequest = {}): Promise<ShimResponse> {
  const headers: Record<string, string> = { accept: '*/*', origin: 'MEO', 'content-type': 'application/json', ...(r.token ? { access_token: r.token } : {}) };
  const response = await fetch(`${t.url}/rescontroller${path}`, { method: r.method ?? 'GET', headers: { ...headers, ...r.headers }, body: r.raw ?? (r.body !== undefined ? JSON.stringify(r.body) : undefined) });
  return shimResponse(response);
}

/** The osplugin answer appo parses (`AppoV2Response`): `{"data","retCode","message"}`. */
export interface PluginAnswer<T = unknown> {
  data: T;
  retCode: number;
  message: string | null;
}

export const answerOf = <T>(r: ShimResponse): PluginAnswer<T> => r.json as PluginAnswer<T>;
