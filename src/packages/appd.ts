import type { ManifestMetadata } from './manifest.js';
import { invalidPackage } from './package-errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Typed application descriptor. These interfaces become GraphQL types, so they hold only JSON-friendly values:
// strings, numbers, booleans, arrays of those and nested objects. Version-like fields are always strings ("1.10"
// must not become 1.1); counts and sizes are numbers; flags are booleans.
// ---------------------------------------------------------------------------------------------------------------

export type AppType = 'CONTAINER' | 'VM';

export interface AppDescriptor {
  name: string;
  version: string;
  provider: string;
  description: string;
  type: AppType;
  vnfdId?: string;
  toscaDefinitionsVersion?: string;
  vdus: Vdu[];
  connectionPoints: ConnectionPoint[];
  virtualLinks: VirtualLink[];
  inputs: AppInput[];
  appConfiguration: AppConfiguration | null;
  swImages: SwImage[];
  charts: ChartRef[];
}

/** A `tosca.nodes.nfv.Vdu.Compute` node. */
export interface Vdu {
  /** The node template's name (unique in the template). */
  id: string;
  /** `properties.name` (not unique: face-recognition names all three VDUs `logic`); the id when absent. */
  name: string;
  description?: string;
  /**
   * `sw_image_data.name`; for older templates that give `image` and `image_version` instead, `image:version`
   * (face-recognition: `face_recognition_app:v1.4`).
   */
  swImageName?: string;
  numVirtualCpu?: number;
  cpuArchitecture?: string;
  /** `virtual_memory.virtual_mem_size` in MiB (`8096 MB` and `4096` both read as MiB; `1 GB` is 1024). */
  virtualMemMb?: number;
  /** `virtual_local_storage.size_of_storage` in GiB. */
  storageGb?: number;
  minInstances?: number;
  maxInstances?: number;
  initialInstances?: number;
  /** `bootdata.user_data` carries a non-empty script (VM cloud-init). */
  hasUserData: boolean;
}

/** A `tosca.nodes.nfv.VduCp` node. */
export interface ConnectionPoint {
  id: string;
  vnicName?: string;
  order?: number;
  vnicType?: string;
  portSecurityEnabled?: boolean;
  /** Id of the Vdu the port belongs to (`requirements: - virtual_binding`). */
  virtualBinding?: string;
  /** Id of the VirtualLink the port attaches to (`requirements: - virtual_link`). */
  virtualLink?: string;
}

/**
 * A `tosca.nodes.nfv.VnfVirtualLink` node (`vl_profile`). All values are text: a segmentation id is usually a
 * VLAN number, but the vm-openstack fixture's defaults are placeholders such as `network_mep_vlanid`.
 */
export interface VirtualLink {
  id: string;
  networkName?: string;
  networkType?: string;
  physicalNetwork?: string;
  segmentationId?: string;
}

/** A `topology_template.inputs` entry. The default is text (YAML scalars stay strings); empty means none. */
export interface AppInput {
  name: string;
  type: string;
  default?: string;
  description?: string;
}

export interface AppService {
  serName: string;
  version?: string;
  requestedPermissions?: boolean;
}

/** ETSI MEC 010-2 traffic filter; every list is text (ports may be ranges such as `0-65535`). */
export interface TrafficFilter {
  srcAddress: string[];
  dstAddress: string[];
  srcPort: string[];
  dstPort: string[];
  protocol: string[];
  tag: string[];
  srcTunnelAddress: string[];
  tgtTunnelAddress: string[];
  srcTunnelPort: string[];
  dstTunnelPort: string[];
  qCI?: number;
  dSCP?: number;
  tC?: number;
}

export interface TunnelInfo {
  tunnelType?: string;
  tunnelDstAddress?: string;
  tunnelSrcAddress?: string;
}

export interface DstInterface {
  interfaceType?: string;
  tunnelInfo?: TunnelInfo;
  srcMacAddress?: string;
  dstMacAddress?: string;
  dstIpAddress?: string;
}

/**
 * An `appTrafficRule` entry. `trafficFilter` and `dstInterface` become lists: MEC 010-2 defines both as arrays
 * (dstInterface 0..2), while the fixtures write `dstInterface` as a single mapping; both spellings are accepted.
 */
export interface TrafficRule {
  trafficRuleId: string;
  filterType?: string;
  priority?: number;
  action?: string;
  trafficFilters: TrafficFilter[];
  dstInterfaces: DstInterface[];
}

export interface DnsRule {
  dnsRuleId: string;
  domainName: string;
  ipAddressType?: string;
  ipAddress?: string;
  ttl?: number;
}

