import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackageState } from '../operations/packages.js';
import { buildTgz, buildZip, chartEntries, SMALL_LIMITS, writeHostileZips, yamlAliasBomb, type HostileCase } from '../helpers/hostile-archives.js';
import { eventually, fixture, multipartFrame, storeFiles, uploadPackage } from '../helpers/package-client.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { unzipToMemory, zipBuffer } from '../unit/csar-test-support.js';

// Hostile packages through the public upload endpoint, on a server whose archive caps are the small ones the
// generated battery is built for. Each must end in 422 INVALID_PACKAGE naming the problem, with no row, no stored
// file and no temp file left. Cases that need other caps are covered by the reader unit tests.

const MiB = 1024 * 1024;
let t: TestServer;
let dir: string;

before(async () => {
  t = await startTestServer('pkghostile', {
    APPLCM_MAX_PACKAGE_BYTES: String(6 * MiB),
    APPLCM_PACKAGE_MAX_ENTRIES: String(SMALL_LIMITS.maxEntries),
    APPLCM_PACKAGE_MAX_ENTRY_BYTES: String(SMALL_LIMITS.maxEntryBytes),
    APPLCM_PACKAGE_MAX_INFLATED_BYTES: String(SMALL_LIMITS.maxTotalBytes),
    APPLCM_PACKAGE_MAX_RATIO: String(SMALL_LIMITS.maxRatio),
    APPLCM_PACKAGE_MAX_DESCRIPTOR_BYTES: String(SMALL_LIMITS.maxDescriptorBytes),
    APPLCM_PACKAGE_MAX_NESTED_ARCHIVE_BYTES: String(SMALL_LIMITS.maxNestedArchiveBytes),
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-hostile-'));
});
after(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function assertNothingLeft(): Promise<void> {
  assert.deepEqual(await sql(t.db.url, 'select id, onboarding_state from app_package'), [], 'no row');
  assert.deepEqual(storeFiles(t), { packages: [], tmp: [] }, 'no stored or temp file');
}

async function expectInvalid(file: string, message: RegExp): Promise<void> {
  const r = await uploadPackage(t, file);
  assert.equal(r.status, 422, `${path.basename(file)}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error?.code, 'INVALID_PACKAGE');
  assert.match(r.body.error.message, message);
}

/** A fixture rebuilt with some entries replaced (a Buffer), removed (null) or added. */
async function variant(name: string, changes: Record<string, Buffer | string | null>): Promise<string> {
  const files = await unzipToMemory(fs.readFileSync(fixture(name)));
  const entries: Record<string, Buffer | string> = {};
  for (const n of files.names()) entries[n] = await files.read(n, Infinity);
  for (const [n, v] of Object.entries(changes)) {
    if (v === null) delete entries[n];
    else entries[n] = v;
  }
  const out = path.join(dir, `${name}-${Object.keys(changes).length}-${Math.random().toString(16).slice(2)}.csar`);
  fs.writeFileSync(out, await zipBuffer(entries));
  return out;
}

describe('the generated battery of hostile zips', () => {
  let cases: HostileCase[] = [];
  before(async () => {
    const all = await writeHostileZips(dir);
    cases = all.filter((c) => c.limits === SMALL_LIMITS && c.depth === undefined);
  });

  it('covers the attacks the issue names', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const id of ['traversal', 'absolute', 'backslash-traversal', 'symlink', 'duplicate', 'case-duplicate', 'encrypted', 'method-12', 'entries-20000', 'entry-cap', 'size-lie-bomb', 'truncated', 'bitflip-stored', 'bitflip-deflated', 'zip64-size-lie', 'zip64-locator-lie', 'not-a-zip-png', 'empty-file']) {
      assert.ok(ids.has(id), `battery case ${id}`);
    }
  });

  it('refuses every one with 422 INVALID_PACKAGE naming the problem, leaving nothing behind', async () => {
    const rssBefore = process.memoryUsage().rss;
    for (const c of cases) {
      await expectInvalid(c.file, c.expect);
      await assertNothingLeft();
    }
    // The server runs in this process: the bombs were counted while inflating, never held in memory.
    assert.ok(process.memoryUsage().rss - rssBefore < 256 * MiB, 'memory stayed bounded');
  });
});

describe('hostile CSARs built from a real package', () => {
  it('no service template', async () => {
    const f = await variant('etherpad-k8splugin.csar', { 'APPD/Definition/MainServiceTemplate.yaml': null, 'APPD/TOSCA_VNFD.meta': null, 'TOSCA-Metadata/TOSCA.meta': null });
    await expectInvalid(f, /no service template found/);
    await assertNothingLeft();
  });

  it('nothing to deploy: neither a chart nor an image descriptor', async () => {
    const f = await variant('etherpad-k8splugin.csar', { 'Artifacts/Deployment/Charts/etherpad.tgz': null, 'Image/SwImageDesc.json': null });
    await expectInvalid(f, /nothing to deploy|no Helm chart|chart/i);
    await assertNothingLeft();
  });

  it('a YAML alias bomb in the service template', async () => {
    const f = await variant('etherpad-k8splugin.csar', { 'APPD/Definition/MainServiceTemplate.yaml': yamlAliasBomb() });
    await expectInvalid(f, /MainServiceTemplate\.yaml: .*alias/);
    await assertNothingLeft();
  });

  it('a chart that escapes its folder', async () => {
    const f = await variant('etherpad-k8splugin.csar', { 'Artifacts/Deployment/Charts/etherpad.tgz': buildTgz(chartEntries([{ path: '../../evil', data: Buffer.from('x') }])) });
    await expectInvalid(f, /etherpad\.tgz.*path traversal/);
    await assertNothingLeft();
  });

  it('an APPD zip holding a traversal entry', async () => {
    // yazl refuses to write `..`; the battery's raw zip writer does.
    const raw = buildZip([{ name: 'Definition/MainServiceTemplate.yaml', data: Buffer.from('a: b\n') }, { name: '../../evil', data: Buffer.from('x') }]);
    const f = await variant('positioning-service.csar', { 'APPD/APPD.zip': raw });
    await expectInvalid(f, /APPD\.zip.*(path traversal|\.\.)/);
    await assertNothingLeft();
  });

  it('a version that only YAML 1.1 would turn into a number stays text', async () => {
    const files = await unzipToMemory(fs.readFileSync(fixture('etherpad-k8splugin.csar')));
    const manifest = (await files.read('etherpad.mf', Infinity)).toString().replace('app_package_version: 1.0', 'app_package_version: 1.10');
    const template = (await files.read('APPD/Definition/MainServiceTemplate.yaml', Infinity)).toString();
    const f = await variant('etherpad-k8splugin.csar', { 'etherpad.mf': manifest, 'APPD/Definition/MainServiceTemplate.yaml': template.replace(/(software_version|vnfd_version):.*\n/g, '$1: 1.10\n') });
    const r = await uploadPackage(t, f);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const q = await t.gql(`query($id: ID!) { package(id: $id) { packageVersion appd { version } } }`, { id: r.body.packageId as string }, t.tokens.tenantA);
    assert.deepEqual(q.data, { package: { packageVersion: '1.10', appd: { version: '1.10' } } });
    const d = await t.gql(`mutation($id: ID!) { deletePackage(id: $id) { id } }`, { id: r.body.packageId as string }, t.tokens.tenantA);
    assert.equal(d.errors, undefined);
    await assertNothingLeft();
  });
});

describe('size cap and broken-off uploads', () => {
  it('an upload over the cap is cut off while streaming: 413, nothing kept', async () => {
    const big = path.join(dir, 'big.csar');
    fs.writeFileSync(big, Buffer.alloc(7 * MiB, 7));
    const r = await uploadPackage(t, big);
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(r.body.error?.limit, 6 * MiB);
    await assertNothingLeft();
  });

  it('progress is visible while uploading; a client that breaks off leaves nothing', async () => {
    const { contentType, head } = multipartFrame({ packageId: 'broken-off' });
    const body = Buffer.alloc(3 * MiB, 1);
    const req = http.request(`${t.url}/api/v1/tenants/${t.tenants.A}/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.tenantA}`, 'content-type': contentType, 'content-length': String(head.length + body.length + 100) },
    });
    req.on('error', () => undefined); // the socket is destroyed below
    req.write(head);
    // A slow client: 16 KiB every 50 ms, so progress is recorded (once a second) while bytes keep coming.
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < MiB) req.write(body.subarray(sent, (sent += 16 * 1024)));
    }, 50);
    const uploading = await eventually(async () => {
      const r = await t.gql(PackageState, { id: 'broken-off' }, t.tokens.tenantA);
      const p = r.data?.package;
      return p && p.receivedBytes > 0 ? p : undefined;
    }, 10_000, 'upload progress');
    assert.equal(uploading.onboardingState, 'UPLOADING');
    assert.ok(uploading.receivedBytes <= MiB);
    clearInterval(trickle);
    req.destroy();
    await eventually(async () => ((await sql(t.db.url, `select 1 from app_package where id = 'broken-off'`)).length === 0 ? true : undefined), 10_000, 'the row to go');
    await eventually(() => Promise.resolve(storeFiles(t).tmp.length === 0 ? true : undefined), 10_000, 'the temp file to go');
    await assertNothingLeft();
  });
});

describe('strict integrity', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer('pkgstrict', { APPLCM_PACKAGE_INTEGRITY: 'strict' });
  });
  after(() => strict.close());

  it('refuses a package whose manifest digests do not match, naming the files', async () => {
    const r = await uploadPackage(strict, fixture('positioning-service.csar'));
    assert.equal(r.status, 422);
    assert.equal(r.body.error?.code, 'INVALID_PACKAGE');
    assert.match(r.body.error.message, /integrity check failed: .*MainServiceTemplate\.yaml/);
    assert.deepEqual(await sql(strict.db.url, 'select id from app_package'), []);
    assert.deepEqual(storeFiles(strict), { packages: [], tmp: [] });
  });

  it('accepts a package whose digests all verify, and reports them VERIFIED', async () => {
    const template = 'tosca_definitions_version: tosca_simple_profile_yaml_1_2\ntopology_template:\n  node_templates:\n    vm1:\n      type: tosca.nodes.nfv.Vdu.Compute\n      properties:\n        name: vm1\n        sw_image_data:\n          name: img1\n';
    const images = JSON.stringify([{ name: 'img1', version: '1', diskFormat: 'qcow2', containerFormat: 'bare', swImage: 'http://images.example/img1.qcow2' }]);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const manifest = `metadata:\n  app_product_name: strict-demo\n  app_provider_id: tester\n  app_package_version: 1.10\n  app_class: vm\n\nSource: Definitions/main.yaml\nAlgorithm: SHA-256\nHash: ${sha(template)}\n\nSource: Image/SwImageDesc.json\nAlgorithm: SHA-256\nHash: ${sha(images)}\n`;
    const f = path.join(dir, 'strict-ok.csar');
    fs.writeFileSync(f, await zipBuffer({ 'TOSCA-Metadata/TOSCA.meta': 'TOSCA-Meta-File-Version: 1.0\nEntry-Definitions: Definitions/main.yaml\n', 'demo.mf': manifest, 'Definitions/main.yaml': template, 'Image/SwImageDesc.json': images }));
    const r = await uploadPackage(strict, f);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.version, '1.10');
    const q = await strict.gql(`query($id: ID!) { package(id: $id) { type integrity { policy verified mismatched absent } } }`, { id: r.body.packageId as string }, strict.tokens.tenantA);
    assert.deepEqual(q.data, { package: { type: 'VM', integrity: { policy: 'STRICT', verified: 2, mismatched: 0, absent: 0 } } });
  });
});
