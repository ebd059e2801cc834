import type { RcConfig } from '../rc-file.js';
import { Glance } from './glance.js';
import { Neutron } from './neutron.js';
import { Nova } from './nova.js';
import { OpenStackSession, type SessionOptions } from './openstack-session.js';

/** One project of one cloud: the session and the service clients on it. */
export class OpenStackCloud {
  readonly session: OpenStackSession;
  readonly nova: Nova;
  readonly glance: Glance;
  readonly neutron: Neutron;

  constructor(rc: RcConfig, opts: SessionOptions) {
    this.session = new OpenStackSession(rc, opts);
    this.nova = new Nova(this.session);
    this.glance = new Glance(this.session);
    this.neutron = new Neutron(this.session);
  }
}
