import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OnboardPackage, PackageDetail, PackageState } from '../operations/packages.js';
import { eventually, fixture, storeFiles } from '../helpers/package-client.js';
import { sql } from '../helpers/test-db.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// onboardPackage(url, checksum): the controller pulls the package itself (MEC 010-2 style). A local HTTP server
// plays the package repository; loopback is allowed on `t` only because the test configures it.

let t: TestServer;
let strictNet: TestServer;
let repo: http.Server;
let repoUrl: string;
const requests: string[] = [];
const bytes = fs.readFileSync(fixture('positioning-service.csar'));
const checksum = createHash('sha256').update(bytes).digest('hex');

before(async () => {
  repo = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    switch (req.url) {
      case '/pkg.csar':
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length });
        return void res.end(bytes);
      case '/moved':
        res.writeHead(302, { location: '/pkg.csar' });
        return void res.end();
      case '/not-a-zip':
        return void res.end('just text');
      case '/huge':
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        return void res.end();
      case '/endless':
        // No length announced: the cap must cut the stream itself.
        res.writeHead(200);
        for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
        return void res.end();
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((r) => repo.listen(0, '127.0.0.1', r));
  repoUrl = `http://127.0.0.1:${(repo.address() as AddressInfo).port}`;
  t = await startTestServer('pkgurl', { APPLCM_ALLOW_PRIVATE_PACKAGE_URLS: 'true', APPLCM_MAX_PACKAGE_BYTES: String(2 * 1024 * 1024) });
  strictNet = await startTestServer('pkgurlpriv');
});
after(async () => {
  await t.close();
  await strictNet.close();
  await new Promise((r) => repo.close(r));
});

const settled = (server: TestServer, id: string) =>
  eventually(async () => {
    const p = (await server.gql(PackageState, { id }, server.tokens.tenantA)).data?.package;
    return p && (p.onboardingState === 'ONBOARDED' || p.onboardingState === 'FAILED') ? p : undefined;
  }, 20_000, `package ${id} to settle`);

describe('onboardPackage from a URL', () => {
  it('answers at once, then downloads, checks and onboards the package', async () => {
    const r = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/pkg.csar`, checksum: `sha256:${checksum.toUpperCase()}`, packageId: 'from-url' } }, t.tokens.tenantA);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.ok(['CREATED', 'UPLOADING', 'PROCESSING', 'ONBOARDED'].includes(r.data!.onboardPackage.onboardingState));
    assert.equal(r.data!.onboardPackage.sourceUrl, `${repoUrl}/pkg.csar`);
    const p = await settled(t, 'from-url');
    assert.equal(p.onboardingState, 'ONBOARDED', p.failureReason ?? '');
    assert.equal(p.sha256, checksum);
    assert.equal(p.sizeBytes, bytes.length);
    const d = await t.gql(PackageDetail, { id: 'from-url' }, t.tokens.tenantA);
    assert.equal(d.data!.package.appd!.name, 'positioning-serviceTest2');
    const dl = await fetch(`${t.url}/api/v1/tenants/${t.tenants.A}/packages/from-url/content`, { headers: { authorization: `Bearer ${t.tokens.tenantA}` } });
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(bytes), 'the stored package is the downloaded one');
  });

  it('is idempotent for the same id and checksum, and by idempotency key; another checksum for the id is a CONFLICT', async () => {
    const again = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/pkg.csar`, checksum, packageId: 'from-url' } }, t.tokens.tenantA);
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal(again.data!.onboardPackage.onboardingState, 'ONBOARDED');
    const other = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/pkg.csar`, checksum: 'a'.repeat(64), packageId: 'from-url' } }, t.tokens.tenantA);
    assert.equal(other.errors?.[0]?.extensions?.code, 'CONFLICT');

    const before = requests.length;
    const first = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/moved`, checksum }, key: 'pull-once' }, t.tokens.tenantA);
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const replay = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/moved`, checksum }, key: 'pull-once' }, t.tokens.tenantA);
    assert.equal(replay.errors, undefined, JSON.stringify(replay.errors));
    assert.equal(replay.data!.onboardPackage.id, first.data!.onboardPackage.id, 'a retried request gets the same package');
    const p = await settled(t, first.data!.onboardPackage.id);
    assert.equal(p.onboardingState, 'ONBOARDED', 'redirects are followed');
    assert.deepEqual(requests.slice(before), ['/moved', '/pkg.csar'], 'downloaded once');
  });

  it('ends FAILED with a reason, keeping no file, for a wrong checksum, an HTTP error, a body that is not a package, or one over the cap', async () => {
    const cases = [
      { path: '/pkg.csar', checksum: 'b'.repeat(64), reason: /checksum mismatch: the download has SHA-256 [0-9a-f]{64}, expected b{64}/ },
      { path: '/missing', checksum, reason: /download failed: HTTP 404/ },
      { path: '/not-a-zip', checksum: createHash('sha256').update('just text').digest('hex'), reason: /not a zip archive/ },
      { path: '/huge', checksum, reason: /exceeds the limit of 2097152 bytes/ },
      { path: '/endless', checksum, reason: /exceeds the limit of 2097152 bytes/ },
    ];
    for (const c of cases) {
      const r = await t.gql(OnboardPackage, { input: { url: `${repoUrl}${c.path}`, checksum: c.checksum } }, t.tokens.tenantA);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const p = await settled(t, r.data!.onboardPackage.id);
      assert.equal(p.onboardingState, 'FAILED', c.path);
      assert.match(p.failureReason ?? '', c.reason);
    }
    const keys = await sql<{ storage_key: string | null }>(t.db.url, `select storage_key from app_package where onboarding_state = 'FAILED'`);
    assert.ok(keys.every((k) => k.storage_key === null));
    const onboarded = await sql(t.db.url, `select 1 from app_package where onboarding_state = 'ONBOARDED'`);
    assert.equal(storeFiles(t).packages.length, onboarded.length, 'only onboarded packages have files');
    assert.deepEqual(storeFiles(t).tmp, []);
  });

  it('refuses malformed input at once', async () => {
    for (const [input, field] of [
      [{ url: 'ftp://example.com/a.csar', checksum }, 'url'],
      [{ url: 'http://user:pw@example.com/a.csar', checksum }, 'url'],
      [{ url: 'not a url', checksum }, 'url'],
      [{ url: `${repoUrl}/pkg.csar`, checksum: 'abc' }, 'checksum'],
      [{ url: `${repoUrl}/pkg.csar`, checksum, packageId: '../x' }, 'packageId'],
    ] as const) {
      const r = await t.gql(OnboardPackage, { input }, t.tokens.tenantA);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    }
    const guest = await t.gql(OnboardPackage, { input: { url: `${repoUrl}/pkg.csar`, checksum } }, t.tokens.guestA);
    assert.equal(guest.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });
});

describe('private addresses', () => {
  it('are refused by default, before anything is created or fetched', async () => {
    const before = requests.length;
    const port = (repo.address() as AddressInfo).port;
    for (const url of [`${repoUrl}/pkg.csar`, `http://localhost:${port}/pkg.csar`, `http://[::1]:${port}/pkg.csar`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/a.csar', `http://[::ffff:127.0.0.1]:${port}/pkg.csar`]) {
      const r = await strictNet.gql(OnboardPackage, { input: { url, checksum } }, strictNet.tokens.tenantA);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', url);
      assert.match(r.errors[0].message, /is not a public address/);
    }
    assert.equal(requests.length, before, 'the repository was never contacted');
    assert.deepEqual(await sql(strictNet.db.url, 'select id from app_package'), []);
  });
});
