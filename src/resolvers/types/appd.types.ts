import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PackageType } from '../../db/entities/index.js';

// GraphQL shapes of the parsed package (src/packages/appd.ts and csar-parser.ts). The parser's interfaces are the
// source of truth; these classes only describe them to GraphQL, and the JSON stored on the package row is served
// as is. Version-like values are strings on purpose ("1.10" is not 1.1).

export enum IntegrityStatus {
  VERIFIED = 'VERIFIED',
  MISMATCH = 'MISMATCH',
  ABSENT = 'ABSENT',
}
registerEnumType(IntegrityStatus, {
  name: 'IntegrityStatus',
  description: 'Manifest digest check: VERIFIED (matches), MISMATCH (differs or unsupported algorithm), ABSENT (file missing)',
});

export enum IntegrityPolicy {
  LENIENT = 'LENIENT',
  STRICT = 'STRICT',
}
registerEnumType(IntegrityPolicy, { name: 'IntegrityPolicy', description: 'LENIENT records mismatches; STRICT refuses the package' });

export enum ArtifactKind {
  MANIFEST = 'MANIFEST',
  META = 'META',
  APPD = 'APPD',
  CHART = 'CHART',
  IMAGE_DESCRIPTOR = 'IMAGE_DESCRIPTOR',
  IMAGE = 'IMAGE',
  DOC = 'DOC',
  OTHER = 'OTHER',
}
registerEnumType(ArtifactKind, { name: 'ArtifactKind' });

@ObjectType({ description: 'A tosca.nodes.nfv.Vdu.Compute node: one workload with its virtual compute' })
export class Vdu {
  @Field({ description: 'Node template name (unique in the descriptor)' }) id!: string;
  @Field({ description: 'properties.name (not necessarily unique)' }) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => String, { nullable: true, description: 'Software image the VDU runs (sw_image_data.name, or image:version)' }) swImageName?: string;
  @Field(() => Int, { nullable: true }) numVirtualCpu?: number;
  @Field(() => String, { nullable: true }) cpuArchitecture?: string;
  @Field(() => Int, { nullable: true, description: 'Virtual memory in MiB' }) virtualMemMb?: number;
  @Field(() => Float, { nullable: true, description: 'Local storage in GiB' }) storageGb?: number;
  @Field(() => Int, { nullable: true }) minInstances?: number;
  @Field(() => Int, { nullable: true }) maxInstances?: number;
  @Field(() => Int, { nullable: true }) initialInstances?: number;
  @Field({ description: 'Carries a cloud-init user data script (VM apps)' }) hasUserData!: boolean;
}

@ObjectType({ description: 'A tosca.nodes.nfv.VduCp node: a VDU port' })
export class ConnectionPoint {
  @Field() id!: string;
  @Field(() => String, { nullable: true }) vnicName?: string;
  @Field(() => Int, { nullable: true }) order?: number;
  @Field(() => String, { nullable: true }) vnicType?: string;
  @Field(() => Boolean, { nullable: true }) portSecurityEnabled?: boolean;
  @Field(() => String, { nullable: true, description: 'Id of the VDU the port belongs to' }) virtualBinding?: string;
  @Field(() => String, { nullable: true, description: 'Id of the virtual link the port attaches to' }) virtualLink?: string;
}

@ObjectType({ description: 'A tosca.nodes.nfv.VnfVirtualLink node (its vl_profile)' })
export class VirtualLink {
  @Field() id!: string;
  @Field(() => String, { nullable: true }) networkName?: string;
  @Field(() => String, { nullable: true }) networkType?: string;
  @Field(() => String, { nullable: true }) physicalNetwork?: string;
  @Field(() => String, { nullable: true, description: 'Text: real packages put placeholders here' }) segmentationId?: string;
}

@ObjectType({ description: 'A topology_template input with its default (as text)' })
export class AppInput {
  @Field() name!: string;
  @Field() type!: string;
  @Field(() => String, { nullable: true }) default?: string;
  @Field(() => String, { nullable: true }) description?: string;
}

@ObjectType({ description: 'A MEP service the app requires, may use or produces' })
export class AppService {
  @Field() serName!: string;
  @Field(() => String, { nullable: true }) version?: string;
  @Field(() => Boolean, { nullable: true }) requestedPermissions?: boolean;
}

@ObjectType({ description: 'ETSI MEC 010-2 traffic filter' })
export class TrafficFilter {
  @Field(() => [String]) srcAddress!: string[];
  @Field(() => [String]) dstAddress!: string[];
  @Field(() => [String]) srcPort!: string[];
  @Field(() => [String]) dstPort!: string[];
  @Field(() => [String]) protocol!: string[];
  @Field(() => [String]) tag!: string[];
  @Field(() => [String]) srcTunnelAddress!: string[];
  @Field(() => [String]) tgtTunnelAddress!: string[];
  @Field(() => [String]) srcTunnelPort!: string[];
  @Field(() => [String]) dstTunnelPort!: string[];
  @Field(() => Int, { nullable: true }) qCI?: number;
  @Field(() => Int, { nullable: true }) dSCP?: number;
  @Field(() => Int, { nullable: true }) tC?: number;
}

@ObjectType()
export class TunnelInfo {
  @Field(() => String, { nullable: true }) tunnelType?: string;
  @Field(() => String, { nullable: true }) tunnelDstAddress?: string;
  @Field(() => String, { nullable: true }) tunnelSrcAddress?: string;
}

@ObjectType()
export class DstInterface {
  @Field(() => String, { nullable: true }) interfaceType?: string;
  @Field(() => TunnelInfo, { nullable: true }) tunnelInfo?: TunnelInfo;
  @Field(() => String, { nullable: true }) srcMacAddress?: string;
  @Field(() => String, { nullable: true }) dstMacAddress?: string;
  @Field(() => String, { nullable: true }) dstIpAddress?: string;
}

