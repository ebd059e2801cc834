import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { inspectChartTgz } from '../../src/packages/chart-archive.js';
import { parseCsar, type CsarParserDeps, type ParsedPackage } from '../../src/packages/csar-parser.js';
import type { PackageFiles } from '../../src/packages/package-files.js';
import { ZipArchive } from '../../src/packages/zip-archive.js';
import { MemoryFiles, memoryDeps, unzipToMemory, zipBuffer } from './csar-test-support.js';
import { rejectsInvalid } from '../helpers/invalid-package.js';

const FIXTURES = path.resolve('../shared/fixtures/csar');
const limits = DEFAULT_ARCHIVE_LIMITS;
const PLACEHOLDER = 'c21317143c6c2618e61afc8e1e599b32a470705cdcc979c9c9b69f5f00017930';

const realDeps: CsarParserDeps = {
  openNestedZip: (buf, depth, source) => ZipArchive.fromBuffer(buf, limits, depth, source),
  inspectChart: (buf, depth, source) => inspectChartTgz(buf, limits, depth, source),
};

/** Two ways to read a fixture: the production archive readers, and the test stand-ins (parser logic alone). */
const readers: { name: string; parse: (fixture: string, strict: boolean) => Promise<ParsedPackage> }[] = [
  {
    name: 'ZipArchive + inspectChartTgz',
    parse: async (fixture, strict) => {
      const zip = await ZipArchive.open(path.join(FIXTURES, fixture), limits, 0);
      try {
        return await parseCsar(zip, realDeps, { limits, strictIntegrity: strict });
      } finally {
        await zip.whenClosed();
      }
    },
  },
  {
    name: 'in-memory stand-ins',
    parse: async (fixture, strict) => parseCsar(await unzipToMemory(fs.readFileSync(path.join(FIXTURES, fixture))), memoryDeps, { limits, strictIntegrity: strict }),
  },
];

const kinds = (p: ParsedPackage) => Object.fromEntries(p.artifacts.map((a) => [a.path, a.kind]));