/** The `tosca.nodes.nfv.app.configuration` node: what the app asks of the MEP. */
export interface AppConfiguration {
  appName?: string;
  appSupportMp1?: boolean;
  servicesRequired: AppService[];
  servicesOptional: AppService[];
  servicesProduced: AppService[];
  trafficRules: TrafficRule[];
  dnsRules: DnsRule[];
}

/** An `Image/SwImageDesc.json` entry. */
export interface SwImage {
  id?: string;
  name: string;
  version?: string;
  checksum?: string;
  containerFormat?: string;
  diskFormat?: string;
  minDisk?: number;
  minRam?: number;
  architecture?: string;
  size?: number;
  /** A URL, a registry reference (container images) or a path inside the package (`Image/x.zip/disk.qcow2`). */
  swImage?: string;
  operatingSystem?: string;
  /** Spelled `supportedVirtualisationEnvironment` or `supportedVirtualizationEnvironment` in the wild. */
  supportedVirtualisationEnvironment?: string;
  /** Every other scalar key (`hw_disk_bus`...): osplugin turns these into Glance image properties. */
  otherProperties: { name: string; value: string }[];
}

/** A Helm chart under `Artifacts/Deployment/Charts`, named as its Chart.yaml says. */
export interface ChartRef {
  /** Path inside the package, relative to its root folder. */
  path: string;
  name: string;
  version: string;
  appVersion?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Service template → descriptor parts
// ---------------------------------------------------------------------------------------------------------------

/** The VNF node's identity (`tosca.nodes.nfv.VNF`, or a node type derived from it). */
export interface VnfInfo {
  nodeId: string;
  vnfdId?: string;
  provider?: string;
  productName?: string;
  softwareVersion?: string;
  vnfdVersion?: string;
}

/** What a service template yields on its own, before the manifest, images and charts are folded in. */
export interface ServiceTemplateInfo {
  toscaDefinitionsVersion?: string;
  description?: string;
  /** Scalar entries of the template's `metadata:` (template_name, vnfd_id, vnfd_version...). */
  metadata: Record<string, string>;
  vnf: VnfInfo | null;
  vdus: Vdu[];
  connectionPoints: ConnectionPoint[];
  virtualLinks: VirtualLink[];
  inputs: AppInput[];
  appConfiguration: AppConfiguration | null;
  warnings: string[];
}

type Mapping = Record<string, unknown>;

const VNF = 'tosca.nodes.nfv.VNF';
const VDU = 'tosca.nodes.nfv.Vdu.Compute';
const VDU_CP = 'tosca.nodes.nfv.VduCp';
const VIRTUAL_LINK = 'tosca.nodes.nfv.VnfVirtualLink';
const APP_CONFIGURATION = 'tosca.nodes.nfv.app.configuration';
const KNOWN_TYPES = new Set([VNF, VDU, VDU_CP, VIRTUAL_LINK, APP_CONFIGURATION]);

const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the parts of an application descriptor from a service template already loaded as a mapping (every
 * plain YAML scalar is a string, so numbers and booleans are coerced here, field by field). Structural errors
 * (no topology_template, a node that is not a mapping, a list that is not a list, a rule without its id) are
 * INVALID_PACKAGE naming `what`; values that merely fail to coerce are dropped with a warning, because real
 * packages are messy (`virtual_cpu_clock: 1800 MHz`) and a wrong optional number must not refuse a package.
 */
export function readServiceTemplate(template: Mapping, what: string): ServiceTemplateInfo {
  const topology = template['topology_template'];
  if (!isMapping(topology)) throw invalidPackage('service template has no topology_template', what);
  const nodes = topology['node_templates'];
  if (!isMapping(nodes)) throw invalidPackage('topology_template has no node_templates', what);

  const warnings: string[] = [];
  const inputs = readInputs(topology['inputs'], what);
  const values = new ValueReader(inputs, warnings);
  const nodeTypes = isMapping(template['node_types']) ? template['node_types'] : {};

  const info: ServiceTemplateInfo = {
    metadata: scalarMap(template['metadata']),
    vnf: null,
    vdus: [],
    connectionPoints: [],
    virtualLinks: [],
    inputs,
    appConfiguration: null,
    warnings,
  };
  const tdv = values.text(template['tosca_definitions_version'], 'tosca_definitions_version');
  if (tdv !== undefined) info.toscaDefinitionsVersion = tdv;
  const description = values.text(template['description'], 'description');
  if (description !== undefined) info.description = description;

  for (const [id, node] of Object.entries(nodes)) {
    if (!isMapping(node)) throw invalidPackage(`node template ${id} is not a mapping`, what);
    const declared = typeof node['type'] === 'string' ? node['type'] : '';
    const base = baseType(declared, nodeTypes);
    // An empty `properties:` loads as '' (face-recognition's VNF node), which is no properties at all.
    const rawProps = node['properties'];
    const props = rawProps === undefined || rawProps === null || rawProps === '' ? {} : rawProps;
    if (!isMapping(props)) throw invalidPackage(`node template ${id}: properties is not a mapping`, what);
    const at = `${id}.properties`;
    switch (base) {
      case VNF:
        if (info.vnf === null) info.vnf = readVnf(id, props, typeDefaults(declared, nodeTypes), values);
        else warnings.push(`several VNF nodes; ${info.vnf.nodeId} is used, ${id} ignored`);
        break;
      case VDU:
        info.vdus.push(readVdu(id, node, props, values, what));
        break;
      case VDU_CP:
        info.connectionPoints.push(readCp(id, node, props, values, what));
        break;
      case VIRTUAL_LINK:
        info.virtualLinks.push(readVirtualLink(id, props, values, at));
        break;
      case APP_CONFIGURATION:
        if (info.appConfiguration === null) info.appConfiguration = readAppConfiguration(props, values, `${what}: ${at}`);
        else warnings.push(`several app configuration nodes; the first is used, ${id} ignored`);
        break;
      default:
        break;
    }
  }
  return info;
}

/**
 * The TOSCA NFV type a node type stands for, following `derived_from` through the template's own `node_types`
 * (face-recognition declares `org.openecomp.resource.app.face_recognition` derived from `tosca.nodes.nfv.VNF`).
 * Types from `imports` are not loaded, so a chain leaving the template ends unknown.
 */
function baseType(type: string, nodeTypes: Mapping): string | undefined {
  let t = type;
  for (let hops = 0; hops < 16; hops++) {
    if (KNOWN_TYPES.has(t)) return t;
    const def = nodeTypes[t];
    if (!Object.hasOwn(nodeTypes, t) || !isMapping(def) || typeof def['derived_from'] !== 'string') return undefined;
    t = def['derived_from'];
  }
  return undefined;
}

/** `default:` values of a template-local node type's properties (face-recognition's VNF has only these). */
function typeDefaults(type: string, nodeTypes: Mapping): Mapping {
  const out: Mapping = {};
  let t = type;
  for (let hops = 0; hops < 16 && Object.hasOwn(nodeTypes, t); hops++) {
    const def = nodeTypes[t];
    if (!isMapping(def)) break;
    const props = def['properties'];
    if (isMapping(props)) {
      for (const [k, p] of Object.entries(props)) if (!Object.hasOwn(out, k) && isMapping(p) && 'default' in p) out[k] = p['default'];
    }
    if (typeof def['derived_from'] !== 'string') break;
    t = def['derived_from'];
  }
  return out;
}

function readInputs(raw: unknown, what: string): AppInput[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!isMapping(raw)) throw invalidPackage('topology_template.inputs is not a mapping', what);
  return Object.entries(raw).map(([name, def]) => {
    const d = isMapping(def) ? def : {};
    const input: AppInput = { name, type: typeof d['type'] === 'string' && d['type'] !== '' ? d['type'] : 'string' };
    const dflt = d['default'];
    // An empty `default:` loads as '' (all scalars are strings), which cannot be told from `default: ''`: both mean
    // "no default" here. A structured default is kept as its JSON text.
    if (typeof dflt === 'string' && dflt !== '') input.default = dflt;
    else if (dflt !== undefined && dflt !== null && typeof dflt !== 'string') input.default = JSON.stringify(dflt);
    if (typeof d['description'] === 'string' && d['description'] !== '') input.description = d['description'];
    return input;
  });
}

