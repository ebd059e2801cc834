import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isDomainError } from '../../src/errors.js';
import { parseManifest } from '../../src/packages/manifest.js';

const invalid = (message: RegExp) => (e: unknown) => isDomainError(e) && e.code === ErrorCode.INVALID_PACKAGE && message.test(e.message);

describe('parseManifest', () => {
  it('reads metadata whole (no colon truncation, quotes stripped), digests and the CMS signature', () => {
    const text = [
      'metadata:',
      'app_product_name: positioning-serviceTest2',
      'app_provider_id: EdgeGallery',
      'app_package_version: "2.0"',
      'app_release_data_time: 2020-11-11T13:46:00+00:00',
      'app_type: container',
      'app_class: container',
      'app_package_description: An app: with a colon',
      '',
      'Source: Artifacts/Deployment/Charts/positioning-service.tgz',
      'Algorithm: SHA-256',
      'Hash: C21317143C6C2618E61AFC8E1E599B32A470705CDCC979C9C9B69F5F00017930',
      '',
      'Source: APPD/Definition/MainServiceTemplate.yaml',
      'Algorithm: SHA-256',
      'Hash: 00ff',
      '',
      '-----BEGIN CMS-----',
      'Source: not/a/real/source',
      'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIBClNvdXJj',
      '-----END CMS-----',
    ].join('\r\n');
    const m = parseManifest(text, 'positioning-service.mf');
    assert.deepEqual(
      { ...m.metadata, all: undefined },
      {
        appProductName: 'positioning-serviceTest2',
        appProviderId: 'EdgeGallery',
        appPackageVersion: '2.0',
        appReleaseDateTime: '2020-11-11T13:46:00+00:00',
        appType: 'container',
        appClass: 'container',
        appPackageDescription: 'An app: with a colon',
        all: undefined,
      },
    );
    assert.equal(m.metadata.all['app_package_version'], '2.0');
    assert.deepEqual(m.sources, [
      { source: 'Artifacts/Deployment/Charts/positioning-service.tgz', algorithm: 'SHA-256', hash: 'c21317143c6c2618e61afc8e1e599b32a470705cdcc979c9c9b69f5f00017930' },
      { source: 'APPD/Definition/MainServiceTemplate.yaml', algorithm: 'SHA-256', hash: '00ff' },
    ]);
    assert.equal(m.signed, true);
  });

  it('reads the older indented spellings and skips non_mano_artifact_sets (face-recognition)', () => {
    const text = [
      'metadata:',
      '    app_name: face_recognition1.4',
      '    app_provider: Huawei',
      '    app_archive_version: 1.4',
      '    app_release_date_time: 2019-11-29T13:46:00+00:00',
      '',
      'Source: Artifacts/ChangeLog.txt',
      'Source: Definitions/MainServiceTemplate.yaml',
      '',
      'non_mano_artifact_sets:',
      '',
      '    applcm_helm_chart_deployment:',
      '        Source: Artifacts/Deployment/Chart/face-recognition-1.4.tgz',
    ].join('\r\n');
    const m = parseManifest(text, 'MainServiceTemplate.mf');
    assert.equal(m.metadata.appProductName, 'face_recognition1.4');
    assert.equal(m.metadata.appProviderId, 'Huawei');
    assert.equal(m.metadata.appPackageVersion, '1.4');
    assert.equal(m.metadata.appReleaseDateTime, '2019-11-29T13:46:00+00:00');
    assert.deepEqual(m.sources, [{ source: 'Artifacts/ChangeLog.txt' }, { source: 'Definitions/MainServiceTemplate.yaml' }]);
    assert.equal(m.signed, false);
  });

  it('prefers the EdgeGallery key over the older alias', () => {
    const m = parseManifest('metadata:\napp_name: old\napp_product_name: new\n', 'x.mf');
    assert.equal(m.metadata.appProductName, 'new');
  });

  it('a Source block can follow the metadata without a blank line; a later Source resumes after non-MANO sets', () => {
    const m = parseManifest('metadata:\napp_product_name: a\nSource: x\nHash: 01\nnon_mano_artifact_sets:\n  set:\n    Source: y\nSource: z\nAlgorithm: SHA-256\nHash: 02\n', 'x.mf');
    assert.deepEqual(m.sources, [
      { source: 'x', hash: '01' },
      { source: 'z', algorithm: 'SHA-256', hash: '02' },
    ]);
    assert.equal(m.metadata.appProductName, 'a');
  });

  it('refuses a digest without a Source, an empty Source and an unterminated signature', () => {
    assert.throws(() => parseManifest('metadata:\na: b\n\nHash: 00\n', 'x.mf'), invalid(/^x\.mf: line 4: Hash without a preceding Source$/));
    assert.throws(() => parseManifest('Source:\n', 'x.mf'), invalid(/line 1: Source without a path/));
    assert.throws(() => parseManifest('-----BEGIN CMS-----\nMIAG\n', 'x.mf'), invalid(/-----BEGIN CMS----- without -----END CMS-----/));
  });

  it('an empty manifest has no metadata, no sources and no signature', () => {
    assert.deepEqual(parseManifest('', 'x.mf'), { metadata: { all: {} }, sources: [], signed: false });
  });
});
