import { randomUUID } from 'node:crypto';

export interface FakeImage {
  id: string;
  name: string | null;
  status: 'queued' | 'saving' | 'active' | 'killed' | 'deleted';
  container_format: string | null;
  disk_format: string | null;
  min_ram: number;
  min_disk: number;
  size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  visibility: string;
  protected: boolean;
  created_at: string;
  updated_at: string;
  owner: string;
  properties: Record<string, string>;
  data?: Buffer;
}

export interface FakeServer {
  id: string;
  name: string;
  status: 'BUILD' | 'ACTIVE' | 'ERROR' | 'SHUTOFF' | 'PAUSED' | 'SUSPENDED' | 'REBOOT' | 'DELETED';
  imageRef: string;
  flavorRef: string;
  ports: string[];
  /** Names of the security groups it was booted with (Neutron's project default when none). */
  securityGroups: string[];
  /** The type of the last reboot asked (SOFT or HARD): Nova keeps it only in its logs; tests read it here. */
  lastReboot?: string;
  userData?: string;
  configDrive: boolean;
  availabilityZone?: string;
  metadata: Record<string, string>;
  fault?: { code: number; message: string; created: string };
  created: string;
  actions: { action: string; request_id: string; start_time: string; message: string | null }[];
}

export interface FakeFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  swap: number | string;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export interface FakeNetwork {
  id: string;
  name: string;
  status: string;
  admin_state_up: boolean;
  shared: boolean;
  'router:external': boolean;
  subnets: string[];
  [key: string]: unknown;
}

export interface FakeSubnet {
  id: string;
  name: string;
  network_id: string;
  cidr: string;
  ip_version: number;
  gateway_ip: string | null;
  enable_dhcp: boolean;
  next: number;
  [key: string]: unknown;
}

export interface FakePort {
  id: string;
  name: string;
  network_id: string;
  device_id: string;
  device_owner: string;
  mac_address: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  [key: string]: unknown;
}

/** What the fake cloud holds, and the switches tests use to make it fail. */
export class FakeState {
  readonly projectId = randomUUID().replace(/-/g, '');
  readonly tokens = new Map<string, { expiresAt: number; projectId: string }>();
  readonly images = new Map<string, FakeImage>();
  readonly servers = new Map<string, FakeServer>();
  readonly flavors = new Map<string, FakeFlavor>();
  readonly networks = new Map<string, FakeNetwork>();
  readonly subnets = new Map<string, FakeSubnet>();
  readonly ports = new Map<string, FakePort>();
  readonly securityGroups = new Map<string, { id: string; name: string; description: string; security_group_rules: Record<string, unknown>[]; [key: string]: unknown }>();
  /** "METHOD /path" of every request, in order. */
  readonly requests: string[] = [];
  authentications = 0;
  rejectedTokens = 0;
  /** The next server booted goes to ERROR with this fault message. */
  failNextBoot?: string;
  /** Once a request matching this ("METHOD /path") has been answered, every token expires (one-shot). */
  expireTokensAfter?: RegExp;
  /** The next image upload breaks off (connection reset) after this many bytes. */
  failUploadAfterBytes?: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly o: { transitionMs: number; diskBytes: number }) {
    // What a fresh cloud has: the usual public flavors.
    for (const [name, vcpus, ram, disk] of [
      ['m1.tiny', 1, 512, 1],
      ['m1.small', 1, 2048, 20],
      ['m1.medium', 2, 4096, 40],
      ['m1.large', 4, 8192, 80],
    ] as const) {
      const id = randomUUID();
      this.flavors.set(id, { id, name, vcpus, ram, disk, swap: '', isPublic: true, extraSpecs: {} });
    }
  }

  /** Runs `fn` after the transition delay (cancelled by stop()). */
  later(fn: () => void, ms = this.o.transitionMs): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resources the plugin could have left behind, for "nothing left" assertions. */
  counts(): { servers: number; ports: number; networks: number; flavors: number; images: number } {
    return { servers: this.servers.size, ports: this.ports.size, networks: this.networks.size, flavors: this.flavors.size, images: this.images.size };
  }
}