function readVnf(nodeId: string, props: Mapping, defaults: Mapping, values: ValueReader): VnfInfo {
  const pick = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = values.text(props[k] ?? defaults[k], `${nodeId}.${k}`);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return dropUndefined({
    nodeId,
    vnfdId: pick('vnfd_id', 'descriptor_id'),
    provider: pick('provider'),
    productName: pick('product_name'),
    softwareVersion: pick('software_version'),
    vnfdVersion: pick('vnfd_version', 'descriptor_version'),
  });
}

function readVdu(id: string, node: Mapping, props: Mapping, values: ValueReader, what: string): Vdu {
  const at = (f: string) => `${id}.${f}`;
  const compute = path(node, ['capabilities', 'virtual_compute', 'properties']);
  const cpu = path(compute, ['virtual_cpu']);
  const profile = path(props, ['vdu_profile']);
  // SOL001 makes virtual_local_storage a list; EdgeGallery writes a single mapping.
  const rawStorage = path(compute, ['virtual_local_storage']);
  const storage: unknown = Array.isArray(rawStorage) ? (rawStorage as unknown[])[0] : rawStorage;
  const swImageData = props['sw_image_data'];
  if (swImageData !== undefined && swImageData !== null && swImageData !== '' && !isMapping(swImageData)) {
    throw invalidPackage(`node template ${id}: sw_image_data is not a mapping`, what);
  }
  let swImageName = values.text(path(swImageData, ['name']), at('sw_image_data.name'));
  const image = values.text(props['image'], at('image'));
  if (swImageName === undefined && image !== undefined) {
    const tag = values.text(props['image_version'], at('image_version'));
    swImageName = tag === undefined ? image : `${image}:${tag}`;
  }
  return dropUndefined({
    id,
    name: values.text(props['name'], at('name')) ?? id,
    description: values.text(props['description'], at('description')),
    swImageName,
    numVirtualCpu: values.int(path(cpu, ['num_virtual_cpu']), at('num_virtual_cpu')),
    cpuArchitecture: values.text(path(cpu, ['cpu_architecture']), at('cpu_architecture')),
    virtualMemMb: values.size(path(compute, ['virtual_memory', 'virtual_mem_size']), 'MB', at('virtual_mem_size')),
    storageGb: values.size(path(storage, ['size_of_storage']), 'GB', at('size_of_storage')),
    minInstances: values.int(path(profile, ['min_number_of_instances']), at('min_number_of_instances')),
    maxInstances: values.int(path(profile, ['max_number_of_instances']), at('max_number_of_instances')),
    initialInstances: values.int(path(profile, ['initial_number_of_instances']), at('initial_number_of_instances')),
    hasUserData: hasUserData(path(props, ['bootdata', 'user_data'])),
  });
}