describe('the fixture CSARs', () => {
  it('are all here', () => {
    assert.deepEqual(fs.readdirSync(FIXTURES).sort(), ['appo-test-posiu.csar', 'etherpad-k8splugin.csar', 'face-recognition-1.4.csar', 'positioning-service.csar', 'vm-openstack.zip']);
  });

  for (const reader of readers) {
    describe(`read with ${reader.name}`, () => {
      it('positioning-service: root layout, template found inside APPD/APPD.zip, full app configuration', async () => {
        const p = await reader.parse('positioning-service.csar', false);
        assert.equal(p.rootPrefix, '');
        assert.equal(p.serviceTemplate, 'APPD/APPD.zip!/Definition/MainServiceTemplate.yaml');
        assert.ok(p.warnings.some((w) => /Entry-Definitions APPD\/Definition\/MainServiceTemplate\.yaml was found inside APPD\/APPD\.zip/.test(w)), p.warnings.join('\n'));
        const a = p.appd;
        assert.deepEqual(
          { name: a.name, version: a.version, provider: a.provider, description: a.description, type: a.type, vnfdId: a.vnfdId, tdv: a.toscaDefinitionsVersion },
          { name: 'positioning-serviceTest2', version: '2.0', provider: 'EdgeGallery', description: 'This is an app package', type: 'CONTAINER', vnfdId: 'EdgeGallery-positioning-service', tdv: 'tosca_simple_profile_yaml_1_2' },
        );
        assert.deepEqual(a.vdus.map((v) => v.id), ['logic0', 'logic1']);
        assert.deepEqual(a.vdus[1], {
          id: 'logic1',
          name: 'logic1',
          description: 'node logic template',
          swImageName: 'swr.ap-southeast-1.myhuaweicloud.com/edgegallery/positioning_service:1.0',
          numVirtualCpu: 4,
          virtualMemMb: 4096,
          storageGb: 20,
          minInstances: 1,
          maxInstances: 2,
          initialInstances: 1,
          hasUserData: false,
        });
        assert.deepEqual(a.connectionPoints, [
          { id: 'MEC_APP_CP0', vnicName: 'eth0', order: 0, vnicType: 'normal', portSecurityEnabled: true, virtualBinding: 'logic0', virtualLink: 'MEC_APP_VL0' },
          { id: 'MEC_APP_CP1', vnicName: 'eth0', order: 0, vnicType: 'normal', portSecurityEnabled: true, virtualBinding: 'logic1', virtualLink: 'MEC_APP_VL0' },
        ]);
        // network_name / physical_network / provider_segmentation_id are get_input with defaults.
        assert.deepEqual(a.virtualLinks, [{ id: 'MEC_APP_VL0', networkName: 'fst01_OM_Plane', networkType: 'vlan', physicalNetwork: 'physnet1', segmentationId: '1001' }]);
        assert.equal(a.inputs.length, 6);
        assert.deepEqual(a.inputs[0], { name: 'APP_Name', type: 'string', description: 'APP_Name' });
        assert.deepEqual(a.inputs[5], { name: 'network1_vlanid', type: 'string', default: '1001', description: 'network1_vlanid' });
        assert.deepEqual(a.appConfiguration, {
          appName: 'positioning-service',
          appSupportMp1: true,
          servicesRequired: [{ serName: 'test', version: '1.0', requestedPermissions: true }],
          servicesOptional: [{ serName: 'appService2', version: '3.0', requestedPermissions: true }],
          servicesProduced: [{ serName: 'positioning-service', version: '1.0' }],
          trafficRules: [
            {
              trafficRuleId: 'trafficRule1',
              filterType: 'FLOW',
              priority: 1,
              action: 'PASSTHROUGH',
              trafficFilters: [
                {
                  srcAddress: ['0.0.0.0/0'],
                  dstAddress: ['172.30.2.0/28'],
                  srcPort: ['8080'],
                  dstPort: ['8080'],
                  protocol: ['ANY'],
                  tag: ['1234'],
                  srcTunnelAddress: ['10.10.10.10'],
                  tgtTunnelAddress: ['10.10.10.10'],
                  srcTunnelPort: ['8080'],
                  dstTunnelPort: ['8080'],
                  qCI: 1,
                  dSCP: 0,
                  tC: 1,
                },
              ],
              dstInterfaces: [
                {
                  interfaceType: 'TUNNEL',
                  tunnelInfo: { tunnelType: 'GTP_U', tunnelDstAddress: '10.10.10.10', tunnelSrcAddress: '11.11.11.11' },
                  srcMacAddress: '02-00-00-00-00-00',
                  dstMacAddress: '02-00-00-00-00-00',
                  dstIpAddress: '192.0.2.0',
                },
              ],
            },
          ],
          dnsRules: [{ dnsRuleId: 'dnsRule1', domainName: 'positioningservice.org', ipAddressType: 'IP_V4', ipAddress: '172.30.2.17', ttl: 100 }],
        });
        // No Image/SwImageDesc.json: the chart alone makes it deployable.
        assert.deepEqual(a.swImages, []);
        assert.deepEqual(a.charts, [{ path: 'Artifacts/Deployment/Charts/positioning-service.tgz', name: 'positioning-service', version: '1.0', appVersion: '1.0' }]);
        assert.equal(p.manifest.metadata.appReleaseDateTime, '2020-11-11T13:46:00+00:00', 'kept whole, not cut at the colon');
        assert.equal(p.manifest.metadata.appPackageVersion, '2.0', 'quotes stripped');
        assert.equal(p.manifest.metadata.appClass, 'container');
        assert.equal(p.manifest.signed, true);
        assert.deepEqual(p.integrity, {
          policy: 'LENIENT',
          signed: true,
          entries: [
            { source: 'Artifacts/Deployment/Charts/positioning-service.tgz', algorithm: 'SHA-256', expected: PLACEHOLDER, actual: '7ca1188ae621a46a3b57a29ef679b2ca4f3415a4d4e3e3b32f3d24f82eb8acb1', status: 'MISMATCH' },
            // Only inside APPD/APPD.zip: hashed there.
            { source: 'APPD/Definition/MainServiceTemplate.yaml', algorithm: 'SHA-256', expected: PLACEHOLDER, actual: '2f6557c3f028d6f88fbec5de4db7b843dc0e26ffd873b94b0bdb044ee7eff8f6', status: 'MISMATCH' },
          ],
        });
        assert.deepEqual(kinds(p), {
          'APPD/APPD.zip': 'APPD',
          'Artifacts/ChangeLog.txt': 'DOC',
          'Artifacts/Deployment/Charts/positioning-service.tgz': 'CHART',
          'Artifacts/Docs/template.md': 'DOC',
          'Artifacts/Informational/user_guide.txt': 'DOC',
          'Artifacts/Other/my_script.csh': 'OTHER',
          'Artifacts/Tests/health check.yaml': 'OTHER',
          'TOSCA-Metadata/TOSCA.meta': 'META',
          'positioning-service.mf': 'MANIFEST',
        });
        assert.equal(p.artifacts.find((x) => x.path === 'APPD/APPD.zip')?.sizeBytes, 2145);
      });

      it('etherpad: unzipped APPD/Definition, unquoted numeric versions stay text, commented-out service list', async () => {
        const p = await reader.parse('etherpad-k8splugin.csar', false);
        assert.equal(p.rootPrefix, '');
        assert.equal(p.serviceTemplate, 'APPD/Definition/MainServiceTemplate.yaml');
        const a = p.appd;
        assert.deepEqual([a.name, a.version, a.provider, a.description, a.type], ['etherpad', '1.0', 'Huawei', '111111111', 'CONTAINER']);
        assert.deepEqual(a.vdus, [
          {
            id: 'logic0',
            name: 'logic0',
            description: 'node logic template',
            swImageName: 'mep-agent:v1.0.1, position_service:1.0',
            numVirtualCpu: 4,
            cpuArchitecture: 'X86',
            virtualMemMb: 4096,
            storageGb: 20,
            minInstances: 1,
            maxInstances: 2,
            initialInstances: 1,
            hasUserData: false,
          },
        ]);
        const conf = a.appConfiguration;
        assert.ok(conf);
        assert.deepEqual(conf.servicesRequired, [], 'every entry is commented out');
        assert.deepEqual(conf.servicesOptional, [{ serName: 'appService2', version: '3.0', requestedPermissions: true }]);
        assert.deepEqual(conf.servicesProduced, [{ serName: 'positioning-service', version: '1.0' }]);
        assert.equal(conf.trafficRules[0]?.dstInterfaces[0]?.dstIpAddress, '0.0.0.0');
        assert.deepEqual(conf.dnsRules, [{ dnsRuleId: 'dnsRule1', domainName: 'positioningservice.org', ipAddressType: 'IP_V4', ipAddress: '0.0.0.0', ttl: 100 }]);
        assert.deepEqual(a.swImages, [
          {
            id: 'a319bd30-a21a-4298-8860-1de0ee3d806a',
            name: 'etherpad:latest',
            version: 'latest',
            checksum: '2',
            containerFormat: 'bare',
            diskFormat: 'raw',
            minDisk: 3,
            minRam: 6,
            architecture: 'X86',
            size: 688390,
            swImage: '119.8.36.45/developer/etherpad:latest',
            operatingSystem: 'linux',
            supportedVirtualisationEnvironment: 'linux',
            otherProperties: [
              { name: 'hw_scsi_model', value: 'virtio-scsi' },
              { name: 'hw_disk_bus', value: 'scsi' },
            ],
          },
        ]);
        assert.deepEqual(a.charts, [{ path: 'Artifacts/Deployment/Charts/etherpad.tgz', name: 'etherpad9da310a0-b3ab-47', version: '1.0', appVersion: '1.0' }]);
        assert.equal(p.manifest.signed, false);
        assert.equal(p.manifest.metadata.appReleaseDateTime, '2021-03-24 16:24');
        assert.deepEqual(
          p.integrity.entries.map((e) => [e.source, e.status, e.actual]),
          [
            ['Artifacts/Deployment/Charts/etherpad.tgz', 'MISMATCH', 'f23fa623f1e4afeb830b48252d4a0a4bd99cef1ce621cc6455cfecd7c4d7b830'],
            ['APPD/Definition/MainServiceTemplate.yaml', 'MISMATCH', '218d51a96232251cfaf9dd0fe9a1bd7724dbc9c102132681917bee88f9a90ea9'],
          ],
        );
        assert.equal(kinds(p)['APPD/TOSCA_VNFD.meta'], 'META');
        assert.equal(kinds(p)['Image/SwImageDesc.json'], 'IMAGE_DESCRIPTOR');
        assert.deepEqual(p.warnings, []);
      });

      it('appo test_posiu: Entry-Definitions names the APPD zip, SwImageDesc with two images', async () => {
        const p = await reader.parse('appo-test-posiu.csar', false);
        assert.equal(p.serviceTemplate, 'APPD/MainServiceTemplate.zip!/Definition/MainServiceTemplate.yaml');
        const a = p.appd;
        assert.deepEqual([a.name, a.version, a.provider, a.description, a.type], ['test_posiu', 'v1.0', 'Huawei', 'aasd', 'CONTAINER']);
        assert.deepEqual(a.appConfiguration, {
          appName: 'test_posiu',
          appSupportMp1: true,
          servicesRequired: [{ serName: 'service-discovery', version: 'v1', requestedPermissions: true }],
          servicesOptional: [],
          servicesProduced: [],
          trafficRules: [],
          dnsRules: [],
        });
        assert.deepEqual(a.swImages.map((i) => [i.name, i.version, i.swImage]), [
          ['positioning_service:1.0', '1.0', '119.8.63.144/developer/positioning_service:1.0'],
          ['mep-agent:latest', 'latest', '119.8.63.144/developer/mep-agent:latest'],
        ]);
        assert.deepEqual(a.charts, [{ path: 'Artifacts/Deployment/Charts/testposiu.tgz', name: 'testposiu6c3c4c77-0b5f-4d', version: '1.0', appVersion: '1.0' }]);
        assert.deepEqual(
          p.integrity.entries.map((e) => [e.source, e.status, e.actual]),
          [
            ['Artifacts/Deployment/Charts/testposiu.tgz', 'MISMATCH', '3c65e59d4d63e339cc6f8072f69899cf1ea3e367159b76d5892583789f3f6ff4'],
            ['APPD/MainServiceTemplate.zip', 'MISMATCH', 'd9aa1f20583d0d3fa3a6af2e12b2cabacd0d5d737efae13f53223e2621d57d43'],
          ],
        );
        assert.deepEqual(p.warnings, []);
      });

      it('face-recognition: one top-level folder, Definitions/, old manifest spellings, VNF identity from node_types', async () => {
        const p = await reader.parse('face-recognition-1.4.csar', false);
        assert.equal(p.rootPrefix, 'face_reconigition_app/');
        assert.equal(p.serviceTemplate, 'face_reconigition_app/Definitions/MainServiceTemplate.yaml');
        const a = p.appd;
        assert.deepEqual(
          [a.name, a.version, a.provider, a.description, a.type, a.vnfdId, a.toscaDefinitionsVersion],
          ['face_recognition1.4', '1.4', 'Huawei', 'the VNFD of Huawei SBC', 'CONTAINER', 'b1bb0ce7-ebca-4fa7-95ed-4840d70a1177', 'tosca_simple_profile_yaml_1_1'],
        );
        assert.deepEqual(a.vdus.map((v) => [v.id, v.name, v.swImageName]), [
          ['logic', 'logic', 'face_recognition_app:v1.4'],
          ['logic1', 'logic', 'postgres:9.6.15'],
          ['logic2', 'logic', 'redis:alpine'],
        ]);
        // `virtual_mem_size: 8096 MB` is a scalar-unit; no local storage on the Vdu itself.
        assert.deepEqual(a.vdus[0], {
          id: 'logic',
          name: 'logic',
          description: 'logic',
          swImageName: 'face_recognition_app:v1.4',
          numVirtualCpu: 2,
          cpuArchitecture: 'x86',
          virtualMemMb: 8096,
          minInstances: 1,
          maxInstances: 4,
          hasUserData: false,
        });
        assert.deepEqual(a.connectionPoints, [{ id: 'logic_cp', virtualBinding: 'logic', virtualLink: 'logic_network' }]);
        assert.deepEqual(a.virtualLinks, [{ id: 'logic_network', networkName: 'LBU_ACCESS', networkType: 'VLAN', physicalNetwork: 'physicalNetwork', segmentationId: '4000' }]);
        assert.deepEqual(a.inputs, []);
        assert.equal(a.appConfiguration, null);
        assert.deepEqual(a.swImages, []);
        assert.deepEqual(a.charts, [{ path: 'Artifacts/Deployment/Charts/face-recognition-1.4.tgz', name: 'face-recognition', version: '1.4', appVersion: '1.4' }]);
        assert.equal(p.manifest.metadata.appReleaseDateTime, '2019-11-29T13:46:00+00:00');
        assert.equal(p.manifest.signed, false);
        // Sources without digests: nothing to verify, said in a warning.
        assert.deepEqual(p.integrity, { policy: 'LENIENT', signed: false, entries: [] });
        assert.ok(p.warnings.some((w) => /^8 manifest Source\(s\) without a digest, not verified/.test(w)), p.warnings.join('\n'));
        assert.equal(kinds(p)['MainServiceTemplate.mf'], 'MANIFEST');
        assert.equal(kinds(p)['Definitions/MainServiceTemplate.yaml'], 'APPD');
        assert.equal(p.artifacts.length, 9);
      });

      it('vm-openstack: one top-level folder, APPD zip, VM with user data, get_input resolved from defaults', async () => {
        const p = await reader.parse('vm-openstack.zip', false);
        assert.equal(p.rootPrefix, 'edgegallery_vm_openstack/');
        assert.equal(p.serviceTemplate, 'edgegallery_vm_openstack/APPD/vmtest.zip!/Definition/vmtest.yaml');
        const a = p.appd;
        assert.deepEqual([a.name, a.version, a.provider, a.description, a.type, a.vnfdId], ['vmtest', 'v1.2', 'Huawei', 'dadad', 'VM', 'vmtest_X86_ubuntu']);
        assert.deepEqual(a.vdus, [
          {
            id: 'EMS_VDU1',
            name: 'eulerforTR6_iso_arm_EMS_VDU1',
            description: 'EMS_VDU1 node',
            swImageName: 'ubuntu-18.04',
            numVirtualCpu: 1,
            cpuArchitecture: 'X86',
            virtualMemMb: 1024,
            storageGb: 40,
            minInstances: 1,
            maxInstances: 1,
            initialInstances: 1,
            hasUserData: true,
          },
        ]);
        assert.deepEqual(a.connectionPoints.map((c) => [c.id, c.vnicName, c.order, c.virtualBinding, c.virtualLink]), [
          ['EMS_VDU1_CP0', 'eth0', 0, 'EMS_VDU1', 'MEC_APP_MP1'],
          ['EMS_VDU1_CP1', 'eth1', 1, 'EMS_VDU1', 'MEC_APP_INTERNET'],
          ['EMS_VDU1_CP2', 'eth2', 2, 'EMS_VDU1', 'MEC_APP_N6'],
        ]);
        assert.deepEqual(a.virtualLinks, [
          { id: 'MEC_APP_MP1', networkName: 'mec_network_mep', networkType: 'vlan', physicalNetwork: 'network_mep_physnet', segmentationId: 'network_mep_vlanid' },
          { id: 'MEC_APP_INTERNET', networkName: 'mec_newwork_internet', networkType: 'vlan', physicalNetwork: 'network_internet_physnet', segmentationId: 'network_internet_vlanid' },
          { id: 'MEC_APP_N6', networkName: 'mec_newwork_n6', networkType: 'vlan', physicalNetwork: 'network_n6_physnet', segmentationId: 'network_n6_vlanid' },
        ]);
        const input = (n: string) => a.inputs.find((i) => i.name === n);
        assert.equal(a.inputs.length, 35);
        assert.deepEqual(input('mep_ip'), { name: 'mep_ip', type: 'string', description: 'mep_ip' }, 'an empty default is no default');
        assert.deepEqual(input('sk'), { name: 'sk', type: 'string', default: '1234', description: 'SK' });
        assert.deepEqual(input('mep_certificate'), { name: 'mep_certificate', type: 'text', default: 'YHXGFTWU!@$%@&%#(DH(122479+_)', description: 'MEP Certificate' });
        const conf = a.appConfiguration;
        assert.ok(conf);
        assert.equal(conf.appName, 'filter01');
        assert.deepEqual(conf.servicesProduced, [{ serName: 'appService3', version: '2.0' }]);
        assert.deepEqual(conf.servicesRequired, []);
        assert.deepEqual(conf.trafficRules[0]?.trafficFilters[0], {
          srcAddress: ['0.0.0.0/0'],
          dstAddress: ['127.0.0.1/28'],
          srcPort: ['0-65535'],
          dstPort: ['0-65535'],
          protocol: ['ANY'],
          tag: ['1234'],
          srcTunnelAddress: ['10.10.10.10'],
          tgtTunnelAddress: ['10.10.10.10'],
          srcTunnelPort: ['8080'],
          dstTunnelPort: ['8080'],
          qCI: 1,
          dSCP: 0,
          tC: 1,
        });
        assert.deepEqual(conf.trafficRules[0]?.dstInterfaces, []);
        assert.deepEqual(conf.dnsRules, [{ dnsRuleId: 'dnsRule1', domainName: 'mec.edgegallery.com', ipAddressType: 'IP_V4', ipAddress: '127.0.0.1', ttl: 100 }]);
        assert.deepEqual(a.swImages, [
          {
            id: '41ec94915fb84ba29226c30ea73a0a58',
            name: 'ubuntu-18.04',
            version: '1.0',
            checksum: '2',
            containerFormat: 'bare',
            diskFormat: 'raw',
            minDisk: 3,
            minRam: 6,
            architecture: 'X86',
            size: 688390,
            swImage: 'http://119.8.63.144:9527/imagemanagement/v1/download?imageId=41ec94915fb84ba29226c30ea73a0a58',
            operatingSystem: 'ubuntu',
            // Written `supportedVirtualizationEnvironment` in this fixture.
            supportedVirtualisationEnvironment: 'linux',
            otherProperties: [
              { name: 'hw_scsi_model', value: 'virtio-scsi' },
              { name: 'hw_disk_bus', value: 'scsi' },
            ],
          },
        ]);
        assert.deepEqual(a.charts, []);
        assert.equal(p.manifest.metadata.appClass, 'vm');
        assert.deepEqual(p.integrity, {
          policy: 'LENIENT',
          signed: true,
          entries: [
            { source: 'APPD/vmtest.zip', algorithm: 'SHA-256', expected: 'f552003881c02e537092e712b11850fc7de642d30fb90e042d59caae979d5633', actual: '58a1630abc987813aa30e35ac8d8b230038aad57dc79f232282fb9fa74fbd12c', status: 'MISMATCH' },
            { source: 'Image/ubuntu_18_04.zip', algorithm: 'SHA-256', expected: '613831deff2792b64d736dbf84aca8fd6b093fb1a4ec2d06ac034f28e59eb84d', actual: null, status: 'ABSENT' },
            { source: 'Image/SwImageDesc.json', algorithm: 'SHA-256', expected: '4a534c9b0a214f50cbf1b61bae010bdde0bcc9982cc36c129cb4fe145735d49d', actual: 'c08a7a46e36c00295a12b2152e4562a1e7f37ca35d5465c1bfa89de6785f7517', status: 'MISMATCH' },
          ],
        });
        // The already-extracted APPD/vmtest/ copy is APPD content; its TOSCA_VNFD.meta is metadata.
        assert.equal(kinds(p)['APPD/vmtest/Definition/vmtest.yaml'], 'APPD');
        assert.equal(kinds(p)['APPD/vmtest/TOSCA_VNFD.meta'], 'META');
        assert.deepEqual(p.warnings, []);
      });

      it('strict integrity refuses every fixture (placeholder digests, a missing image, sources without digests)', async () => {
        for (const f of fs.readdirSync(FIXTURES)) await rejectsInvalid(reader.parse(f, true), /integrity check failed/);
        await rejectsInvalid(reader.parse('vm-openstack.zip', true), /APPD\/vmtest\.zip: SHA-256 mismatch; Image\/ubuntu_18_04\.zip is not in the package/);
        await rejectsInvalid(reader.parse('face-recognition-1.4.csar', true), /8 manifest Source\(s\) without a digest/);
      });
    });
  }
});

