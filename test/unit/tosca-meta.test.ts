import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isDomainError } from '../../src/errors.js';
import { parseToscaMeta } from '../../src/packages/tosca-meta.js';

const invalid = (message: RegExp) => (e: unknown) => isDomainError(e) && e.code === ErrorCode.INVALID_PACKAGE && message.test(e.message);

describe('parseToscaMeta', () => {
  it('reads the header and the Name/Content-Type blocks (vm-openstack, CRLF)', () => {
    const text = [
      'TOSCA-Meta-File-Version: 1.0',
      'CSAR-Version: 3.25',
      'Created-by: EdgeGallery',
      'Entry-Definitions: APPD/vmtest.zip',
      '',
      'Name: APPD/vmtest.zip',
      'Content-Type: appd',
      '',
      'Name: Image/SwImageDesc.json',
      'Content-Type: SwImageDesc',
      '',
    ].join('\r\n');
    const m = parseToscaMeta(text, 'TOSCA.meta');
    assert.equal(m.entryDefinitions, 'APPD/vmtest.zip');
    assert.equal(m.createdBy, 'EdgeGallery');
    assert.equal(m.metaFileVersion, '1.0');
    assert.equal(m.csarVersion, '3.25');
    assert.deepEqual(m.artifacts, [
      { name: 'APPD/vmtest.zip', contentType: 'appd' },
      { name: 'Image/SwImageDesc.json', contentType: 'SwImageDesc' },
    ]);
    assert.equal(m.header['tosca-meta-file-version'], '1.0');
  });

  it('matches keys case-insensitively (Created-By / Created-by, ENTRY-DEFINITIONS) and keeps colons in values', () => {
    const m = parseToscaMeta('\uFEFFCreated-By: Victor\nENTRY-DEFINITIONS:  Definitions/Main.yaml  \nETSI-Entry-Manifest: a:b.mf', 'x');
    assert.equal(m.createdBy, 'Victor');
    assert.equal(m.entryDefinitions, 'Definitions/Main.yaml');
    assert.equal(m.header['etsi-entry-manifest'], 'a:b.mf');
  });

  it('reads TOSCA_VNFD.meta (VNFD-Meta-File-Version) the same way', () => {
    const m = parseToscaMeta('VNFD-Meta-File-Version: 1.0\nEntry-Definitions: Definition/MainServiceTemplate.yaml\n\nName: Definition/MainServiceTemplate.yaml\nContent-Type: VNFD', 'TOSCA_VNFD.meta');
    assert.equal(m.metaFileVersion, '1.0');
    assert.equal(m.entryDefinitions, 'Definition/MainServiceTemplate.yaml');
    assert.deepEqual(m.artifacts, [{ name: 'Definition/MainServiceTemplate.yaml', contentType: 'VNFD' }]);
  });

  it('joins continuation lines and treats an empty Entry-Definitions as absent', () => {
    const m = parseToscaMeta('Entry-Definitions:\nCreated-By: a\n  long name', 'x');
    assert.equal(m.entryDefinitions, undefined);
    assert.equal(m.createdBy, 'a long name');
  });

  it('refuses lines without a key and keys repeated in one block', () => {
    assert.throws(() => parseToscaMeta('Entry-Definitions: a.yaml\njust text', 'TOSCA.meta'), invalid(/^TOSCA\.meta: line 2 is not "Key: value"$/));
    assert.throws(() => parseToscaMeta(': value', 'TOSCA.meta'), invalid(/line 1 is not "Key: value"/));
    assert.throws(() => parseToscaMeta('Entry-Definitions: a.yaml\nentry-definitions: b.yaml', 'TOSCA.meta'), invalid(/key "entry-definitions" appears twice in one block \(line 2\)/));
  });

  it('keeps a __proto__ key an ordinary key', () => {
    const m = parseToscaMeta('__proto__: x\nEntry-Definitions: a.yaml', 'x');
    assert.equal(Object.getPrototypeOf(m.header), Object.prototype);
    assert.equal(m.header['__proto__'], 'x');
  });
});
