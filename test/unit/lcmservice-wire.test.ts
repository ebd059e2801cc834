import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import { AppLCMService, InstantiateRequest, UploadCfgRequest, UploadPackageRequest } from '../../src/generated/proto/lcmservice.js';

// Wire compatibility with the original plugins: what our generated code encodes, @grpc/proto-loader (the runtime
// loader the original-style Node clients use) decodes from the same proto, and the reverse.
const definition = protoLoader.loadSync(path.resolve('proto/lcmservice.proto'), { keepCase: true, longs: String, defaults: true, oneofs: true });
const theirs = definition['internal.lcmservice.AppLCM'] as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;

describe('lcmservice.proto wire compatibility', () => {
  it('keeps the original method paths', () => {
    // ts-proto names the client method queryKpi; the wire path keeps the original spelling.
    const ourPaths = Object.values(AppLCMService).map((m) => m.path).sort();
    assert.deepEqual(ourPaths, Object.keys(theirs).map((name) => `/internal.lcmservice.AppLCM/${name}`).sort());
    assert.deepEqual(ourPaths, Object.values(theirs).map((m) => m.path).sort());
    assert.ok(ourPaths.includes('/internal.lcmservice.AppLCM/queryKPI'));
    assert.equal(theirs['uploadPackage']!.requestStream, true);
    assert.equal(theirs['uploadConfig']!.requestStream, true);
  });

  it('instantiate: our encoding decodes with proto-loader, and back', () => {
    const ours: InstantiateRequest = { accessToken: 'tok', tenantId: 't1', appInstanceId: 'i1', appPackageId: 'p1', hostIp: '10.1.1.1', parameters: { ak: 'A', sk: 'S' }, akSkLcmGen: true };
    const decoded = theirs['instantiate']!.requestDeserialize(Buffer.from(InstantiateRequest.encode(ours).finish()));
    assert.deepEqual(decoded, ours);
    const back = InstantiateRequest.decode(theirs['instantiate']!.requestSerialize(ours));
    assert.deepEqual(back, ours);
  });

  it('stream messages: each oneof member keeps its field number', () => {
    const cases: [UploadPackageRequest['data'], Record<string, unknown>][] = [
      [{ $case: 'accessToken', value: 'tok' }, { accessToken: 'tok', data: 'accessToken' }],
      [{ $case: 'appPackageId', value: 'p1' }, { appPackageId: 'p1', data: 'appPackageId' }],
      [{ $case: 'hostIp', value: '10.1.1.1' }, { hostIp: '10.1.1.1', data: 'hostIp' }],
      [{ $case: 'tenantId', value: 't1' }, { tenantId: 't1', data: 'tenantId' }],
      [{ $case: 'package', value: new Uint8Array([1, 2, 3]) }, { package: Buffer.from([1, 2, 3]), data: 'package' }],
    ];
    for (const [data, expected] of cases) {
      const bytes = Buffer.from(UploadPackageRequest.encode({ data }).finish());
      assert.deepEqual(theirs['uploadPackage']!.requestDeserialize(bytes), expected);
      const back = UploadPackageRequest.decode(theirs['uploadPackage']!.requestSerialize(expected)).data!;
      assert.equal(back.$case, data!.$case);
      assert.deepEqual(Buffer.from(back.value), Buffer.from(data!.value));
    }
    const cfg = Buffer.from(UploadCfgRequest.encode({ data: { $case: 'configFile', value: new Uint8Array([9]) } }).finish());
    assert.deepEqual(theirs['uploadConfig']!.requestDeserialize(cfg), { configFile: Buffer.from([9]), data: 'configFile' });
    assert.equal(cfg[0], (4 << 3) | 2, 'configFile is field 4, length-delimited');
  });
});