@ObjectType({ description: 'An appTrafficRule entry' })
export class TrafficRule {
  @Field() trafficRuleId!: string;
  @Field(() => String, { nullable: true }) filterType?: string;
  @Field(() => Int, { nullable: true }) priority?: number;
  @Field(() => String, { nullable: true }) action?: string;
  @Field(() => [TrafficFilter]) trafficFilters!: TrafficFilter[];
  @Field(() => [DstInterface]) dstInterfaces!: DstInterface[];
}

@ObjectType({ description: 'An appDNSRule entry' })
export class DnsRule {
  @Field() dnsRuleId!: string;
  @Field() domainName!: string;
  @Field(() => String, { nullable: true }) ipAddressType?: string;
  @Field(() => String, { nullable: true }) ipAddress?: string;
  @Field(() => Int, { nullable: true }) ttl?: number;
}

@ObjectType({ description: 'The tosca.nodes.nfv.app.configuration node: what the app asks of the MEP' })
export class AppConfiguration {
  @Field(() => String, { nullable: true }) appName?: string;
  @Field(() => Boolean, { nullable: true }) appSupportMp1?: boolean;
  @Field(() => [AppService], { description: 'appServiceRequired' }) servicesRequired!: AppService[];
  @Field(() => [AppService], { description: 'appServiceOptional' }) servicesOptional!: AppService[];
  @Field(() => [AppService], { description: 'appServiceProduced' }) servicesProduced!: AppService[];
  @Field(() => [TrafficRule], { description: 'appTrafficRule' }) trafficRules!: TrafficRule[];
  @Field(() => [DnsRule], { description: 'appDNSRule' }) dnsRules!: DnsRule[];
}

@ObjectType()
export class NameValue {
  @Field() name!: string;
  @Field() value!: string;
}

@ObjectType({ description: 'An Image/SwImageDesc.json entry' })
export class SwImage {
  @Field(() => String, { nullable: true }) id?: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) version?: string;
  @Field(() => String, { nullable: true }) checksum?: string;
  @Field(() => String, { nullable: true }) containerFormat?: string;
  @Field(() => String, { nullable: true }) diskFormat?: string;
  @Field(() => Float, { nullable: true, description: 'GiB' }) minDisk?: number;
  @Field(() => Float, { nullable: true, description: 'MiB' }) minRam?: number;
  @Field(() => String, { nullable: true }) architecture?: string;
  @Field(() => Float, { nullable: true, description: 'Bytes' }) size?: number;
  @Field(() => String, { nullable: true, description: 'URL, registry reference or path inside the package' }) swImage?: string;
  @Field(() => String, { nullable: true }) operatingSystem?: string;
  @Field(() => String, { nullable: true }) supportedVirtualisationEnvironment?: string;
  @Field(() => [NameValue], { description: 'Other properties (hw_disk_bus...), passed to the image service' }) otherProperties!: NameValue[];
}

@ObjectType({ description: 'A Helm chart of the package' })
export class ChartRef {
  @Field({ description: 'Path inside the package' }) path!: string;
  @Field() name!: string;
  @Field() version!: string;
  @Field(() => String, { nullable: true }) appVersion?: string;
}

@ObjectType({ description: 'The typed application descriptor (AppD) of a package' })
export class AppDescriptor {
  @Field() name!: string;
  @Field() version!: string;
  @Field() provider!: string;
  @Field() description!: string;
  @Field(() => PackageType) type!: PackageType;
  @Field(() => String, { nullable: true }) vnfdId?: string;
  @Field(() => String, { nullable: true }) toscaDefinitionsVersion?: string;
  @Field(() => [Vdu]) vdus!: Vdu[];
  @Field(() => [ConnectionPoint]) connectionPoints!: ConnectionPoint[];
  @Field(() => [VirtualLink]) virtualLinks!: VirtualLink[];
  @Field(() => [AppInput]) inputs!: AppInput[];
  @Field(() => AppConfiguration, { nullable: true }) appConfiguration!: AppConfiguration | null;
  @Field(() => [SwImage]) swImages!: SwImage[];
  @Field(() => [ChartRef]) charts!: ChartRef[];
}

@ObjectType({ description: 'One manifest Source/Algorithm/Hash block and what the package holds' })
export class IntegrityEntry {
  @Field({ description: 'Path the manifest names' }) source!: string;
  @Field() algorithm!: string;
  @Field() expected!: string;
  @Field(() => String, { nullable: true, description: 'Digest computed from the package' }) actual!: string | null;
  @Field(() => IntegrityStatus) status!: IntegrityStatus;
}

@ObjectType({ description: 'Manifest digest results for the package' })
export class PackageIntegrity {
  @Field(() => IntegrityPolicy) policy!: IntegrityPolicy;
  @Field({ description: 'The manifest carries a CMS signature block (reported, not verified)' }) signed!: boolean;
  @Field(() => [IntegrityEntry]) entries!: IntegrityEntry[];
  @Field(() => Int, { description: 'Entries VERIFIED' }) verified!: number;
  @Field(() => Int, { description: 'Entries MISMATCH' }) mismatched!: number;
  @Field(() => Int, { description: 'Entries ABSENT' }) absent!: number;
}

@ObjectType({ description: 'A file of the package' })
export class PackageArtifact {
  @Field({ description: 'Path relative to the package root' }) path!: string;
  @Field(() => Float) sizeBytes!: number;
  @Field(() => ArtifactKind) kind!: ArtifactKind;
}
