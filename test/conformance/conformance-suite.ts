import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConformanceOptions } from '../../src/plugins/conformance/check-context.js';
import { conformanceChecks } from '../../src/plugins/conformance/checks.js';
import { runConformance } from '../../src/plugins/conformance/run-conformance.js';

/** A plugin started for a conformance run: where to reach it, how, and how to stop it. */
export interface PluginUnderTest {
  address: string;
  /** Extra run options: TLS, token, a real configuration or package for a real plugin. */
  options?: Partial<Omit<ConformanceOptions, 'address' | 'only'>>;
  stop(): Promise<void>;
}

/**
 * The conformance kit as a test suite: one `it()` per check, so a failure is named. Any plugin can be put
 * through it by passing a function that starts it (the simulator now; the Kubernetes and VM plugins later).
 */
export function describeConformance(label: string, startPlugin: () => Promise<PluginUnderTest>): void {
  describe(`plugin conformance: ${label}`, () => {
    let plugin: PluginUnderTest;
    before(async () => {
      plugin = await startPlugin();
    });
    after(() => plugin.stop());

    for (const check of conformanceChecks) {
      it(check.name, async () => {
        const results = await runConformance({ accessToken: 'conformance-token', ...plugin.options, address: plugin.address, only: [check.name] });
        assert.equal(results.length, 1);
        assert.equal(results[0]!.name, check.name);
        assert.ok(results[0]!.ok, results[0]!.error);
      });
    }
  });
}
