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

describe('resourcemanager.proto and applcm_plugin.proto wire compatibility', () => {
  const rm = protoLoader.loadSync(path.resolve('proto/resourcemanager.proto'), { keepCase: true, longs: String, defaults: true, oneofs: true });

  it('keeps the original resource-manager service and method paths, VmImageManger spelling included', async () => {
    const gen = await import('../../src/generated/proto/resourcemanager.js');
    const services: [string, Record<string, { path: string }>][] = [
      ['VmImageManger', gen.VmImageMangerService],
      ['VmManager', gen.VmManagerService],
      ['FlavorManager', gen.FlavorManagerService],
      ['NetworkManager', gen.NetworkManagerService],
      ['SecurityGroupManager', gen.SecurityGroupManagerService],
    ];
    for (const [name, ours] of services) {
      const theirs = rm[`internal.resourcemanager.${name}`] as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;
      assert.deepEqual(Object.values(ours).map((m) => m.path).sort(), Object.values(theirs).map((m) => m.path).sort(), name);
    }
    const vm = rm['internal.resourcemanager.VmImageManger'] as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;
    assert.equal(vm['downloadVmImage']!.responseStream, true);
    assert.equal(vm['uploadVmImage']!.requestStream, true);
  });

  it('a nested create request and the image chunk stream round-trip both ways', async () => {
    const { CreateNetworkRequest, UploadVmImageRequest } = await import('../../src/generated/proto/resourcemanager.js');
    const theirs = rm['internal.resourcemanager.NetworkManager'] as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;
    const ours = {
      accessToken: 'tok',
      hostIp: '10.1.1.1',
      tenantId: 't1',
      network: {
        name: 'n1', adminStateUp: true, dnsDomain: '', mtu: 1450, portSecurityEnabled: false, providerNetworkType: 'vlan', providerPhysicalNetwork: 'physnet1', providerSegmentationId: 101, qosPolicyId: '', routerExternal: false,
        segments: [{ providerSegmentationId: 7, providerPhysicalNetwork: 'p', providerNetworkType: 'flat' }], shared: true, vlanTransparent: false, isDefault: false,
        subnets: [{ name: 's1', enableDhcp: true, dnsNameservers: ['8.8.8.8'], allocationPools: [{ start: '10.0.0.10', end: '10.0.0.20' }], ipVersion: 4, gatewayIp: '10.0.0.1', cidr: '10.0.0.0/24', ipv6AddressMode: '', ipv6RaMode: '' }],
      },
    };
    const decoded = theirs['createNetwork']!.requestDeserialize(Buffer.from(CreateNetworkRequest.encode(ours).finish()));
    assert.deepEqual(decoded, ours);
    assert.deepEqual(CreateNetworkRequest.decode(theirs['createNetwork']!.requestSerialize(ours)), ours);
    const img = rm['internal.resourcemanager.VmImageManger'] as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;
    const chunk = Buffer.from(UploadVmImageRequest.encode({ data: { $case: 'content', value: new Uint8Array([1, 2]) } }).finish());
    assert.deepEqual(img['uploadVmImage']!.requestDeserialize(chunk), { content: Buffer.from([1, 2]), data: 'content' });
  });

  it('our extension service lives in its own package', async () => {
    const { PluginExtensionsService } = await import('../../src/generated/proto/applcm_plugin.js');
    assert.deepEqual(Object.values(PluginExtensionsService).map((m) => m.path).sort(), ['/applcm.plugin.v1.PluginExtensions/capabilities', '/applcm.plugin.v1.PluginExtensions/health', '/applcm.plugin.v1.PluginExtensions/instanceStatus', '/applcm.plugin.v1.PluginExtensions/operate', '/applcm.plugin.v1.PluginExtensions/watchInstance']);
    assert.equal(PluginExtensionsService.watchInstance.responseStream, true);
  });
});