// ----------------------------------------------------------------------------------------------------------------
// Packages built in the test
// ----------------------------------------------------------------------------------------------------------------

const TEMPLATE = `tosca_definitions_version: tosca_simple_profile_yaml_1_2
metadata:
  vnfd_id: demo-vnfd
  vnfd_name: demo-app
  vnfd_version: '0.1'
topology_template:
  inputs:
    net: {type: string, default: net-a}
    vlan: {type: string}
  node_templates:
    vm1:
      type: tosca.nodes.nfv.Vdu.Compute
      properties: {name: vm1, sw_image_data: {name: img1}, vdu_profile: {min_number_of_instances: 1}}
      capabilities:
        virtual_compute:
          properties: {virtual_memory: {virtual_mem_size: 2 GB}, virtual_cpu: {num_virtual_cpu: 2}}
    vl1:
      type: tosca.nodes.nfv.VnfVirtualLink
      properties: {vl_profile: {network_name: {get_input: net}, provider_segmentation_id: {get_input: vlan}}}
`;
const SW_IMAGES = JSON.stringify([{ name: 'img1', diskFormat: 'qcow2', minDisk: 10 }]);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const manifest = (sources = '') => `metadata:\napp_product_name: demo\napp_provider_id: acme\napp_package_version: 1.10\napp_class: vm\n\n${sources}`;
const toscaMeta = (entry: string) => `TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By: test\nEntry-Definitions: ${entry}\n`;

