import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeletePackage, PackageDetail, Packages, SetPackageOperationalState } from '../operations/packages.js';
import { fixture, storeFiles, uploadPackage } from '../helpers/package-client.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const rows = async (id: string) => sql<{ id: string; storage_key: string | null }>(t.db.url, 'select id, storage_key from app_package where id = $1', [id]);

before(async () => {
  t = await startTestServer('packages');
});
after(() => t.close());

/** Uploads a fixture as tenant A and reads the whole package back through GraphQL. */
async function onboard(name: string, fields: Record<string, string> = {}) {
  const up = await uploadPackage(t, fixture(name), { fields });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.state, 'ONBOARDED');
  assert.equal(up.body.sha256, sha256(fixture(name)));
  assert.equal(up.body.sizeBytes, fs.statSync(fixture(name)).size);
  const r = await t.gql(PackageDetail, { id: up.body.packageId as string }, t.tokens.tenantA);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const pkg = r.data!.package;
  assert.equal(pkg.onboardingState, 'ONBOARDED');
  assert.equal(pkg.tenantId, t.tenants.A);
  assert.equal(pkg.receivedBytes, pkg.sizeBytes);
  assert.equal(pkg.operationalState, 'ENABLED');
  assert.equal(pkg.usageState, 'NOT_IN_USE');
  assert.deepEqual(pkg.distributions, []);
  assert.ok(pkg.appd);
  assert.equal(pkg.name, pkg.appd.name);
  assert.equal(pkg.packageVersion, pkg.appd.version);
  assert.equal(pkg.type, pkg.appd.type);
  return pkg;
}

