import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, ErrorCode } from '../../src/errors.js';
import { createdImageId, pluginImage, requireDeleted } from '../../src/plugins/vm-image-json.js';

const site = { vim: 'openstack', endpoint: '127.0.0.1:8234', rpc: 'queryVmImage' };
const coded = (code: ErrorCode) => (e: unknown) => e instanceof DomainError && e.code === code;

describe('image answers of the plugins', () => {
  it('reads our plugins’ bare JSON and the original osplugin’s wrapped JSON alike', () => {
    assert.equal(createdImageId('{"imageId":"a1"}', site), 'a1');
    assert.equal(createdImageId('{"data":{"imageId":"b2"},"retCode":200,"message":"Create success"}', site), 'b2');
    const bare = pluginImage('{"imageId":"a1","status":"active","size":1048576,"checksum":"abc","diskFormat":"qcow2"}', site);
    assert.deepEqual(bare, { imageId: 'a1', state: 'ACTIVE', status: 'active', sizeBytes: 1048576, checksum: 'abc', diskFormat: 'qcow2' });
    const original = pluginImage('{"data":{"imageId":"b2","imageName":"x","status":"saving","size":"12","checksum":"","compressTaskStatus":"waiting"},"retCode":200,"message":null}', site);
    assert.deepEqual(original, { imageId: 'b2', state: 'PENDING', status: 'saving', sizeBytes: 12, checksum: null, diskFormat: null });
  });

  it('maps Glance statuses to pending, active, failed and gone', () => {
    const state = (s: string) => pluginImage(JSON.stringify({ imageId: 'i', status: s }), site).state;
    assert.deepEqual(['queued', 'saving', 'uploading', 'importing', 'ACTIVE', 'killed', 'deactivated', 'deleted', 'pending_delete'].map(state), [
      'PENDING', 'PENDING', 'PENDING', 'PENDING', 'ACTIVE', 'FAILED', 'FAILED', 'GONE', 'GONE',
    ]);
  });

  it('refuses what it cannot read with a coded error, and an unknown image is NOT_FOUND', () => {
    assert.throws(() => pluginImage('not json', site), coded(ErrorCode.PLUGIN_ERROR));
    assert.throws(() => pluginImage('[1]', site), coded(ErrorCode.PLUGIN_ERROR));
    assert.throws(() => pluginImage('{"imageId":"i","status":"weird"}', site), coded(ErrorCode.PLUGIN_ERROR));
    assert.equal(pluginImage('{"imageId":"i","status":"active","size":-5}', site).sizeBytes, null, 'no negative size');
    assert.throws(() => pluginImage('{"code": 404}', site), coded(ErrorCode.NOT_FOUND));
    assert.throws(() => pluginImage('{"data":null,"retCode":500,"message":"glance down"}', site), (e) => e instanceof DomainError && e.code === ErrorCode.PLUGIN_ERROR && /glance down/.test(e.message));
    assert.throws(() => createdImageId('{"data":{},"retCode":200}', site), coded(ErrorCode.PLUGIN_ERROR));
  });

  it('a delete succeeds on Success or retCode 200 only', () => {
    requireDeleted('Success', site);
    requireDeleted('{"data":null,"retCode":200,"message":"Delete Image Success"}', site);
    assert.throws(() => requireDeleted('Failure', site), coded(ErrorCode.PLUGIN_ERROR));
    assert.throws(() => requireDeleted('{"data":null,"retCode":500,"message":"no"}', site), coded(ErrorCode.PLUGIN_ERROR));
  });
});
