import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { mergePluginSpecs, PluginConfigError, pluginSpecsFromEnv, pluginSpecsFromFile } from '../../src/plugins/plugin-config.js';

const tmpFile = (name: string, text: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-plugcfg-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('plugin endpoints from the environment (the original <VIM>_PLUGIN convention)', () => {
  it('reads K8S_PLUGIN / OPENSTACK_PLUGIN and any other VIM named the same way', () => {
    const specs = pluginSpecsFromEnv({ K8S_PLUGIN: 'mecm-mepm-k8splugin', K8S_PLUGIN_PORT: '8095', OPENSTACK_PLUGIN: '10.0.0.7', OPENSTACK_PLUGIN_PORT: '8234', EDGEVM_PLUGIN: 'edge', EDGEVM_PLUGIN_PORT: '9000', K8S_PLUGIN_DB: 'k8splugindb' }, undefined);
    assert.deepEqual(specs, [
      { vim: 'edgevm', endpoint: 'edge:9000', source: 'env', tls: undefined },
      { vim: 'k8s', endpoint: 'mecm-mepm-k8splugin:8095', source: 'env', tls: undefined },
      { vim: 'openstack', endpoint: '10.0.0.7:8234', source: 'env', tls: undefined },
    ]);
  });

  it('brackets an IPv6 address and carries the default TLS', () => {
    const tls = { caFile: '/ca.pem' };
    assert.deepEqual(pluginSpecsFromEnv({ K8S_PLUGIN: '::1', K8S_PLUGIN_PORT: '8095' }, tls), [{ vim: 'k8s', endpoint: '[::1]:8095', source: 'env', tls }]);
  });

  it('refuses a plugin without port and a port out of range', () => {
    assert.throws(() => pluginSpecsFromEnv({ K8S_PLUGIN: 'x' }, undefined), (e: Error) => e instanceof PluginConfigError && /K8S_PLUGIN_PORT/.test(e.message));
    assert.throws(() => pluginSpecsFromEnv({ K8S_PLUGIN: 'x', K8S_PLUGIN_PORT: '70000' }, undefined), /not host:port/);
    assert.throws(() => pluginSpecsFromEnv({ K8S_PLUGIN: 'bad host', K8S_PLUGIN_PORT: '1' }, undefined), /not host:port/);
  });
});

describe('the plugins file', () => {
  it('reads YAML with per-plugin TLS (paths relative to the file), plaintext override and deadlines', () => {
    const file = tmpFile('plugins.yaml', ['plugins:', '  - vim: EdgeVM', '    endpoint: 10.1.2.3:8234', '    tls: { caFile: certs/ca.pem, serverName: osplugin }', '    deadlines: { lifecycle: 600000 }', '  - vim: lab', '    endpoint: lab.example:1', '    tls: false', ''].join('\n'));
    const specs = pluginSpecsFromFile(file, { caFile: '/default-ca.pem' });
    assert.deepEqual(specs, [
      { vim: 'edgevm', endpoint: '10.1.2.3:8234', source: 'file', tls: { caFile: path.join(path.dirname(file), 'certs/ca.pem'), certFile: undefined, keyFile: undefined, serverName: 'osplugin' }, deadlines: { lifecycle: 600000 } },
      { vim: 'lab', endpoint: 'lab.example:1', source: 'file', tls: undefined, deadlines: undefined },
    ]);
  });

  it('names the offending entry of a malformed file', () => {
    const file = tmpFile('bad.yaml', 'plugins:\n  - vim: k8s\n    endpoint: nope\n');
    assert.throws(() => pluginSpecsFromFile(file, undefined), /plugins\.0: endpoint "nope" is not host:port/);
    const unknownKey = tmpFile('bad2.yaml', 'plugins:\n  - vim: k8s\n    endpoint: a:1\n    colour: red\n');
    assert.throws(() => pluginSpecsFromFile(unknownKey, undefined), /colour/);
    assert.throws(() => pluginSpecsFromFile('/nonexistent/plugins.yaml', undefined), /ENOENT/);
  });

  it('refuses a VIM type configured twice', () => {
    assert.throws(() => mergePluginSpecs([{ vim: 'k8s', endpoint: 'a:1', source: 'env' }], [{ vim: 'k8s', endpoint: 'b:2', source: 'file' }]), /configured twice/);
  });

  it('loadConfig turns plugin mistakes into a ConfigError and reads deadlines and chunk size', () => {
    assert.throws(() => loadConfig({ K8S_PLUGIN: 'x' }), (e: Error) => e instanceof ConfigError && /K8S_PLUGIN_PORT/.test(e.message));
    assert.throws(() => loadConfig({ APPLCM_PLUGIN_CHUNK_BYTES: '1024' }), ConfigError, 'chunks below 64 KiB are refused');
    assert.throws(() => loadConfig({ APPLCM_PLUGIN_TLS: 'true', APPLCM_PLUGIN_CERT_FILE: '/c.pem' }), /together/);
    const c = loadConfig({ K8S_PLUGIN: '127.0.0.1', K8S_PLUGIN_PORT: '8095', APPLCM_PLUGIN_DEADLINE_QUERY_MS: '1234', APPLCM_PLUGIN_CA_FILE: '/ca.pem' });
    assert.equal(c.plugins.deadlines.query, 1234);
    assert.equal(c.plugins.deadlines.lifecycle, 180_000, 'the original 180 s for instantiate/terminate');
    assert.equal(c.plugins.chunkBytes, 256 * 1024);
    assert.deepEqual(c.plugins.specs, [{ vim: 'k8s', endpoint: '127.0.0.1:8095', source: 'env', tls: { caFile: '/ca.pem', certFile: undefined, keyFile: undefined, serverName: undefined } }]);
  });
});