function hasUserData(userData: unknown): boolean {
  if (typeof userData === 'string') return userData.trim() !== '';
  const contents = path(userData, ['contents']);
  return typeof contents === 'string' && contents.trim() !== '';
}

function readCp(id: string, node: Mapping, props: Mapping, values: ValueReader, what: string): ConnectionPoint {
  const at = (f: string) => `${id}.${f}`;
  const reqs = requirements(node['requirements'], `node template ${id}`, what);
  return dropUndefined({
    id,
    vnicName: values.text(props['vnic_name'], at('vnic_name')),
    order: values.int(props['order'], at('order')),
    vnicType: values.text(props['vnic_type'], at('vnic_type')),
    portSecurityEnabled: values.bool(props['port_security_enabled'], at('port_security_enabled')),
    virtualBinding: reqs.get('virtual_binding'),
    virtualLink: reqs.get('virtual_link'),
  });
}

/**
 * Requirements as target node names. TOSCA writes them as a list of one-key mappings whose value is the node
 * name (`- virtual_link: MEC_APP_VL0`) or a mapping with `node:` (face-recognition); the first of each kind wins.
 */
function requirements(raw: unknown, where: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null || raw === '') return out;
  const items = Array.isArray(raw) ? raw : isMapping(raw) ? Object.entries(raw).map(([k, v]) => ({ [k]: v })) : null;
  if (items === null) throw invalidPackage(`${where}: requirements is not a list`, what);
  for (const item of items) {
    if (!isMapping(item)) continue;
    for (const [name, target] of Object.entries(item)) {
      const node = typeof target === 'string' ? target : isMapping(target) && typeof target['node'] === 'string' ? target['node'] : undefined;
      if (node !== undefined && node !== '' && !out.has(name)) out.set(name, node);
    }
  }
  return out;
}

function readVirtualLink(id: string, props: Mapping, values: ValueReader, at: string): VirtualLink {
  const profile = path(props, ['vl_profile']);
  // EdgeGallery writes snake_case (network_name); the face-recognition template writes camelCase (networkName).
  const field = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = values.text(path(profile, [k]), `${at}.vl_profile.${k}`);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return dropUndefined({
    id,
    networkName: field('network_name', 'networkName'),
    networkType: field('network_type', 'networkType'),
    physicalNetwork: field('physical_network', 'physicalNetwork'),
    segmentationId: field('provider_segmentation_id', 'segmentation_id', 'segmentationId'),
  });
}

