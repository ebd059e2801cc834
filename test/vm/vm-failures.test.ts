import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { UploadCfgRequest } from '../../src/generated/proto/lcmservice.js';
import { newPackageId, putConfig, putPackage, query, terminate, type CheckContext } from '../../src/plugins/conformance/check-context.js';
import { expectCode, upload } from '../../src/plugins/conformance/grpc-calls.js';
import { parseRcFile, RcFileError } from '../../src/plugins/vm/rc-file.js';
import { buildZip } from '../helpers/hostile-archives.js';
import { distributed, instantiateWith, packageState, startVmHarness, type VmHarness } from './vm-harness.js';

const uploadRc = (ctx: CheckContext, text: string) =>
  upload<UploadCfgRequest, { status: string }>(ctx.deadlineMs, (md, o, cb) => ctx.lcm.uploadConfig(md, o, cb), [
    { data: { $case: 'accessToken', value: ctx.token } },
    { data: { $case: 'tenantId', value: ctx.tenantId } },
    { data: { $case: 'hostIp', value: ctx.hostIp } },
    { data: { $case: 'configFile', value: Buffer.from(text) } },
  ]);

/** Files the plugin keeps for the context's tenant (rc file, packages, instances). */
const keptFiles = (h: VmHarness, ctx: CheckContext): string[] =>
  ['hosts', 'packages', 'instances'].flatMap((d) => {
    const dir = path.join(h.plugin.dataDir, d, ctx.tenantId);
    return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : [];
  });