/** A small VM package; `changes` replaces entries, `null` removes one. */
function pkg(changes: Record<string, string | Buffer | null> = {}): MemoryFiles {
  const entries: Record<string, string | Buffer | null> = {
    'TOSCA-Metadata/TOSCA.meta': toscaMeta('Definitions/main.yaml'),
    'demo.mf': manifest(),
    'Definitions/main.yaml': TEMPLATE,
    'Image/SwImageDesc.json': SW_IMAGES,
    ...changes,
  };
  return new MemoryFiles(Object.fromEntries(Object.entries(entries).filter((e): e is [string, string | Buffer] => e[1] !== null)));
}

const parse = (files: PackageFiles, strictIntegrity = false, deps: CsarParserDeps = memoryDeps) => parseCsar(files, deps, { limits, strictIntegrity });

describe('packages built in the test', () => {
  it('a minimal VM package parses; version text is kept, sizes converted, unresolved inputs become ${name}', async () => {
    const p = await parse(pkg());
    assert.equal(p.appd.type, 'VM');
    assert.equal(p.appd.version, '1.10');
    assert.equal(p.appd.vnfdId, 'demo-vnfd');
    assert.deepEqual(p.appd.vdus, [{ id: 'vm1', name: 'vm1', swImageName: 'img1', numVirtualCpu: 2, virtualMemMb: 2048, minInstances: 1, hasUserData: false }]);
    assert.deepEqual(p.appd.virtualLinks, [{ id: 'vl1', networkName: 'net-a', segmentationId: '${vlan}' }]);
    assert.deepEqual(p.appd.swImages, [{ name: 'img1', diskFormat: 'qcow2', minDisk: 10, otherProperties: [] }]);
    assert.deepEqual(p.warnings, []);
  });

  it('digests: VERIFIED, MISMATCH, ABSENT, and an unsupported algorithm recorded as MISMATCH without actual', async () => {
    const sources = [
      `Source: Definitions/main.yaml\nAlgorithm: SHA-256\nHash: ${sha(TEMPLATE).toUpperCase()}\n`,
      `Source: Image/SwImageDesc.json\nAlgorithm: SHA-256\nHash: ${sha('something else')}\n`,
      `Source: Image/disk.qcow2\nAlgorithm: SHA-256\nHash: ${sha('x')}\n`,
      `Source: TOSCA-Metadata/TOSCA.meta\nAlgorithm: MD5\nHash: 0123\n`,
    ].join('\n');
    const p = await parse(pkg({ 'demo.mf': manifest(sources) }));
    assert.deepEqual(
      p.integrity.entries.map((e) => [e.source, e.algorithm, e.status, e.actual]),
      [
        ['Definitions/main.yaml', 'SHA-256', 'VERIFIED', sha(TEMPLATE)],
        ['Image/SwImageDesc.json', 'SHA-256', 'MISMATCH', sha(SW_IMAGES)],
        ['Image/disk.qcow2', 'SHA-256', 'ABSENT', null],
        ['TOSCA-Metadata/TOSCA.meta', 'MD5', 'MISMATCH', null],
      ],
    );
    assert.equal(p.integrity.policy, 'LENIENT');
    await rejectsInvalid(parse(pkg({ 'demo.mf': manifest(sources) }), true), /SHA-256 mismatch; Image\/disk\.qcow2 is not in the package; TOSCA-Metadata\/TOSCA\.meta: unsupported digest algorithm "MD5"/);
  });

  it('strict integrity accepts a package whose every digest verifies', async () => {
    const sources = `Source: Definitions/main.yaml\nAlgorithm: SHA-256\nHash: ${sha(TEMPLATE)}\n\nSource: Image/SwImageDesc.json\nAlgorithm: SHA-256\nHash: ${sha(SW_IMAGES)}\n`;
    const p = await parse(pkg({ 'demo.mf': manifest(sources) }), true);
    assert.equal(p.integrity.policy, 'STRICT');
    assert.deepEqual(p.integrity.entries.map((e) => e.status), ['VERIFIED', 'VERIFIED']);
  });

  it('a missing manifest is a warning in lenient mode and refused in strict mode', async () => {
    const p = await parse(pkg({ 'demo.mf': null }));
    assert.ok(p.warnings.includes('no manifest (*.mf) at the package root'));
    assert.deepEqual([p.appd.name, p.appd.version, p.appd.provider, p.appd.type], ['demo-app', '0.1', '', 'VM'], 'identity from the template');
    assert.deepEqual(p.manifest, { metadata: { all: {} }, signed: false });
    await rejectsInvalid(parse(pkg({ 'demo.mf': null }), true), /no manifest \(\*\.mf\) at the package root/);
  });

  it('no service template anywhere', async () => {
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': null, 'Definitions/main.yaml': null })), /^no service template found \(TOSCA\.meta Entry-Definitions, APPD\/, Definitions\/\)$/);
  });

  it('Entry-Definitions pointing nowhere, or out of the package', async () => {
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('Definitions/missing.yaml') })), /^TOSCA-Metadata\/TOSCA\.meta: Entry-Definitions points to Definitions\/missing\.yaml which is not in the package$/);
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('APPD/missing.zip') })), /Entry-Definitions points to APPD\/missing\.zip which is not in the package/);
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('../main.yaml') })), /leaves the package/);
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('Definitions/main.json') })), /neither a service template \(\.yaml\) nor an APPD archive \(\.zip\)/);
  });

  it('without TOSCA.meta the template is found under Definitions/, with a warning', async () => {
    const p = await parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': null }));
    assert.equal(p.serviceTemplate, 'Definitions/main.yaml');
    assert.match(p.warnings.join('\n'), /no TOSCA-Metadata\/TOSCA\.meta; the service template was looked for under APPD\/ and Definitions\//);
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': null, 'Definitions/other.yaml': 'a: b' })), /several service templates under Definitions\/ \(Definitions\/main\.yaml, Definitions\/other\.yaml\)/);
  });

  it('a service template that is not a mapping, or has no topology_template', async () => {
    await rejectsInvalid(parse(pkg({ 'Definitions/main.yaml': '- just\n- a list\n' })), /^Definitions\/main\.yaml: expected a YAML mapping at the top, found a sequence$/);
    await rejectsInvalid(parse(pkg({ 'Definitions/main.yaml': 'tosca_definitions_version: x\n' })), /^Definitions\/main\.yaml: service template has no topology_template$/);
    await rejectsInvalid(parse(pkg({ 'Definitions/main.yaml': 'topology_template:\n  inputs: {}\n' })), /topology_template has no node_templates/);
    await rejectsInvalid(parse(pkg({ 'Definitions/main.yaml': 'a: [unclosed\n' })), /invalid YAML/);
  });

  it('SwImageDesc.json must be an array of named objects', async () => {
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': '{"name": "img1"}' })), /^Image\/SwImageDesc\.json: must be a JSON array of image descriptors$/);
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': '[{"name": "img1"' })), /Image\/SwImageDesc\.json: not valid JSON/);
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': '[{"diskFormat": "qcow2"}]' })), /Image\/SwImageDesc\.json\[0\]: has no name/);
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': '["img1"]' })), /Image\/SwImageDesc\.json\[0\]: is not an object/);
  });

  it('SwImageDesc.json over the descriptor cap is refused', async () => {
    const big = `[${Array.from({ length: 200 }, () => SW_IMAGES.slice(1, -1)).join(',')}]`;
    await rejectsInvalid(parseCsar(pkg({ 'Image/SwImageDesc.json': big }), memoryDeps, { limits: { ...limits, maxDescriptorBytes: 1000 }, strictIntegrity: false }), /over the 1000 allowed/);
  });

  it('nothing to deploy: no chart and no SwImageDesc', async () => {
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': null })), /^nothing to deploy: no Helm chart under Artifacts\/Deployment\/Charts and no Image\/SwImageDesc\.json$/);
    // Container images only (no VM disk format) and no chart: still nothing to deploy.
    await rejectsInvalid(parse(pkg({ 'Image/SwImageDesc.json': '[{"name": "nginx:1"}]' })), /nothing to deploy: .*describes no VM image/);
  });

  it('a nested APPD zip inside a single top folder, with TOSCA_VNFD.meta', async () => {
    const appd = await zipBuffer({
      'TOSCA_VNFD.meta': 'VNFD-Meta-File-Version: 1.0\nEntry-Definitions: Definition/app.yaml\n',
      'Definition/app.yaml': TEMPLATE,
      'Definition/types.yaml': 'node_types: {}\n',
    });
    const files = new MemoryFiles({
      'pkg/TOSCA-Metadata/TOSCA.meta': toscaMeta('APPD/app.zip'),
      'pkg/demo.mf': manifest(`Source: APPD/Definition/app.yaml\nAlgorithm: SHA-256\nHash: ${sha(TEMPLATE)}\n`),
      'pkg/APPD/app.zip': appd,
      'pkg/Image/SwImageDesc.json': SW_IMAGES,
    });
    for (const deps of [memoryDeps, realDeps]) {
      const p = await parse(files, false, deps);
      assert.equal(p.rootPrefix, 'pkg/');
      assert.equal(p.serviceTemplate, 'pkg/APPD/app.zip!/Definition/app.yaml');
      assert.deepEqual(p.integrity.entries.map((e) => [e.source, e.status]), [['APPD/Definition/app.yaml', 'VERIFIED']], 'checked inside the APPD zip');
      assert.deepEqual(kinds(p), { 'TOSCA-Metadata/TOSCA.meta': 'META', 'demo.mf': 'MANIFEST', 'APPD/app.zip': 'APPD', 'Image/SwImageDesc.json': 'IMAGE_DESCRIPTOR' });
    }
  });

  it('an APPD zip whose TOSCA_VNFD.meta points nowhere, or that holds no template', async () => {
    const broken = await zipBuffer({ 'TOSCA_VNFD.meta': 'Entry-Definitions: Definition/nope.yaml\n', 'Definition/app.yaml': TEMPLATE });
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('APPD/app.zip'), 'APPD/app.zip': broken })), /^APPD\/app\.zip!\/TOSCA_VNFD\.meta: Entry-Definitions points to Definition\/nope\.yaml which is not in APPD\/app\.zip$/);
    const empty = await zipBuffer({ 'README.txt': 'nothing here' });
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('APPD/app.zip'), 'APPD/app.zip': empty })), /^APPD\/app\.zip: holds no service template/);
    // Not a zip at all: the real reader's error, prefixed with the entry.
    await rejectsInvalid(parse(pkg({ 'TOSCA-Metadata/TOSCA.meta': toscaMeta('APPD/app.zip'), 'APPD/app.zip': 'not a zip' }), false, realDeps), /APPD\/app\.zip/);
  });

  it('a broken chart is refused naming the chart entry', async () => {
    await rejectsInvalid(parse(pkg({ 'Artifacts/Deployment/Charts/bad.tgz': 'not gzip' }), false, realDeps), /Artifacts\/Deployment\/Charts\/bad\.tgz.*not a gzip-compressed tar archive/);
  });

  it('a chart makes a package CONTAINER unless the manifest says app_class vm', async () => {
    const chart = fs.readFileSync(path.join(FIXTURES, 'positioning-service.csar'));
    const chartTgz = await (await unzipToMemory(chart)).read('Artifacts/Deployment/Charts/positioning-service.tgz', 1 << 20);
    const containerManifest = manifest().replace('app_class: vm', 'app_class: container');
    const c = await parse(pkg({ 'demo.mf': containerManifest, 'Artifacts/Deployment/Charts/positioning-service.tgz': chartTgz }));
    assert.equal(c.appd.type, 'CONTAINER');
    assert.equal(c.artifacts.find((a) => a.path.endsWith('.tgz'))?.kind, 'CHART');
    const v = await parse(pkg({ 'Artifacts/Deployment/Charts/positioning-service.tgz': chartTgz }));
    assert.equal(v.appd.type, 'VM');
    assert.ok(v.warnings.includes('the manifest says app_class vm: the Helm chart is not used'));
  });

  it('an empty package', async () => {
    await rejectsInvalid(parse(new MemoryFiles({})), /^the package is empty$/);
  });
});