function readAppConfiguration(props: Mapping, values: ValueReader, where: string): AppConfiguration {
  const conf: AppConfiguration = {
    servicesRequired: readServices(props['appServiceRequired'], 'appServiceRequired', values, where),
    servicesOptional: readServices(props['appServiceOptional'], 'appServiceOptional', values, where),
    servicesProduced: readServices(props['appServiceProduced'], 'appServiceProduced', values, where),
    trafficRules: list(props['appTrafficRule'], 'appTrafficRule', where).map((r, i) => readTrafficRule(r, `appTrafficRule[${i}]`, values, where)),
    dnsRules: list(props['appDNSRule'], 'appDNSRule', where).map((r, i) => readDnsRule(r, `appDNSRule[${i}]`, values, where)),
  };
  const appName = values.text(props['appName'], 'appName');
  if (appName !== undefined) conf.appName = appName;
  const mp1 = values.bool(props['appSupportMp1'], 'appSupportMp1');
  if (mp1 !== undefined) conf.appSupportMp1 = mp1;
  return conf;
}

function readServices(raw: unknown, key: string, values: ValueReader, where: string): AppService[] {
  return list(raw, key, where).map((s, i) => {
    const at = `${key}[${i}]`;
    if (!isMapping(s)) throw invalidPackage(`${where}.${at} is not a mapping`);
    const serName = values.text(s['serName'], `${at}.serName`);
    if (serName === undefined) throw invalidPackage(`${where}.${at} has no serName`);
    return dropUndefined({
      serName,
      version: values.text(s['version'], `${at}.version`),
      requestedPermissions: values.bool(s['requestedPermissions'], `${at}.requestedPermissions`),
    });
  });
}

function readTrafficRule(raw: unknown, at: string, values: ValueReader, where: string): TrafficRule {
  if (!isMapping(raw)) throw invalidPackage(`${where}.${at} is not a mapping`);
  const trafficRuleId = values.text(raw['trafficRuleId'], `${at}.trafficRuleId`);
  if (trafficRuleId === undefined) throw invalidPackage(`${where}.${at} has no trafficRuleId`);
  const filters = list(raw['trafficFilter'], `${at}.trafficFilter`, where).map((f, i) => readTrafficFilter(f, `${at}.trafficFilter[${i}]`, values, where));
  const dst = raw['dstInterface'];
  const dstList = isMapping(dst) ? [dst] : list(dst, `${at}.dstInterface`, where);
  return dropUndefined({
    trafficRuleId,
    filterType: values.text(raw['filterType'], `${at}.filterType`),
    priority: values.int(raw['priority'], `${at}.priority`),
    action: values.text(raw['action'], `${at}.action`),
    trafficFilters: filters,
    dstInterfaces: dstList.map((d, i) => readDstInterface(d, `${at}.dstInterface[${i}]`, values, where)),
  });
}

const FILTER_LISTS = ['srcAddress', 'dstAddress', 'srcPort', 'dstPort', 'protocol', 'tag', 'srcTunnelAddress', 'tgtTunnelAddress', 'srcTunnelPort', 'dstTunnelPort'] as const;

function readTrafficFilter(raw: unknown, at: string, values: ValueReader, where: string): TrafficFilter {
  if (!isMapping(raw)) throw invalidPackage(`${where}.${at} is not a mapping`);
  const lists = Object.fromEntries(FILTER_LISTS.map((k) => [k, values.textList(raw[k], `${at}.${k}`)])) as Record<(typeof FILTER_LISTS)[number], string[]>;
  return dropUndefined({
    ...lists,
    qCI: values.int(raw['qCI'], `${at}.qCI`),
    dSCP: values.int(raw['dSCP'], `${at}.dSCP`),
    tC: values.int(raw['tC'], `${at}.tC`),
  });
}

function readDstInterface(raw: unknown, at: string, values: ValueReader, where: string): DstInterface {
  if (!isMapping(raw)) throw invalidPackage(`${where}.${at} is not a mapping`);
  const tunnel = raw['tunnelInfo'];
  const out: DstInterface = dropUndefined({
    interfaceType: values.text(raw['interfaceType'], `${at}.interfaceType`),
    srcMacAddress: values.text(raw['srcMacAddress'], `${at}.srcMacAddress`),
    dstMacAddress: values.text(raw['dstMacAddress'], `${at}.dstMacAddress`),
    dstIpAddress: values.text(raw['dstIpAddress'], `${at}.dstIpAddress`),
  });
  if (isMapping(tunnel)) {
    out.tunnelInfo = dropUndefined({
      tunnelType: values.text(tunnel['tunnelType'], `${at}.tunnelInfo.tunnelType`),
      tunnelDstAddress: values.text(tunnel['tunnelDstAddress'], `${at}.tunnelInfo.tunnelDstAddress`),
      tunnelSrcAddress: values.text(tunnel['tunnelSrcAddress'], `${at}.tunnelInfo.tunnelSrcAddress`),
    });
  }
  return out;
}

