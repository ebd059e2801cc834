import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { testCerts } from '../helpers/test-certs.js';
import { describeConformance } from './conformance-suite.js';

describeConformance('simulator, plaintext', async () => {
  const sim = await SimPlugin.start();
  return { address: sim.address, stop: () => sim.stop() };
});

describeConformance('simulator, TLS with a token verifier', async () => {
  const certs = testCerts();
  const sim = await SimPlugin.start({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile }, verifyToken: (t) => t === 'the-right-token' });
  return { address: sim.address, options: { tls: { caFile: certs.caFile }, accessToken: 'the-right-token' }, stop: () => sim.stop() };
});
