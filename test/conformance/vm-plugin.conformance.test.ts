import fs from 'node:fs';
import { VmPlugin } from '../../src/plugins/vm/vm-plugin.js';
import { FakeOpenStack } from '../fake-openstack/fake-openstack.js';
import { ImageProxy } from '../fake-openstack/image-proxy.js';
import { fixture } from '../helpers/package-client.js';
import { describeConformance } from './conformance-suite.js';

// The conformance kit against the VM plugin with a real package (vm-openstack.zip, its image served by the test
// proxy) and an rc file of the fake Keystone/Nova/Glance/Neutron.

describeConformance('VM plugin, fake OpenStack', async () => {
  const cloud = await new FakeOpenStack({ transitionMs: 30 }).start();
  const proxy = await new ImageProxy().start();
  const plugin = await VmPlugin.start({ imageProxy: proxy.url, pollMs: 30, watchPollMs: 100 });
  return {
    address: plugin.address,
    options: { configFile: Buffer.from(cloud.rcFile()), packageFile: fs.readFileSync(fixture('vm-openstack.zip')), deadlineMs: 30_000 },
    async stop() {
      await plugin.stop();
      await proxy.stop();
      await cloud.stop();
    },
  };
});