function readDnsRule(raw: unknown, at: string, values: ValueReader, where: string): DnsRule {
  if (!isMapping(raw)) throw invalidPackage(`${where}.${at} is not a mapping`);
  const dnsRuleId = values.text(raw['dnsRuleId'], `${at}.dnsRuleId`);
  if (dnsRuleId === undefined) throw invalidPackage(`${where}.${at} has no dnsRuleId`);
  const domainName = values.text(raw['domainName'], `${at}.domainName`);
  if (domainName === undefined) throw invalidPackage(`${where}.${at} has no domainName`);
  return dropUndefined({
    dnsRuleId,
    domainName,
    ipAddressType: values.text(raw['ipAddressType'], `${at}.ipAddressType`),
    ipAddress: values.text(raw['ipAddress'], `${at}.ipAddress`),
    ttl: values.int(raw['ttl'], `${at}.ttl`),
  });
}

/** A YAML list; an empty value (every entry commented out, as in the etherpad fixture) is an empty list. */
function list(raw: unknown, key: string, where: string): unknown[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) throw invalidPackage(`${where}.${key} is not a list`);
  return raw;
}

function path(v: unknown, keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isMapping(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function scalarMap(raw: unknown): Record<string, string> {
  if (!isMapping(raw)) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Value coercion and get_input
// ---------------------------------------------------------------------------------------------------------------

/**
 * Turns template values into typed fields.
 *
 * `{get_input: x}` resolves to input x's default when it has a non-empty one; otherwise the field holds the text
 * `${x}`, a reference to be supplied at instantiation (vm-openstack's `mep_ip`). A reference in a numeric or
 * boolean field that cannot be resolved leaves the field absent (with a warning). Other TOSCA functions
 * (`concat`, `get_attribute`...) are not evaluated: the field is left absent with a warning.
 */
class ValueReader {
  private readonly defaults = new Map<string, string | undefined>();

  constructor(
    inputs: AppInput[],
    private readonly warnings: string[],
  ) {
    for (const i of inputs) this.defaults.set(i.name, i.default);
  }

  /** A scalar as text; numbers and booleans (from JSON-ish sources) are stringified, never reformatted. */
  text(raw: unknown, at: string): string | undefined {
    const v = this.resolve(raw, at);
    if (typeof v === 'string') return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v !== undefined && v !== null) this.warnings.push(`${at}: expected a scalar, ignored`);
    return undefined;
  }

  /** A list of scalars as text; a lone scalar is a one-element list. */
  textList(raw: unknown, at: string): string[] {
    if (raw === undefined || raw === null || raw === '') return [];
    const items = Array.isArray(raw) ? raw : [raw];
    return items.flatMap((item, i) => {
      const t = this.text(item, `${at}[${i}]`);
      return t === undefined ? [] : [t];
    });
  }

  int(raw: unknown, at: string): number | undefined {
    const t = this.text(raw, at);
    if (t === undefined || t.startsWith('${')) return this.unresolved(t, at);
    if (/^[+-]?\d+$/.test(t.trim())) return Number.parseInt(t.trim(), 10);
    this.warnings.push(`${at}: "${t}" is not an integer, ignored`);
    return undefined;
  }

  bool(raw: unknown, at: string): boolean | undefined {
    const t = this.text(raw, at);
    if (t === undefined || t.startsWith('${')) return this.unresolved(t, at);
    const l = t.trim().toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    this.warnings.push(`${at}: "${t}" is not a boolean, ignored`);
    return undefined;
  }

  /**
   * A TOSCA scalar-unit size converted to MiB or GiB. Units are read in binary steps whatever their spelling
   * (MB and MiB alike), as Nova sizes flavors; a bare number is already in the target unit.
   */
  size(raw: unknown, target: 'MB' | 'GB', at: string): number | undefined {
    const t = this.text(raw, at);
    if (t === undefined || t.startsWith('${')) return this.unresolved(t, at);
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(t);
    const exp = m ? UNIT_EXPONENT[(m[2] ?? '').toLowerCase().replace(/i?b$/, '')] : undefined;
    if (!m || exp === undefined) {
      this.warnings.push(`${at}: "${t}" is not a size, ignored`);
      return undefined;
    }
    const unit = m[2] === '' ? (target === 'MB' ? 2 : 3) : exp;
    return Math.round(Number(m[1]) * 1024 ** (unit - (target === 'MB' ? 2 : 3)));
  }

  private unresolved(t: string | undefined, at: string): undefined {
    if (t !== undefined) this.warnings.push(`${at}: ${t} has no default to resolve to, left out`);
    return undefined;
  }

  private resolve(raw: unknown, at: string): unknown {
    if (!isMapping(raw)) return raw;
    const keys = Object.keys(raw);
    if (keys.length !== 1) return raw;
    const fn = keys[0] ?? '';
    if (fn === 'get_input') {
      const arg = raw[fn];
      const name = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
      if (name === undefined) {
        this.warnings.push(`${at}: get_input without an input name, ignored`);
        return undefined;
      }
      if (!this.defaults.has(name)) this.warnings.push(`${at}: get_input names ${name}, which is not declared in inputs`);
      return this.defaults.get(name) ?? `\${${name}}`;
    }
    if (/^(concat|join|token|get_attribute|get_property|get_artifact|get_operation_output)$/.test(fn)) {
      this.warnings.push(`${at}: ${fn} is not evaluated, left out`);
      return undefined;
    }
    return raw;
  }
}

/** Binary exponent of a size unit after its trailing `B`/`iB` is removed: `''` stands for bytes. */
const UNIT_EXPONENT: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

// ---------------------------------------------------------------------------------------------------------------
// SwImageDesc.json
// ---------------------------------------------------------------------------------------------------------------

const SW_IMAGE_TEXT = ['id', 'name', 'version', 'checksum', 'containerFormat', 'diskFormat', 'architecture', 'swImage', 'operatingSystem'] as const;
const SW_IMAGE_NUMBERS = ['minDisk', 'minRam', 'size'] as const;
const SW_IMAGE_VIRT = ['supportedVirtualisationEnvironment', 'supportedVirtualizationEnvironment'];
const KNOWN_SW_IMAGE_KEYS = new Set<string>([...SW_IMAGE_TEXT, ...SW_IMAGE_NUMBERS, ...SW_IMAGE_VIRT]);
/** More images than this is not a real application. */
export const MAX_SW_IMAGES = 1024;

/** Parses `Image/SwImageDesc.json`: a JSON array of objects, each with a `name`. */
export function parseSwImageDesc(text: string, what: string): SwImage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw invalidPackage(`not valid JSON (${e instanceof Error ? e.message : String(e)})`, what);
  }
  if (!Array.isArray(doc)) throw invalidPackage('must be a JSON array of image descriptors', what);
  if (doc.length > MAX_SW_IMAGES) throw invalidPackage(`more than ${MAX_SW_IMAGES} image descriptors`, what);
  return doc.map((entry, i) => readSwImage(entry, `${what}[${i}]`));
}