describe('VM plugin failures', () => {
  let h: VmHarness;
  before(async () => {
    // Tokens live 1.5 s and are used until they expire (no early renewal): expiry lands in the middle of operations.
    h = await startVmHarness({ cloud: { tokenTtlMs: 1500, transitionMs: 400 }, plugin: { tokenRenewBeforeMs: 0 } });
  });
  after(() => h.stop());

  it('a Glance upload that breaks off half-way leaves no image and reports the package in error', async () => {
    const ctx = h.newTenant();
    assert.equal((await putConfig(ctx)).status, 'Success');
    // First in the file: no earlier package put the same image in Glance (it would be reused, not uploaded).
    const imagesBefore = h.cloud.state.images.size;
    h.cloud.state.failUploadAfterBytes = 1024 * 1024;
    const packageId = newPackageId();
    assert.equal((await putPackage(ctx, packageId)).status, 'Success');
    await packageState(ctx, packageId, 'Error');
    assert.equal(h.cloud.state.images.size, imagesBefore, 'the half-made image was deleted');
    await expectCode(instantiateWith(ctx, randomUUID(), packageId, {}), status.FAILED_PRECONDITION, 'instantiate of a package in error');
  });

  it('a Keystone token that expires mid-operation is renewed and the operation succeeds', async () => {
    const ctx = h.newTenant();
    const pkg = await distributed(ctx);
    const rejected = h.cloud.state.rejectedTokens;
    const auths = h.cloud.state.authentications;
    const id = randomUUID();
    // Revoked before instantiate: its first request gets 401, is renewed and repeated.
    h.cloud.expireTokens();
    assert.equal((await instantiateWith(ctx, id, pkg, {})).status, 'Success');
    // Boot polling spans more than one token lifetime: more renewals, no failure.
    assert.ok(h.cloud.state.rejectedTokens > rejected, 'the expired token was refused (401) at least once');
    assert.ok(h.cloud.state.authentications > auths, 'and a new one was obtained');
    assert.equal((await terminate(ctx, id)).status, 'Success');
    assert.equal(h.cloud.state.servers.size, 0);
  });

  it('a Nova error during instantiate rolls back every server, port, flavor and network it made', async () => {
    const ctx = h.newTenant();
    const pkg = await distributed(ctx);
    const before = h.cloud.state.counts();
    h.cloud.state.failNextBoot = 'No valid host was found. There are not enough hosts available.';
    const id = randomUUID();
    await assert.rejects(instantiateWith(ctx, id, pkg, {}), (e: { code?: number; details?: string }) => {
      assert.equal(e.code, status.UNKNOWN);
      assert.match(e.details ?? '', /went to ERROR: No valid host was found/);
      return true;
    });
    assert.deepEqual(h.cloud.state.counts(), before, 'nothing instantiate made is left');
    await expectCode(query(ctx, id), status.NOT_FOUND, 'query of the rolled-back instance');
    // A retry after the fault works.
    assert.equal((await instantiateWith(ctx, id, pkg, {})).status, 'Success');
    assert.equal((await terminate(ctx, id)).status, 'Success');
    assert.deepEqual(h.cloud.state.counts(), before);
  });

  it('hostile rc files are refused INVALID_ARGUMENT and nothing is stored or run', async () => {
    const marker = path.join(h.plugin.dataDir, 'pwned');
    const good = h.cloud.rcFile();
    const hostile = [
      `${good}export OS_PASSWORD=$(touch ${marker})\n`,
      `${good}export OS_PASSWORD=\`touch ${marker}\`\n`,
      `${good}touch ${marker}\n`,
      `${good}export OS_REGION_NAME=x; touch ${marker}\n`,
      `${good}export OS_PASSWORD="a$HOME"\n`,
      `${good}export LD_PRELOAD=/tmp/evil.so\n`,
      `${good}export OS_CACERT=/etc/shadow\n`,
      `${good}source /etc/profile\n`,
      `${good}export OS_AUTH_URL=file:///etc/passwd\n`,
      'export OS_USERNAME=edge\n',
    ];
    for (const text of hostile) {
      const ctx = h.newTenant();
      await expectCode(uploadRc(ctx, text), status.INVALID_ARGUMENT, `rc file ending ${JSON.stringify(text.slice(good.length))}`);
      assert.deepEqual(keptFiles(h, ctx), [], 'nothing stored');
    }
    assert.equal(fs.existsSync(marker), false, 'nothing in an rc file ran');
  });

  it('parses rc files as the shell would set them, never running them', () => {
    const rc = parseRcFile("# openrc\nexport OS_AUTH_URL=https://keystone.example:5000\nexport OS_USERNAME='edge user'\nexport OS_PASSWORD=\"p@ss w0rd!\" # comment\nOS_PROJECT_NAME=mec\nexport OS_PROJECT_DOMAIN_NAME=Default\nexport OS_INTERFACE=internal\nexport NOVA_URL=https://nova.example/v2.1/\n");
    assert.equal(rc.authUrl, 'https://keystone.example:5000/v3');
    assert.equal(rc.username, 'edge user');
    assert.equal(rc.password, 'p@ss w0rd!');
    assert.equal(rc.projectName, 'mec');
    assert.equal(rc.userDomainName, 'Default');
    assert.equal(rc.interface, 'internal');
    assert.equal(rc.endpoints.compute, 'https://nova.example/v2.1');
    assert.throws(() => parseRcFile('export OS_AUTH_URL=http://x/v3\nexport OS_USERNAME=a\nexport OS_PROJECT_NAME=p\n'), (e: unknown) => e instanceof RcFileError && /OS_PASSWORD/.test(e.message));
    assert.throws(() => parseRcFile("export OS_AUTH_URL=http://u:p@x/v3\nexport OS_USERNAME=a\nexport OS_PASSWORD=b\nexport OS_PROJECT_NAME=p\n"), /credentials/);
  });

  it('hostile packages are refused INVALID_ARGUMENT with nothing kept and nothing sent to Glance', async () => {
    const ctx = h.newTenant();
    assert.equal((await putConfig(ctx)).status, 'Success');
    const requests = h.cloud.state.requests.length;
    const cases: [string, Buffer][] = [
      ['zip slip', buildZip([{ name: '../../etc/cron.d/evil', data: Buffer.from('* * * * * root sh\n') }, { name: 'TOSCA-Metadata/TOSCA.meta', data: Buffer.from('Entry-Definitions: APPD/x.yaml\n') }])],
      ['absolute path', buildZip([{ name: '/etc/passwd', data: Buffer.from('x') }])],
      ['symlink', buildZip([{ name: 'Image/disk.qcow2', data: Buffer.from('/etc/shadow'), unixMode: 0o120777 }])],
      ['lying size', buildZip([{ name: 'TOSCA-Metadata/TOSCA.meta', data: Buffer.alloc(4096, 0x41), method: 8, uncompressedSize: 10 }])],
    ];
    for (const [what, bytes] of cases) {
      const packageId = newPackageId();
      await expectCode(putPackage(ctx, packageId, bytes), status.INVALID_ARGUMENT, `uploadPackage of a package with ${what}`);
      assert.deepEqual(
        keptFiles(h, ctx).filter((f) => f.includes(packageId)),
        [],
        `${what}: nothing kept`,
      );
    }
    assert.deepEqual(
      h.cloud.state.requests.slice(requests).filter((r) => r.includes('/image/')),
      [],
      'no Glance call for a refused package',
    );
  });
});
