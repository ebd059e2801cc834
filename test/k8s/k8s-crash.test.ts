import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { checkContext, openClients, putConfig, putPackage, query, terminate, type CheckContext } from '../../src/plugins/conformance/check-context.js';
import { K8sPlugin } from '../../src/plugins/k8s/k8s-plugin.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { eventually } from '../helpers/package-client.js';
import { generateTestKeys, tokenFor } from '../helpers/test-keys.js';
import { ALL_HELMS, clusterApi, fixtureBytes, instanceStatus, instantiate, releaseSecrets, startBackend, type ClusterBackend } from './k8s-harness.js';
import { startK8sPluginProcess } from './k8s-plugin-process.js';
import { describe } from 'node:test';

// A crash between helm starting and finishing: the plugin process (and its helm) is killed while helm waits for the
// release's pods, leaving Helm's release in pending-install and the plugin's record INSTALLING. The next plugin on
// the same data dir reports the instance as interrupted and resolves the release on the next instantiate.

for (const helm of ALL_HELMS) {
  describe(`k8s plugin crash mid-install (helm ${helm}, fake API server)`, () => {
    let backend: ClusterBackend;
    let dataDir: string;
    before(async () => {
      backend = await startBackend('fake');
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-k8s-crash-'));
    });
    after(async () => {
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('pending-install left by a killed plugin is uninstalled and the instance installed again on retry', async () => {
      const keys = generateTestKeys();
      const keyFile = path.join(dataDir, 'jwt-public.pem');
      fs.writeFileSync(keyFile, keys.publicKeyPem);
      const token = await tokenFor(keys, 'admin', randomUUID());
      const helmBin = await helmBinary(helm);
      const tenantId = randomUUID();
      const hostIp = '192.0.2.30';
      const pluginDir = path.join(dataDir, 'plugin');
      const child = await startK8sPluginProcess({ dataDir: pluginDir, helmBin, env: { JWT_PUBLIC_KEY_FILE: keyFile, APPLCM_DATA_DIR: dataDir } });
      const ctxFor = (address: string): { ctx: CheckContext; close(): void } => {
        const clients = openClients({ address, accessToken: token });
        return { ctx: checkContext({ address, accessToken: token, tenantId, hostIp, configFile: Buffer.from(backend.kubeconfig), deadlineMs: 60_000 }, clients, []), close: () => clients.close() };
      };
      const first = ctxFor(child.address);
      const id = randomUUID();
      const release = `app-${id}`;
      const packageId = randomUUID().replace(/-/g, '');
      let pending: Promise<unknown> | undefined;
      try {
        assert.equal((await putConfig(first.ctx)).status, 'Success');
        assert.equal((await putPackage(first.ctx, packageId, fixtureBytes('etherpad-k8splugin.csar'))).status, 'Success');
        backend.fake!.setWorkloadsReady(false);
        pending = instantiate(first.ctx, id, packageId, { ak: 'a', sk: 'b' }).catch((e: unknown) => e);
        await eventually(async () => ((await releaseSecrets(backend, 'default', release))[`sh.helm.release.v1.${release}.v1`] === 'pending-install' ? true : undefined), 20_000, 'the release pending-install');
        await child.crash();
        assert.ok(await pending, 'the call of the killed plugin fails');
      } finally {
        first.close();
        await child.stop().catch(() => undefined);
      }
      // Nobody finishes or rolls back the release now: it stays pending-install, its deployment in place.
      await sleep(1500);
      assert.deepEqual(await releaseSecrets(backend, 'default', release), { [`sh.helm.release.v1.${release}.v1`]: 'pending-install' });
      backend.fake!.setWorkloadsReady(true);

      const plugin = await K8sPlugin.start({ dataDir: pluginDir, helmBin });
      const second = ctxFor(plugin.address);
      try {
        const before = await instanceStatus(second.ctx, id);
        assert.equal(before.state, InstanceStatus_State.FAILED);
        assert.match(before.reason, /install of release .* was interrupted \(pending-install\)/);
        assert.equal((await instantiate(second.ctx, id, packageId, { ak: 'a', sk: 'b' })).status, 'Success');
        assert.deepEqual(await releaseSecrets(backend, 'default', release), { [`sh.helm.release.v1.${release}.v1`]: 'deployed' });
        assert.equal((await instanceStatus(second.ctx, id)).state, InstanceStatus_State.RUNNING);
        const q = JSON.parse((await query(second.ctx, id)).response) as { pods: { podstatus: string }[] };
        assert.deepEqual(q.pods.map((p) => p.podstatus), ['Running']);
        assert.equal((await terminate(second.ctx, id)).status, 'Success');
        assert.equal((await terminate(second.ctx, id)).status, 'Success');
        assert.deepEqual(await releaseSecrets(backend, 'default', release), {});
        await assert.rejects(clusterApi(backend).apps.readNamespacedDeployment({ namespace: 'default', name: 'etherpad' }), (e: { code?: number }) => e.code === 404);
      } finally {
        second.close();
        await plugin.stop();
      }
    });
  });
}