function readSwImage(entry: unknown, at: string): SwImage {
  if (!isMapping(entry)) throw invalidPackage('is not an object', at);
  const text = (k: string): string | undefined => {
    const v = entry[k];
    if (typeof v === 'string') return v === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v === undefined || v === null) return undefined;
    throw invalidPackage(`${k} must be a string`, at);
  };
  const num = (k: string): number | undefined => {
    const v = entry[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    if (v === undefined || v === null || v === '') return undefined;
    throw invalidPackage(`${k} must be a non-negative number`, at);
  };
  const name = text('name');
  if (name === undefined) throw invalidPackage('has no name', at);
  const image: SwImage = { name, otherProperties: [] };
  for (const k of SW_IMAGE_TEXT) {
    const v = text(k);
    if (v !== undefined) image[k] = v;
  }
  for (const k of SW_IMAGE_NUMBERS) {
    const v = num(k);
    if (v !== undefined) image[k] = v;
  }
  const virt = text('supportedVirtualisationEnvironment') ?? text('supportedVirtualizationEnvironment');
  if (virt !== undefined) image.supportedVirtualisationEnvironment = virt;
  image.otherProperties = Object.entries(entry)
    .filter(([k, v]) => !KNOWN_SW_IMAGE_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => ({ name: k, value: String(v as string | number | boolean) }));
  return image;
}

// ---------------------------------------------------------------------------------------------------------------
// Container or VM
// ---------------------------------------------------------------------------------------------------------------

