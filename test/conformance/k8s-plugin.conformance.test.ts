import { K8sPlugin } from '../../src/plugins/k8s/k8s-plugin.js';
import { helmBinary } from '../helpers/helm-binary.js';
import { ALL_HELMS, backendKinds, fixtureBytes, startBackend } from '../k8s/k8s-harness.js';
import { describeConformance } from './conformance-suite.js';

// The conformance kit against the k8s plugin with the real helm, a real package (etherpad) and a kubeconfig of the
// fake API server (or of a real cluster when APPLCM_TEST_KUBECONFIG is set).

for (const helm of ALL_HELMS) {
  for (const kind of backendKinds()) {
    describeConformance(`k8s plugin, helm ${helm}, ${kind === 'fake' ? 'fake API server' : 'real cluster'}`, async () => {
      const backend = await startBackend(kind);
      const plugin = await K8sPlugin.start({ helmBin: await helmBinary(helm) });
      return {
        address: plugin.address,
        options: { configFile: Buffer.from(backend.kubeconfig), packageFile: fixtureBytes('etherpad-k8splugin.csar'), deadlineMs: 60_000 },
        async stop() {
          await plugin.stop();
          await backend.stop();
        },
      };
    });
  }
}
