import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { chartNamespace, isDns1123Label, MAX_RELEASE_NAME, releaseName, valuesOverride } from '../../src/plugins/k8s/chart-values.js';
import { helmReason } from '../../src/plugins/k8s/helm-cli.js';
import { decodeRelease, manifestObjects } from '../../src/plugins/k8s/helm-release.js';
import { bytes, millicores, parseQuantity } from '../../src/plugins/k8s/quantity.js';

describe('k8s plugin pieces', () => {
  it('release names: app-<instance id>, DNS-1123, at most 53 characters, the same for any spelling of the id', () => {
    const name = releaseName('9DA310A0-B3AB-47C1-8C81-D27731FC910F');
    assert.equal(name, 'app-9da310a0-b3ab-47c1-8c81-d27731fc910f');
    assert.ok(name.length <= MAX_RELEASE_NAME && isDns1123Label(name));
    assert.equal(releaseName('9da310a0-b3ab-47c1-8c81-d27731fc910f'), name);
    for (const bad of ['', '-a', 'a-', 'A', 'a_b', 'a.b', 'x'.repeat(64)]) assert.equal(isDns1123Label(bad), false, bad);
  });

  it('the values override keeps every value a string and names the secret after the instance', () => {
    const v = JSON.parse(valuesOverride({ appInstanceId: 'ABC-1', namespace: 'ns', accessKey: '1.10', secretKey: 'yes' })) as { appconfig: Record<string, unknown> };
    assert.deepEqual(v, { appconfig: { appnamespace: 'ns', aksk: { secretname: 'aksk-abc-1', accesskey: '1.10', secretkey: 'yes', appInsId: 'abc-1' } } });
    assert.deepEqual(JSON.parse(valuesOverride({ appInstanceId: 'x', namespace: 'n' })).appconfig.aksk, { secretname: 'aksk-x', accesskey: '', secretkey: '', appInsId: 'x' });
  });

  it("a chart's namespace is used only when it is a valid one", () => {
    assert.equal(chartNamespace('appconfig:\n  appnamespace: edge\n'), 'edge');
    assert.equal(chartNamespace('appconfig:\n  appnamespace: Bad_NS\n'), undefined);
    assert.equal(chartNamespace('global: {}\n'), undefined);
    assert.equal(chartNamespace(undefined), undefined);
  });

  it("Helm's reason: the Error line and what follows, without the --debug hint or warnings before it", () => {
    assert.equal(helmReason('WARNING: kubeconfig is group-readable\nError: INSTALLATION FAILED: boom\n'), 'INSTALLATION FAILED: boom');
    assert.equal(helmReason("Error: parse error at (c/t.yaml:9): bad character U+005B '['\n\nUse --debug flag to render out invalid YAML\n"), "parse error at (c/t.yaml:9): bad character U+005B '['");
    assert.equal(helmReason(''), 'helm failed without a message');
  });

  it('quantities: CPU in millicores, memory in bytes', () => {
    assert.equal(millicores('2500000n'), 3);
    assert.equal(millicores('250m'), 250);
    assert.equal(millicores('4'), 4000);
    assert.equal(bytes('32768Ki'), 32 * 1024 * 1024);
    assert.equal(bytes('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(bytes('94580335255'), 94580335255);
    assert.equal(bytes('1e3'), 1000);
    assert.ok(Number.isNaN(parseQuantity('12 apples')));
  });

  it("Helm's release records: base64(gzip(JSON)) inside the Secret data, or plain JSON from old releases", () => {
    const rel = { name: 'r', namespace: 'n', version: 3, info: { status: 'pending-upgrade', description: 'Upgrade' }, manifest: '---\nkind: Pod\nmetadata:\n  name: p\n' };
    const wrap = (b: Buffer) => Buffer.from(b.toString('base64')).toString('base64');
    for (const data of [wrap(gzipSync(JSON.stringify(rel))), wrap(Buffer.from(JSON.stringify(rel)))]) {
      assert.deepEqual(decodeRelease(data), { name: 'r', namespace: 'n', revision: 3, status: 'pending-upgrade', description: 'Upgrade', manifest: rel.manifest });
    }
    assert.deepEqual(
      manifestObjects('---\n# Source: x\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: a\n---\nnot: an object\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n').map((o) => [o.kind, o.name, o.namespace]),
      [
        ['Service', 's', 'a'],
        ['Deployment', 'd', undefined],
      ],
    );
  });
});