/** Glance disk formats: an image descriptor with one of these describes a VM disk. */
export const VM_DISK_FORMATS = new Set(['qcow2', 'raw', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ami', 'ari', 'aki', 'ploop']);

export const isVmImage = (img: SwImage): boolean => img.diskFormat !== undefined && VM_DISK_FORMATS.has(img.diskFormat.toLowerCase());

/**
 * Decides CONTAINER or VM, or refuses a package that has nothing to deploy:
 *
 * 1. manifest `app_class: vm` → VM (an explicit declaration; a chart next to it is ignored, with a warning);
 * 2. otherwise a Helm chart → CONTAINER. EdgeGallery container packages list their container images in
 *    SwImageDesc.json with `diskFormat: raw` too, so the disk format cannot tell the two apart while a chart is
 *    present;
 * 3. otherwise VM image descriptors (SwImageDesc entries with a VM disk format) → VM; a warning when no Vdu's
 *    `sw_image_data` names one of them (the Vdu is what osplugin boots);
 * 4. otherwise INVALID_PACKAGE: nothing to deploy. A VM package without any VM image descriptor is refused too.
 */
export function decideAppType(input: { appClass?: string; vdus: Vdu[]; swImages: SwImage[]; charts: ChartRef[] }, warnings: string[]): AppType {
  const appClass = input.appClass?.trim().toLowerCase();
  const vmImages = input.swImages.filter(isVmImage);
  const hasChart = input.charts.length > 0;
  if (!hasChart && vmImages.length === 0) {
    throw invalidPackage(
      input.swImages.length === 0
        ? 'nothing to deploy: no Helm chart under Artifacts/Deployment/Charts and no Image/SwImageDesc.json'
        : 'nothing to deploy: no Helm chart under Artifacts/Deployment/Charts and Image/SwImageDesc.json describes no VM image',
    );
  }
  if (appClass === 'vm' || !hasChart) {
    if (vmImages.length === 0) throw invalidPackage('the manifest says app_class vm, but Image/SwImageDesc.json describes no VM image');
    if (hasChart) warnings.push('the manifest says app_class vm: the Helm chart is not used');
    if (appClass === 'container') warnings.push('the manifest says app_class container, but there is no Helm chart: treated as a VM package');
    const names = new Set(vmImages.map((i) => i.name));
    if (!input.vdus.some((v) => v.swImageName !== undefined && names.has(v.swImageName))) {
      warnings.push('no Vdu sw_image_data names an image of Image/SwImageDesc.json');
    }
    return 'VM';
  }
  return 'CONTAINER';
}

// ---------------------------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------------------------

/**
 * Folds the manifest, the service template, the image descriptors and the charts into one descriptor.
 *
 * Identity comes from the manifest first, as the original stored it (app_product_name, app_package_version,
 * app_provider_id, app_package_description), then from the template: app_configuration.appName, the VNF node's
 * product_name / software_version / provider, the template metadata (vnfd_name, vnfd_version, template_author,
 * vnfd_description) and its description. A package without a name or a version is refused.
 */
export function buildAppDescriptor(
  parts: { template: ServiceTemplateInfo; manifest: ManifestMetadata | null; swImages: SwImage[]; charts: ChartRef[] },
  warnings: string[],
): AppDescriptor {
  const { template: t, manifest: m, swImages, charts } = parts;
  const md = t.metadata;
  const name = m?.appProductName ?? t.appConfiguration?.appName ?? t.vnf?.productName ?? md['vnfd_name'] ?? md['template_name'];
  if (name === undefined) throw invalidPackage('no application name (manifest app_product_name, app_configuration appName, VNF product_name or metadata vnfd_name)');
  const version = m?.appPackageVersion ?? t.vnf?.softwareVersion ?? t.vnf?.vnfdVersion ?? md['vnfd_version'] ?? md['template_version'];
  if (version === undefined) throw invalidPackage('no application version (manifest app_package_version, VNF software_version or metadata vnfd_version)');
  const provider = m?.appProviderId ?? t.vnf?.provider ?? md['template_author'];
  if (provider === undefined) warnings.push('no provider (manifest app_provider_id, VNF provider or metadata template_author)');
  const type = decideAppType({ appClass: m?.appClass, vdus: t.vdus, swImages, charts }, warnings);
  const appd: AppDescriptor = {
    name,
    version,
    provider: provider ?? '',
    description: m?.appPackageDescription ?? md['vnfd_description'] ?? t.description ?? '',
    type,
    vdus: t.vdus,
    connectionPoints: t.connectionPoints,
    virtualLinks: t.virtualLinks,
    inputs: t.inputs,
    appConfiguration: t.appConfiguration,
    swImages,
    charts,
  };
  const vnfdId = md['vnfd_id'] ?? t.vnf?.vnfdId;
  if (vnfdId !== undefined) appd.vnfdId = vnfdId;
  if (t.toscaDefinitionsVersion !== undefined) appd.toscaDefinitionsVersion = t.toscaDefinitionsVersion;
  return appd;
}