describe('every fixture onboards through the upload endpoint and reads back typed', () => {
  it('positioning-service: APPD zip at the root, full app configuration, signed manifest with placeholder digests', async () => {
    const p = await onboard('positioning-service.csar');
    const a = p.appd!;
    assert.deepEqual([a.name, a.version, a.provider, a.type], ['positioning-serviceTest2', '2.0', 'EdgeGallery', 'CONTAINER']);
    assert.deepEqual(a.vdus.map((v) => [v.id, v.numVirtualCpu, v.virtualMemMb, v.storageGb]), [['logic0', 4, 4096, 20], ['logic1', 4, 4096, 20]]);
    assert.equal(a.vdus[1]!.swImageName, 'swr.ap-southeast-1.myhuaweicloud.com/edgegallery/positioning_service:1.0');
    assert.deepEqual(a.virtualLinks, [{ id: 'MEC_APP_VL0', networkName: 'fst01_OM_Plane', networkType: 'vlan', physicalNetwork: 'physnet1', segmentationId: '1001' }]);
    assert.ok(a.connectionPoints.length > 0 && a.connectionPoints.every((c) => c.virtualLink === 'MEC_APP_VL0'));
    assert.deepEqual(a.inputs.find((i) => i.name === 'network1_vlanid'), { name: 'network1_vlanid', type: 'string', default: '1001', description: 'network1_vlanid' });
    const conf = a.appConfiguration!;
    assert.equal(conf.appName, 'positioning-service');
    assert.equal(conf.appSupportMp1, true);
    assert.deepEqual(conf.servicesRequired.map((s) => s.serName), ['test']);
    assert.deepEqual(conf.trafficRules.map((r) => r.trafficRuleId), ['trafficRule1']);
    assert.deepEqual(conf.dnsRules.map((r) => r.dnsRuleId), ['dnsRule1']);
    assert.deepEqual(a.charts, [{ path: 'Artifacts/Deployment/Charts/positioning-service.tgz', name: 'positioning-service', version: '1.0', appVersion: '1.0' }]);
    assert.deepEqual(a.swImages, []);
    assert.equal(p.integrity!.policy, 'LENIENT');
    assert.equal(p.integrity!.signed, true);
    assert.equal(p.integrity!.mismatched, p.integrity!.entries.length, 'EdgeGallery placeholder digests never match, and lenient mode records it');
    assert.ok(p.integrity!.entries.every((e) => e.status === 'MISMATCH' && e.algorithm === 'SHA-256' && /^[0-9a-f]{64}$/.test(e.actual ?? '')));
    assert.equal(p.artifacts.find((x) => x.path === 'APPD/APPD.zip')?.kind, 'APPD');
    assert.equal(p.artifacts.find((x) => x.path === 'APPD/APPD.zip')?.sizeBytes, 2145);
  });

  it('etherpad: unzipped APPD folder, SwImageDesc, version text kept', async () => {
    const p = await onboard('etherpad-k8splugin.csar');
    const a = p.appd!;
    assert.deepEqual([a.name, a.version, a.provider, a.description, a.type], ['etherpad', '1.0', 'Huawei', '111111111', 'CONTAINER']);
    assert.deepEqual(a.appConfiguration!.servicesOptional, [{ serName: 'appService2', version: '3.0', requestedPermissions: true }]);
    assert.deepEqual(a.appConfiguration!.servicesProduced, [{ serName: 'positioning-service', version: '1.0', requestedPermissions: null }]);
    assert.deepEqual(a.appConfiguration!.dnsRules, [{ dnsRuleId: 'dnsRule1', domainName: 'positioningservice.org', ipAddressType: 'IP_V4', ipAddress: '0.0.0.0', ttl: 100 }]);
    assert.equal(a.appConfiguration!.trafficRules[0]!.dstInterfaces[0]!.dstIpAddress, '0.0.0.0');
    assert.deepEqual(a.swImages.map((i) => i.name), ['etherpad:latest']);
    assert.deepEqual(a.charts.map((c) => c.name), ['etherpad9da310a0-b3ab-47']);
    assert.equal(p.artifacts.find((x) => x.path === 'APPD/Definition/MainServiceTemplate.yaml')?.kind, 'APPD');
    assert.equal(p.artifacts.find((x) => x.path === 'Image/SwImageDesc.json')?.kind, 'IMAGE_DESCRIPTOR');
  });

  it('appo test_posiu: Entry-Definitions names the APPD zip; two software images', async () => {
    const p = await onboard('appo-test-posiu.csar');
    const a = p.appd!;
    assert.deepEqual([a.name, a.version, a.provider, a.description], ['test_posiu', 'v1.0', 'Huawei', 'aasd']);
    assert.deepEqual(a.swImages.map((i) => i.name), ['positioning_service:1.0', 'mep-agent:latest']);
    assert.deepEqual(a.appConfiguration!.servicesRequired.map((s) => s.serName), ['service-discovery']);
    assert.deepEqual(a.charts.map((c) => [c.path, c.name, c.version]), [['Artifacts/Deployment/Charts/testposiu.tgz', 'testposiu6c3c4c77-0b5f-4d', '1.0']]);
    assert.equal(p.integrity!.mismatched, 2);
  });

  it('face-recognition 1.4: one top-level folder, Definitions/, three VDUs, no app configuration', async () => {
    const p = await onboard('face-recognition-1.4.csar');
    const a = p.appd!;
    assert.equal(a.name, 'face_recognition1.4');
    assert.equal(a.version, '1.4');
    assert.deepEqual(a.vdus.map((v) => [v.id, v.name, v.swImageName, v.numVirtualCpu, v.virtualMemMb]), [
      ['logic', 'logic', 'face_recognition_app:v1.4', 2, 8096],
      ['logic1', 'logic', 'postgres:9.6.15', 2, 8096],
      ['logic2', 'logic', 'redis:alpine', 2, 8096],
    ]);
    assert.deepEqual(a.connectionPoints, [{ id: 'logic_cp', vnicName: null, order: null, vnicType: null, portSecurityEnabled: null, virtualBinding: 'logic', virtualLink: 'logic_network' }]);
    assert.equal(a.virtualLinks[0]!.segmentationId, '4000');
    assert.equal(a.appConfiguration, null);
    assert.deepEqual(a.charts.map((c) => [c.name, c.version]), [['face-recognition', '1.4']]);
    assert.deepEqual(p.integrity, { policy: 'LENIENT', signed: false, verified: 0, mismatched: 0, absent: 0, entries: [] });
    assert.equal(p.artifacts.length, 9);
    assert.equal(p.artifacts.find((x) => x.path === 'MainServiceTemplate.mf')?.kind, 'MANIFEST');
  });

  it('vm-openstack: a VM app with user data, networks and an image descriptor; no chart', async () => {
    const p = await onboard('vm-openstack.zip');
    const a = p.appd!;
    assert.deepEqual([a.name, a.version, a.type, a.vnfdId], ['vmtest', 'v1.2', 'VM', 'vmtest_X86_ubuntu']);
    assert.equal(p.type, 'VM');
    assert.deepEqual(a.vdus.map((v) => [v.id, v.numVirtualCpu, v.virtualMemMb, v.storageGb, v.swImageName, v.hasUserData]), [['EMS_VDU1', 1, 1024, 40, 'ubuntu-18.04', true]]);
    assert.ok(a.connectionPoints.length >= 3 && a.connectionPoints.every((c) => c.virtualBinding === 'EMS_VDU1'));
    assert.ok(a.virtualLinks.length >= 3);
    assert.equal(a.inputs.length, 35);
    assert.deepEqual(a.inputs.find((i) => i.name === 'sk'), { name: 'sk', type: 'string', default: '1234', description: 'SK' });
    assert.equal(a.appConfiguration!.appName, 'filter01');
    assert.deepEqual(a.swImages.map((i) => [i.name, i.diskFormat]), [['ubuntu-18.04', 'raw']]);
    assert.deepEqual(a.charts, []);
    assert.ok(p.artifacts.some((x) => x.path === 'APPD/vmtest/Definition/vmtest.yaml' && x.kind === 'APPD'));
  });

  it('stores each package once, under a name of its own, with no temp files left', async () => {
    const files = storeFiles(t);
    const keys = await sql<{ storage_key: string }>(t.db.url, `select storage_key from app_package where onboarding_state = 'ONBOARDED'`);
    assert.deepEqual(files.packages.sort(), keys.map((k) => `${k.storage_key}.csar`).sort());
    assert.ok(files.packages.every((f) => /^[0-9a-f]{32}\.csar$/.test(f)), 'never named from client input');
    assert.deepEqual(files.tmp, []);
  });
});

