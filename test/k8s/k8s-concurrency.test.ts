import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InstanceStatus_State } from '../../src/generated/proto/applcm_plugin.js';
import { putPackage, terminate } from '../../src/plugins/conformance/check-context.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { csarVariant } from './chart-variant.js';
import { ALL_HELMS, instanceStatus, instantiate, releaseSecrets, startBackend, startPlugin } from './k8s-harness.js';

// Many instances at once: each gets its release, and no more helm processes run at a time than the plugin allows
// (a helm that waits for its pods holds a slot; the others queue).

describe('k8s plugin: concurrent instantiates', () => {
  for (const helm of ALL_HELMS) {
    it(`6 instances of one chart at once with at most 2 helm processes (helm ${helm})`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-helm-wrap-'));
      const log = path.join(dir, 'calls.log');
      const wrapper = path.join(dir, 'helm');
      // Records each run's start and end around the real helm (the plugin still passes an argument array).
      fs.writeFileSync(wrapper, `#!/bin/sh\necho start >> '${log}'\n'${await helmBinary(helm)}' "$@"\nrc=$?\necho end >> '${log}'\nexit $rc\n`, { mode: 0o755 });
      const backend = await startBackend('fake');
      const env = await startPlugin(helm, backend, { helmBin: wrapper, maxHelmProcesses: 2 });
      try {
        const packageId = randomUUID().replace(/-/g, '');
        const csar = await csarVariant('etherpad-k8splugin.csar', (_p, text) => text.replace(/^\s*nodePort: 32391\s*$/m, ''));
        assert.equal((await putPackage(env.ctx, packageId, csar)).status, 'Success');
        fs.rmSync(log, { force: true });
        const ids = Array.from({ length: 6 }, () => randomUUID());
        const results = await Promise.all(ids.map((id) => instantiate(env.ctx, id, packageId, { namespace: `c-${id.slice(0, 8)}` })));
        assert.deepEqual(results.map((r) => r.status), ids.map(() => 'Success'));
        for (const id of ids) {
          assert.deepEqual(await releaseSecrets(backend, `c-${id.slice(0, 8)}`, `app-${id}`), { [`sh.helm.release.v1.app-${id}.v1`]: 'deployed' });
          assert.equal((await instanceStatus(env.ctx, id)).state, InstanceStatus_State.RUNNING);
        }
        let running = 0;
        let most = 0;
        const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
        for (const l of lines) {
          running += l === 'start' ? 1 : -1;
          most = Math.max(most, running);
        }
        // Six installs, and the one `helm version` the plugin asks before its first.
        assert.equal(lines.filter((l) => l === 'start').length, 7, lines.join(','));
        assert.equal(most, 2, `at most ${most} helm processes ran at once`);
        await Promise.all(ids.map((id) => terminate(env.ctx, id)));
      } finally {
        await env.close();
        await backend.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
