import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../packages/archive-limits.js';
import type { AppDescriptor, SwImage } from '../../packages/appd.js';
import { inspectChartTgz } from '../../packages/chart-archive.js';
import { parseCsar } from '../../packages/csar-parser.js';
import { loadYamlMapping } from '../../packages/safe-yaml.js';
import { ZipArchive } from '../../packages/zip-archive.js';

/** A template value: a literal, or `{get_input: name}` resolved at instantiate from the parameters or the input's default. */
export type ValueRef = { value: string } | { input: string };

export interface VmPort {
  cpId: string;
  order: number;
  virtualLink: string;
  vnicType?: string;
  portSecurityEnabled?: boolean;
  ipv4?: ValueRef;
  ipv6?: ValueRef;
  mac?: ValueRef;
}

export interface VmVdu {
  id: string;
  name: string;
  swImageName: string;
  vcpus: number;
  ramMb: number;
  diskGb: number;
  availabilityZone?: ValueRef;
  configDrive: boolean;
  userData?: { contents: string; params: Record<string, ValueRef> };
  flavorExtraSpecs: Record<string, string>;
  ports: VmPort[];
}

export interface VmSubnet {
  name?: string;
  ipVersion: number;
  cidr: ValueRef;
  gatewayIp?: ValueRef;
  enableDhcp?: boolean;
  allocationPools: { start: string; end: string }[];
  dnsNameservers: string[];
}

export interface VmVirtualLink {
  id: string;
  networkName: ValueRef;
  networkType?: ValueRef;
  physicalNetwork?: ValueRef;
  segmentationId?: ValueRef;
  subnets: VmSubnet[];
}

