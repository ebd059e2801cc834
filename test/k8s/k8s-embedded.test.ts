import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import type { TokenVerifier } from '../../src/auth/token-verifier.js';
import { loadConfig } from '../../src/config.js';
import { PluginExtensionsClient, type CapabilitiesResponse } from '../../src/generated/proto/applcm_plugin.js';
import { createLogger } from '../../src/observability/logger.js';
import { unary } from '../../src/plugins/conformance/grpc-calls.js';
import { startEmbeddedPlugins } from '../../src/plugins/embedded-plugins.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { generateTestKeys } from '../helpers/test-keys.js';

// The embedded default (applcm dev) serves k8s hosts with the simulator unless APPLCM_EMBEDDED_K8S=helm asks for
// the real Kubernetes plugin.

const verifier: TokenVerifier = {
  verify: (token) => (token === 'good' ? Promise.resolve({ userId: 'u', userName: 'u', role: 'admin' as never, tenantId: 'u' }) : Promise.reject(new Error('bad token'))),
};

async function capabilitiesAt(endpoint: string): Promise<CapabilitiesResponse> {
  const c = new PluginExtensionsClient(endpoint, credentials.createInsecure());
  try {
    return await unary<CapabilitiesResponse>(5000, (md, o, cb) => c.capabilities({}, md, o, cb));
  } finally {
    c.close();
  }
}

describe('embedded plugins', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-embedded-k8s-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (extra: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'test', APPLCM_DATA_DIR: dir, JWT_PUBLIC_KEY: generateTestKeys().publicKeyPem, LOG_LEVEL: 'silent', ...extra });

  it('APPLCM_EMBEDDED_K8S=helm: k8s hosts go to the Kubernetes plugin (helm from HELM_BIN), openstack stays on the simulator', async () => {
    const prev = process.env['HELM_BIN'];
    process.env['HELM_BIN'] = await helmBinary('v4.1.4');
    const plugins = await startEmbeddedPlugins(config({ APPLCM_EMBEDDED_K8S: 'helm' }), verifier, createLogger('silent'));
    try {
      assert.ok(plugins);
      const byVim = Object.fromEntries(plugins.specs.map((s) => [s.vim, s]));
      assert.deepEqual(Object.keys(byVim).sort(), ['k8s', 'openstack']);
      assert.notEqual(byVim['k8s']!.endpoint, byVim['openstack']!.endpoint);
      assert.equal(byVim['k8s']!.source, 'embedded');
      assert.equal((await capabilitiesAt(byVim['k8s']!.endpoint)).pluginName, 'applcm-k8s');
      assert.equal((await capabilitiesAt(byVim['openstack']!.endpoint)).pluginName, 'applcm-sim');
      assert.ok(fs.existsSync(path.join(dir, 'embedded-k8s-plugin')), 'the plugin keeps its files under the data dir');
    } finally {
      await plugins?.stop();
      if (prev === undefined) delete process.env['HELM_BIN'];
      else process.env['HELM_BIN'] = prev;
    }
  });

  it('by default both VIM types are served by the simulator', async () => {
    const plugins = await startEmbeddedPlugins(config({}), verifier, createLogger('silent'));
    try {
      assert.ok(plugins);
      assert.deepEqual(plugins.specs.map((s) => s.vim).sort(), ['k8s', 'openstack']);
      assert.equal(new Set(plugins.specs.map((s) => s.endpoint)).size, 1);
      assert.equal((await capabilitiesAt(plugins.specs[0]!.endpoint)).pluginName, 'applcm-sim');
    } finally {
      await plugins?.stop();
    }
  });
});
