import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadYaml } from '../../src/packages/safe-yaml.js';
import { extractChart } from '../../src/plugins/k8s/chart-package.js';
import { chartNamespace, releaseName, valuesOverride } from '../../src/plugins/k8s/chart-values.js';
import { HelmCli, HelmError } from '../../src/plugins/k8s/helm-cli.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { FIXTURES } from '../helpers/package-client.js';
import { ALL_HELMS } from './k8s-harness.js';

// `helm template` of every fixture chart with the values the plugin generates: the values wiring (AK/SK, instance
// id, namespace) as the EdgeGallery templates read it, checked in what real Helm renders.

type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; stringData?: Record<string, string>; spec?: { containers?: { name: string }[] } };

const docs = (manifest: string): Doc[] =>
  manifest
    .split(/^---\s*$/m)
    .filter((d) => d.replace(/^#.*$/gm, '').trim())
    .map((d) => loadYaml(d, 'rendered manifest') as Doc);

for (const helm of ALL_HELMS) {
  describe(`helm template of the fixture charts with the plugin's values (helm ${helm})`, () => {
    let dir: string;
    let cli: HelmCli;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-helm-template-'));
      cli = new HelmCli(await helmBinary(helm), path.join(dir, 'home'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The fixture's chart rendered with the plugin's values file for a fresh instance in `namespace`. */
    const render = async (fixture: string, namespace: string): Promise<{ id: string; out: string }> => {
      const pkgDir = fs.mkdtempSync(path.join(dir, 'pkg-'));
      const { chart, chartError } = await extractChart(path.join(FIXTURES, fixture), pkgDir);
      assert.ok(chart, chartError);
      const id = randomUUID();
      const valuesFile = path.join(pkgDir, 'values.json');
      fs.writeFileSync(valuesFile, valuesOverride({ appInstanceId: id, namespace, accessKey: 'AK:with "quotes"', secretKey: 'SK#1.10' }));
      return { id, out: await cli.template({ release: releaseName(id), namespace, chart: chart.file, valuesFile }) };
    };

    it('every fixture CSAR: a chart is found, or the reason why not', async () => {
      const found: Record<string, string> = {};
      for (const f of fs.readdirSync(FIXTURES).sort()) {
        const r = await extractChart(path.join(FIXTURES, f), fs.mkdtempSync(path.join(dir, 'scan-')));
        found[f] = r.chart ? `${r.chart.name} ${r.chart.version} ns=${chartNamespace(r.chart.valuesYaml) ?? '-'}` : `none: ${r.chartError ?? ''}`;
      }
      assert.deepEqual(found, {
        'appo-test-posiu.csar': 'testposiu6c3c4c77-0b5f-4d 1.0 ns=default',
        'etherpad-k8splugin.csar': 'etherpad9da310a0-b3ab-47 1.0 ns=default',
        'face-recognition-1.4.csar': 'face-recognition 1.4 ns=-',
        'positioning-service.csar': 'positioning-service 1.0 ns=default',
        'vm-openstack.zip': 'none: the package has no Helm chart under Artifacts/Deployment/Charts/',
      });
    });

    it('etherpad-k8splugin: the deployment and service land in the instance namespace', async () => {
      const { out } = await render('etherpad-k8splugin.csar', 'tenant-ns');
      const objs = docs(out);
      assert.deepEqual(
        objs.map((d) => [d.kind, d.metadata?.name, d.metadata?.namespace]),
        [
          ['Service', 'etherpad-svc', 'tenant-ns'],
          ['Deployment', 'etherpad', 'tenant-ns'],
        ],
      );
    });

    it('appo-test-posiu: the mep-agent secret holds the AK/SK and instance id verbatim, the pod reads it', async () => {
      const { id, out } = await render('appo-test-posiu.csar', 'edge-apps');
      const objs = docs(out);
      const secret = objs.find((d) => d.kind === 'Secret');
      assert.equal(secret?.metadata?.name, `aksk-${id}`);
      assert.equal(secret?.metadata?.namespace, 'edge-apps');
      assert.deepEqual(secret?.stringData, { accesskey: 'AK:with "quotes"', secretkey: 'SK#1.10', appInsId: id });
      const pod = objs.find((d) => d.kind === 'Pod');
      assert.deepEqual(pod?.spec?.containers?.map((c) => c.name), ['positioning', 'mep-agent']);
      assert.match(out, new RegExp(`name: 'aksk-${id}'\\s+key: accesskey`));
      assert.ok(objs.some((d) => d.kind === 'ConfigMap' && d.metadata?.namespace === 'edge-apps'));
    });

    it('face-recognition-1.4: renders (it reads none of the EdgeGallery values)', async () => {
      const { out } = await render('face-recognition-1.4.csar', 'default');
      const kinds = docs(out).map((d) => d.kind);
      assert.ok(kinds.includes('Deployment') || kinds.includes('Pod'), kinds.join(','));
      assert.ok(kinds.includes('Service'), kinds.join(','));
    });

    it("positioning-service: the chart is broken in real Helm, and Helm's parse error is what comes back", async () => {
      const err = await render('positioning-service.csar', 'default').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof HelmError, String(err));
      assert.equal(err.message, "parse error at (positioning-service/templates/eg_templates/mep-agent-configmap.yaml:9): bad character U+005B '['");
      assert.equal(err.exitCode, 1);
    });
  });
}