describe('client-chosen ids and idempotency', () => {
  it('the same packageId with the same bytes answers the existing package; other bytes are a CONFLICT', async () => {
    const fields = { packageId: 'pos-svc-1', appId: 'app-pos-1', origin: 'MEPM' };
    const first = await uploadPackage(t, fixture('positioning-service.csar'), { fields });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.deepEqual([first.body.packageId, first.body.appId], ['pos-svc-1', 'app-pos-1']);
    const again = await uploadPackage(t, fixture('positioning-service.csar'), { fields });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    const before = storeFiles(t).packages.length;
    const other = await uploadPackage(t, fixture('etherpad-k8splugin.csar'), { fields });
    assert.equal(other.status, 409);
    assert.equal(other.body.error?.code, 'CONFLICT');
    assert.match(other.body.error.message, /pos-svc-1 already holds different content/);
    assert.equal(storeFiles(t).packages.length, before, 'the refused upload left no file');
    assert.deepEqual(storeFiles(t).tmp, []);
    const r = await t.gql(PackageDetail, { id: 'pos-svc-1' }, t.tokens.tenantA);
    assert.equal(r.data?.package.name, 'positioning-serviceTest2', 'the original content stays');
    assert.equal(r.data?.package.origin, 'MEPM');
  });

  it('another tenant cannot take or probe an id in use', async () => {
    const r = await uploadPackage(t, fixture('positioning-service.csar'), { token: t.tokens.tenantB, tenantId: t.tenants.B, fields: { packageId: 'pos-svc-1' } });
    assert.equal(r.status, 409);
    assert.equal(r.body.error?.code, 'CONFLICT');
    assert.equal((await t.gql(PackageDetail, { id: 'pos-svc-1' }, t.tokens.tenantB)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('bad ids and fields are refused before anything is stored', async () => {
    for (const [fields, field] of [
      [{ packageId: '../../etc/passwd' }, 'packageId'],
      [{ packageId: 'x'.repeat(65) }, 'packageId'],
      [{ appId: 'a'.repeat(33) }, 'appId'],
      [{ origin: 'evil\u0000' }, 'origin'],
    ] as const) {
      const r = await uploadPackage(t, fixture('positioning-service.csar'), { fields });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error?.code, 'BAD_USER_INPUT');
      assert.equal(r.body.error?.field, field);
    }
    assert.deepEqual(storeFiles(t).tmp, []);
  });

  it('fields sent after the file part, a second file, a wrong field name or no file are refused', async () => {
    const blob = await fs.openAsBlob(fixture('positioning-service.csar'));
    const send = async (build: (f: FormData) => void) => {
      const form = new FormData();
      build(form);
      const res = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/packages`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}` }, body: form });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    };
    const late = await send((f) => {
      f.append('package', blob, 'a.csar');
      f.append('packageId', 'late-id');
    });
    assert.equal(late.status, 400);
    assert.match(late.body.error.message, /packageId must come before the package file part/);
    const two = await send((f) => {
      f.append('package', blob, 'a.csar');
      f.append('package', blob, 'b.csar');
    });
    assert.equal(two.status, 400);
    assert.match(two.body.error.message, /only one package file/);
    const wrong = await send((f) => f.append('upload', blob, 'a.csar'));
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error.message, /unexpected file field upload/);
    const none = await send((f) => f.append('appId', 'x'));
    assert.equal(none.status, 400);
    assert.match(none.body.error.message, /no package file part/);
    const json = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/packages`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.tenantA}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'BAD_USER_INPUT');
    assert.equal((await sql(t.db.url, `select 1 from app_package where id = 'late-id'`)).length, 0);
    assert.deepEqual(storeFiles(t).tmp, []);
  });
});

describe('who may upload and read', () => {
  it('no token is UNAUTHENTICATED, a guest is FORBIDDEN, another tenant’s path is FORBIDDEN', async () => {
    const anon = await uploadPackage(t, fixture('positioning-service.csar'), { token: null });
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error?.code, 'UNAUTHENTICATED');
    const guest = await uploadPackage(t, fixture('positioning-service.csar'), { token: t.tokens.guestA });
    assert.equal(guest.status, 403);
    assert.equal(guest.body.error?.code, 'FORBIDDEN');
    const foreign = await uploadPackage(t, fixture('positioning-service.csar'), { token: t.tokens.tenantB, tenantId: t.tenants.A });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error?.code, 'FORBIDDEN');
  });

  it('an admin uploads into a tenant; the tenant sees it, the other tenant does not', async () => {
    const up = await uploadPackage(t, fixture('face-recognition-1.4.csar'), { token: t.tokens.admin, tenantId: t.tenants.B, fields: { packageId: 'admin-for-b' } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.tenantId, t.tenants.B);
    assert.equal((await t.gql(PackageDetail, { id: 'admin-for-b' }, t.tokens.tenantB)).data?.package.tenantId, t.tenants.B);
    assert.equal((await t.gql(PackageDetail, { id: 'admin-for-b' }, t.tokens.tenantA)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const listA = await t.gql(Packages, { first: 100 }, t.tokens.tenantA);
    assert.ok(listA.data!.packages.edges.every((e) => e.node.tenantId === t.tenants.A));
    const listAdmin = await t.gql(Packages, { first: 100 }, t.tokens.admin);
    assert.ok(listAdmin.data!.packages.edges.some((e) => e.node.tenantId === t.tenants.B));
    assert.ok(listAdmin.data!.packages.edges.some((e) => e.node.tenantId === t.tenants.A));
  });
});

describe('queries', () => {
  it('filters by name, type and state, and pages with cursors', async () => {
    const vm = await t.gql(Packages, { first: 50, filter: { type: 'VM' } }, t.tokens.tenantA);
    assert.ok(vm.data!.packages.totalCount >= 1);
    assert.ok(vm.data!.packages.edges.every((e) => e.node.type === 'VM'));
    const byName = await t.gql(Packages, { first: 50, filter: { nameContains: 'ETHER' } }, t.tokens.tenantA);
    assert.deepEqual(byName.data!.packages.edges.map((e) => e.node.name), ['etherpad']);
    const wildcard = await t.gql(Packages, { first: 50, filter: { nameContains: '%' } }, t.tokens.tenantA);
    assert.equal(wildcard.data!.packages.totalCount, 0, '% is a character, not a wildcard');
    const all = await t.gql(Packages, { first: 100, filter: { onboardingState: 'ONBOARDED' } }, t.tokens.tenantA);
    assert.equal(all.errors, undefined, JSON.stringify(all.errors));
    const total = all.data!.packages.totalCount;
    assert.ok(total >= 6);
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await t.gql(Packages, { first: 2, after, filter: { onboardingState: 'ONBOARDED' } }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      seen.push(...r.data!.packages.edges.map((e) => e.node.id));
      if (!r.data!.packages.pageInfo.hasNextPage) break;
      after = r.data!.packages.pageInfo.endCursor;
    }
    assert.deepEqual(seen, all.data!.packages.edges.map((e) => e.node.id));
    assert.equal(seen.length, total);
    const bad = await t.gql(Packages, { first: 2, after: 'not-a-cursor' }, t.tokens.tenantA);
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('download with Range', () => {
  let id: string;
  let file: Buffer;
  before(async () => {
    const up = await uploadPackage(t, fixture('vm-openstack.zip'), { fields: { packageId: 'dl-vm' } });
    assert.equal(up.status, 201);
    id = 'dl-vm';
    file = fs.readFileSync(fixture('vm-openstack.zip'));
  });
  const url = () => `${t.url}/api/v1/tenants/${t.tenants.A}/packages/${id}/content`;
  const auth = () => ({ authorization: `Bearer ${t.tokens.tenantA}` });

  it('serves the stored bytes with a strong ETag and Accept-Ranges', async () => {
    const res = await fetch(url(), { headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('etag'), `"${createHash('sha256').update(file).digest('hex')}"`);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(file));
  });

  it('resumes an interrupted download from an offset, honours If-Range, and answers 416 past the end', async () => {
    const first = await fetch(url(), { headers: { ...auth(), range: 'bytes=0-999' } });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-999/${file.length}`);
    const head = Buffer.from(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    const rest = await fetch(url(), { headers: { ...auth(), range: 'bytes=1000-', 'if-range': etag } });
    assert.equal(rest.status, 206);
    assert.ok(Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]).equals(file), 'the two parts make the file');
    const stale = await fetch(url(), { headers: { ...auth(), range: 'bytes=1000-', 'if-range': '"other"' } });
    assert.equal(stale.status, 200, 'a changed validator sends the whole file');
    await stale.arrayBuffer();
    const past = await fetch(url(), { headers: { ...auth(), range: `bytes=${file.length + 10}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${file.length}`);
    assert.equal(((await past.json()) as { error: { field: string } }).error.field, 'range');
  });

  it('is NOT_FOUND for another tenant, unknown ids and traversal attempts; UNAUTHENTICATED without a token', async () => {
    const other = await fetch(url(), { headers: { authorization: `Bearer ${t.tokens.tenantB}` } });
    assert.equal(other.status, 403, 'tenant B may not use tenant A’s path');
    const viaOwnPath = await fetch(`${t.url}/api/v1/tenants/${t.tenants.B}/packages/${id}/content`, { headers: { authorization: `Bearer ${t.tokens.tenantB}` } });
    assert.equal(viaOwnPath.status, 404);
    for (const bad of ['nope', '..%2f..%2fetc%2fpasswd', '%2e%2e']) {
      const r = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/packages/${bad}/content`, { headers: auth() });
      assert.equal(r.status, 404, bad);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    }
    const anon = await fetch(url());
    assert.equal(anon.status, 401);
    const guest = await fetch(url(), { headers: { authorization: `Bearer ${t.tokens.guestA}` } });
    assert.equal(guest.status, 200, 'guests read');
    await guest.arrayBuffer();
  });
});

describe('enable, disable and delete', () => {
  it('disables and re-enables a package with optimistic versions; guests cannot', async () => {
    const up = await uploadPackage(t, fixture('etherpad-k8splugin.csar'), { fields: { packageId: 'toggle-me' } });
    assert.equal(up.status, 201);
    const v0 = (await t.gql(PackageDetail, { id: 'toggle-me' }, t.tokens.tenantA)).data!.package.rowVersion;
    const off = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'DISABLED', expectedVersion: v0 }, t.tokens.tenantA);
    assert.equal(off.errors, undefined, JSON.stringify(off.errors));
    assert.equal(off.data!.setPackageOperationalState.operationalState, 'DISABLED');
    const v = off.data!.setPackageOperationalState.rowVersion;
    assert.equal(off.data!.setPackageOperationalState.rowVersion, v0 + 1);
    const stale = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'ENABLED', expectedVersion: v0 }, t.tokens.tenantA);
    assert.equal(stale.errors?.[0]?.extensions?.code, 'CONFLICT');
    const guest = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'ENABLED' }, t.tokens.guestA);
    assert.equal(guest.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const other = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'ENABLED' }, t.tokens.tenantB);
    assert.equal(other.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const on = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'ENABLED', expectedVersion: v, key: 'enable-once' }, t.tokens.tenantA);
    assert.equal(on.data!.setPackageOperationalState.operationalState, 'ENABLED');
    const replay = await t.gql(SetPackageOperationalState, { id: 'toggle-me', state: 'ENABLED', expectedVersion: v, key: 'enable-once' }, t.tokens.tenantA);
    assert.deepEqual(replay.data, on.data, 'the same idempotency key answers the first result');
  });

  it('deleting removes the row and the file; refused with CONFLICT while a host holds it or an instance uses it', async () => {
    const up = await uploadPackage(t, fixture('appo-test-posiu.csar'), { fields: { packageId: 'delete-me' } });
    assert.equal(up.status, 201);
    const [row] = await rows('delete-me');
    const stored = path.join(t.dataDir, 'packages', `${row!.storage_key!}.csar`);
    assert.ok(fs.existsSync(stored));

    const [host] = await sql<{ id: string }>(t.db.url, `insert into mec_host (id, tenant_id, ip, name, vim, origin, config_status, hw_capabilities) values (gen_random_uuid(), $1, '10.9.9.9', 'edge-del', 'k8s', 'MEO', 'NOT_UPLOADED', '[]') returning id`, [t.tenants.A]);
    await sql(t.db.url, `insert into package_distribution (id, package_id, host_id, tenant_id, state) values (gen_random_uuid(), 'delete-me', $1, $2, 'DISTRIBUTED')`, [host!.id, t.tenants.A]);
    const held = await t.gql(DeletePackage, { id: 'delete-me' }, t.tokens.tenantA);
    assert.equal(held.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.match(held.errors[0].message, /on 1 host\(s\)/);
    const detail = await t.gql(PackageDetail, { id: 'delete-me' }, t.tokens.tenantA);
    assert.deepEqual(detail.data!.package.distributions.map((d) => d.state), ['DISTRIBUTED']);
    await sql(t.db.url, `delete from package_distribution where package_id = 'delete-me'`);

    await sql(t.db.url, `insert into app_instance (id, tenant_id, package_id, host_id, name) values (gen_random_uuid(), $1, 'delete-me', $2, 'demo')`, [t.tenants.A, host!.id]);
    const used = await t.gql(DeletePackage, { id: 'delete-me' }, t.tokens.tenantA);
    assert.equal(used.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.match(used.errors[0].message, /1 app instance\(s\) use it/);
    assert.ok(fs.existsSync(stored), 'a refused delete keeps the file');
    await sql(t.db.url, `delete from app_instance where package_id = 'delete-me'`);

    assert.equal((await t.gql(DeletePackage, { id: 'delete-me' }, t.tokens.tenantB)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal((await t.gql(DeletePackage, { id: 'delete-me' }, t.tokens.guestA)).errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const done = await t.gql(DeletePackage, { id: 'delete-me', key: 'del-1' }, t.tokens.tenantA);
    assert.equal(done.errors, undefined, JSON.stringify(done.errors));
    assert.equal(done.data!.deletePackage.id, 'delete-me');
    assert.equal((await rows('delete-me')).length, 0);
    assert.ok(!fs.existsSync(stored), 'the file is gone');
    const replay = await t.gql(DeletePackage, { id: 'delete-me', key: 'del-1' }, t.tokens.tenantA);
    assert.equal(replay.data?.deletePackage.id, 'delete-me', 'a retried delete with its key succeeds again');
    const gone = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/packages/delete-me/content`, { headers: { authorization: `Bearer ${t.tokens.tenantA}` } });
    assert.equal(gone.status, 404);
  });
});