/** What instantiate needs of a VM package, read once at upload and kept with it. */
export interface VmTemplate {
  vdus: VmVdu[];
  virtualLinks: VmVirtualLink[];
  /** Input defaults (inputs without one are absent). */
  inputDefaults: Record<string, string>;
  /** Input names: a request parameter is used only when the template declares it. */
  inputs: string[];
  swImages: SwImage[];
  /** The package's single top folder with its slash, or '' (image paths in SwImageDesc are relative to it). */
  rootPrefix: string;
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

function ref(v: unknown): ValueRef | undefined {
  if (typeof v === 'string') return { value: v };
  if (isMapping(v) && typeof v['get_input'] === 'string') return { input: v['get_input'] };
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (v === 'true' || v === true ? true : v === 'false' || v === false ? false : undefined);

/** Resolves a template value against the request's parameters, then the inputs' defaults; undefined when neither has it. */
export function resolve(r: ValueRef | undefined, params: Record<string, string>, t: Pick<VmTemplate, 'inputDefaults' | 'inputs'>): string | undefined {
  if (!r) return undefined;
  if ('value' in r) return r.value;
  if (t.inputs.includes(r.input) && params[r.input] !== undefined) return params[r.input];
  return t.inputDefaults[r.input];
}

export class NotAVmPackage extends Error {}

/**
 * Reads a stored CSAR with the package subsystem (every archive check, the typed AppD) and, from the same service
 * template, what the AppD leaves out and a VM needs: user data with its parameters, config drive, availability zone,
 * flavor extra specs, fixed addresses of ports and the subnets of virtual links, each value kept as a literal or a
 * `get_input` reference. INVALID_PACKAGE (a DomainError) for a package that breaks the archive or CSAR rules;
 * NotAVmPackage for a valid package without VDUs.
 */
export async function readVmTemplate(file: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<VmTemplate> {
  const zip = await ZipArchive.open(file, limits, 0);
  let template: Mapping | undefined;
  let appd: AppDescriptor;
  let rootPrefix = '';
  try {
    await zip.verifyAll();
    const parsed = await parseCsar(
      zip,
      {
        openNestedZip: (buf, depth) => ZipArchive.fromBuffer(buf, limits, depth),
        inspectChart: (buf, depth) => inspectChartTgz(buf, limits, depth),
        loadYamlMapping: (text, what) => {
          template = loadYamlMapping(text, what);
          return template;
        },
      },
      { limits, strictIntegrity: false },
    );
    appd = parsed.appd;
    rootPrefix = parsed.rootPrefix;
  } finally {
    zip.close();
  }
  if (appd.vdus.length === 0) throw new NotAVmPackage('the package describes no VDU (tosca.nodes.nfv.Vdu.Compute): it is not a VM application');
  const topology = isMapping(template?.['topology_template']) ? template['topology_template'] : {};
  const nodes = isMapping(topology['node_templates']) ? topology['node_templates'] : {};
  const node = (id: string): Mapping => (isMapping(nodes[id]) ? nodes[id] : {});
  const props = (id: string): Mapping => (isMapping(node(id)['properties']) ? (node(id)['properties'] as Mapping) : {});

  const vdus: VmVdu[] = appd.vdus.map((v) => {
    const p = props(v.id);
    const boot = isMapping(p['bootdata']) ? p['bootdata'] : {};
    const ud = isMapping(boot['user_data']) ? boot['user_data'] : {};
    const contents = str(ud['contents']);
    const params: Record<string, ValueRef> = {};
    if (isMapping(ud['params'])) for (const [k, x] of Object.entries(ud['params'])) params[k] = ref(x) ?? { value: '' };
    const profile = isMapping(p['vdu_profile']) ? p['vdu_profile'] : {};
    const specs: Record<string, string> = {};
    if (isMapping(profile['flavor_extra_specs'])) for (const [k, x] of Object.entries(profile['flavor_extra_specs'])) if (typeof x === 'string') specs[k] = x;
    if (!v.swImageName) throw new NotAVmPackage(`VDU ${v.id} names no image (sw_image_data)`);
    const ports: VmPort[] = appd.connectionPoints
      .filter((cp) => cp.virtualBinding === v.id && cp.virtualLink)
      .map((cp) => {
        const attrs = isMapping(node(cp.id)['attributes']) ? (node(cp.id)['attributes'] as Mapping) : {};
        const port: VmPort = { cpId: cp.id, order: cp.order ?? 0, virtualLink: cp.virtualLink! };
        if (cp.vnicType) port.vnicType = cp.vnicType;
        if (cp.portSecurityEnabled !== undefined) port.portSecurityEnabled = cp.portSecurityEnabled;
        const ip4 = ref(attrs['ipv4_address']);
        const ip6 = ref(attrs['ipv6_address']);
        const mac = ref(attrs['mac']);
        if (ip4) port.ipv4 = ip4;
        if (ip6) port.ipv6 = ip6;
        if (mac) port.mac = mac;
        return port;
      })
      .sort((a, b) => a.order - b.order);
    const vdu: VmVdu = {
      id: v.id,
      name: v.name,
      swImageName: v.swImageName,
      vcpus: v.numVirtualCpu ?? 1,
      ramMb: v.virtualMemMb ?? 512,
      diskGb: v.storageGb ?? 1,
      configDrive: bool(boot['config_drive']) ?? false,
      flavorExtraSpecs: specs,
      ports,
    };
    const az = ref(p['nfvi_constraints']);
    if (az) vdu.availabilityZone = az;
    if (contents && contents.trim()) vdu.userData = { contents, params };
    return vdu;
  });

  const virtualLinks: VmVirtualLink[] = appd.virtualLinks.map((vl) => {
    const profile = isMapping(props(vl.id)['vl_profile']) ? (props(vl.id)['vl_profile'] as Mapping) : {};
    const l3 = Array.isArray(profile['l3_protocol_data']) ? profile['l3_protocol_data'] : [];
    const subnets: VmSubnet[] = l3.filter(isMapping).flatMap((entry) => {
      const d = isMapping(entry['l3_protocol_data']) ? entry['l3_protocol_data'] : entry;
      const cidr = ref(d['cidr']);
      if (!cidr) return [];
      const pools = Array.isArray(d['allocation_pools']) ? d['allocation_pools'].filter(isMapping) : [];
      const subnet: VmSubnet = {
        ipVersion: str(d['ip_version']) === 'ipv6' || str(d['ip_version']) === '6' ? 6 : 4,
        cidr,
        allocationPools: pools.flatMap((pool) => (typeof pool['start'] === 'string' && typeof pool['end'] === 'string' ? [{ start: pool['start'], end: pool['end'] }] : [])),
        dnsNameservers: Array.isArray(d['dns_nameservers']) ? d['dns_nameservers'].filter((x): x is string => typeof x === 'string') : [],
      };
      const name = str(d['name']);
      if (name) subnet.name = name;
      const gw = ref(d['gateway_ip']);
      if (gw) subnet.gatewayIp = gw;
      const dhcp = bool(d['dhcp_enabled'] ?? d['enable_dhcp']);
      if (dhcp !== undefined) subnet.enableDhcp = dhcp;
      return [subnet];
    });
    const link: VmVirtualLink = { id: vl.id, networkName: ref(profile['network_name']) ?? { value: vl.networkName ?? vl.id }, subnets };
    const type = ref(profile['network_type']);
    const phys = ref(profile['physical_network']);
    const seg = ref(profile['provider_segmentation_id']);
    if (type) link.networkType = type;
    if (phys) link.physicalNetwork = phys;
    if (seg) link.segmentationId = seg;
    return link;
  });

  const inputDefaults: Record<string, string> = {};
  for (const i of appd.inputs) if (i.default !== undefined) inputDefaults[i.name] = i.default;
  return { vdus, virtualLinks, inputDefaults, inputs: appd.inputs.map((i) => i.name), swImages: appd.swImages, rootPrefix };
}
