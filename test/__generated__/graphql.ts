/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type ArtifactKind =
  | 'APPD'
  | 'CHART'
  | 'DOC'
  | 'IMAGE'
  | 'IMAGE_DESCRIPTOR'
  | 'MANIFEST'
  | 'META'
  | 'OTHER';

export type DistributionState =
  | 'DELETING'
  | 'DISTRIBUTED'
  | 'DISTRIBUTING'
  | 'ERROR';

/** Whether the host VIM configuration was accepted by its plugin */
export type HostConfigStatus =
  | 'NOT_UPLOADED'
  | 'UPLOADED';

export type HostFilterInput = {
  city?: string | null | undefined;
  configStatus?: HostConfigStatus | null | undefined;
  ip?: string | null | undefined;
  nameContains?: string | null | undefined;
  /** Owner tenant; admins use it to look at one tenant */
  tenantId?: string | null | undefined;
  vim?: string | null | undefined;
};

export type HwCapabilityInput = {
  hwModel?: string;
  hwType: string;
  hwVendor?: string;
};

/** LENIENT records mismatches; STRICT refuses the package */
export type IntegrityPolicy =
  | 'LENIENT'
  | 'STRICT';

/** Manifest digest check: VERIFIED (matches), MISMATCH (differs or unsupported algorithm), ABSENT (file missing) */
export type IntegrityStatus =
  | 'ABSENT'
  | 'MISMATCH'
  | 'VERIFIED';

/** Pull a package from an http(s) URL (ETSI MEC 010-2 style) */
export type OnboardPackageInput = {
  /** Client-chosen app id (at most 32) */
  appId?: string | null | undefined;
  /** SHA-256 of the package (hex, optionally prefixed sha256:) */
  checksum: string;
  origin?: string | null | undefined;
  /** Client-chosen package id (A-Z a-z 0-9 _ -, at most 64) */
  packageId?: string | null | undefined;
  /** Owner tenant (admins only) */
  tenantId?: string | null | undefined;
  /** http or https URL of the CSAR */
  url: string;
};

export type OnboardingState =
  | 'CREATED'
  | 'FAILED'
  | 'ONBOARDED'
  | 'PROCESSING'
  | 'UPLOADING';

export type OperationalState =
  | 'DISABLED'
  | 'ENABLED';

export type PackageFilterInput = {
  appId?: string | null | undefined;
  nameContains?: string | null | undefined;
  onboardingState?: OnboardingState | null | undefined;
  operationalState?: OperationalState | null | undefined;
  type?: PackageType | null | undefined;
};

export type PackageType =
  | 'CONTAINER'
  | 'VM';

/** How a host stands with respect to the plugin of its VIM type */
export type PluginAvailability =
  /** A plugin serves the VIM type and passed its last health check */
  | 'AVAILABLE'
  /** No plugin is configured for the VIM type: operations on the host fail with PLUGIN_UNAVAILABLE */
  | 'MISSING'
  /** A plugin is configured but failed its last health check */
  | 'UNAVAILABLE'
  /** A plugin is configured and not checked yet */
  | 'UNKNOWN';

/** A new edge host. Field rules follow the original lcmcontroller. */
export type RegisterHostInput = {
  address?: string | null | undefined;
  affinity?: string | null | undefined;
  city?: string | null | undefined;
  coordinates?: string | null | undefined;
  hwCapabilities?: Array<HwCapabilityInput> | null | undefined;
  /** IPv4 address */
  ip: string;
  /** Letters and digits, - or _ inside; at most 128 bytes */
  name: string;
  /** MEO (default), MEPM or another origin */
  origin?: string | null | undefined;
  /** Owner tenant (admins only). Admins omitting it register a shared host. */
  tenantId?: string | null | undefined;
  /** VIM type selecting the plugin; default k8s */
  vim?: string | null | undefined;
  zipCode?: string | null | undefined;
};

export type Role =
  | 'ADMIN'
  | 'GUEST'
  | 'TENANT';

/** Fields to change; omitted fields keep their value */
export type UpdateHostInput = {
  address?: string | null | undefined;
  affinity?: string | null | undefined;
  city?: string | null | undefined;
  coordinates?: string | null | undefined;
  hwCapabilities?: Array<HwCapabilityInput> | null | undefined;
  ip?: string | null | undefined;
  name?: string | null | undefined;
  origin?: string | null | undefined;
  vim?: string | null | undefined;
  zipCode?: string | null | undefined;
};

export type UsageState =
  | 'IN_USE'
  | 'NOT_IN_USE';

export type HostFieldsFragment = { id: string, tenantId: string | null, ip: string, name: string, zipCode: string, city: string, address: string, affinity: string, coordinates: string, vim: string, origin: string, configStatus: HostConfigStatus, rowVersion: number, createdAt: string, updatedAt: string, hwCapabilities: Array<{ hwType: string, hwVendor: string, hwModel: string }> };

export type RegisterHostMutationVariables = Exact<{
  input: RegisterHostInput;
  key?: string | null | undefined;
}>;


export type RegisterHostMutation = { registerHost: { id: string, tenantId: string | null, ip: string, name: string, zipCode: string, city: string, address: string, affinity: string, coordinates: string, vim: string, origin: string, configStatus: HostConfigStatus, rowVersion: number, createdAt: string, updatedAt: string, hwCapabilities: Array<{ hwType: string, hwVendor: string, hwModel: string }> } };

export type UpdateHostMutationVariables = Exact<{
  id: string;
  input: UpdateHostInput;
  expectedVersion?: number | null | undefined;
  key?: string | null | undefined;
}>;


export type UpdateHostMutation = { updateHost: { id: string, tenantId: string | null, ip: string, name: string, zipCode: string, city: string, address: string, affinity: string, coordinates: string, vim: string, origin: string, configStatus: HostConfigStatus, rowVersion: number, createdAt: string, updatedAt: string, hwCapabilities: Array<{ hwType: string, hwVendor: string, hwModel: string }> } };

export type DeleteHostMutationVariables = Exact<{
  id: string;
  key?: string | null | undefined;
}>;


export type DeleteHostMutation = { deleteHost: { id: string } };

export type HostsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: HostFilterInput | null | undefined;
}>;


export type HostsQuery = { hosts: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, tenantId: string | null, ip: string, name: string, zipCode: string, city: string, address: string, affinity: string, coordinates: string, vim: string, origin: string, configStatus: HostConfigStatus, rowVersion: number, createdAt: string, updatedAt: string, hwCapabilities: Array<{ hwType: string, hwVendor: string, hwModel: string }> } }> } };

export type HostQueryVariables = Exact<{
  id: string;
}>;


export type HostQuery = { host: { id: string, tenantId: string | null, ip: string, name: string, zipCode: string, city: string, address: string, affinity: string, coordinates: string, vim: string, origin: string, configStatus: HostConfigStatus, rowVersion: number, createdAt: string, updatedAt: string, hwCapabilities: Array<{ hwType: string, hwVendor: string, hwModel: string }> } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { userId: string, userName: string, tenantId: string, role: Role } };

export type PackageFieldsFragment = { id: string, appId: string, tenantId: string, name: string, packageVersion: string, provider: string, description: string, type: PackageType | null, sizeBytes: number | null, receivedBytes: number, sha256: string | null, onboardingState: OnboardingState, failureReason: string | null, sourceUrl: string | null, operationalState: OperationalState, usageState: UsageState, origin: string, rowVersion: number, createdAt: string, updatedAt: string };

export type PackageDetailQueryVariables = Exact<{
  id: string;
}>;


export type PackageDetailQuery = { package: { id: string, appId: string, tenantId: string, name: string, packageVersion: string, provider: string, description: string, type: PackageType | null, sizeBytes: number | null, receivedBytes: number, sha256: string | null, onboardingState: OnboardingState, failureReason: string | null, sourceUrl: string | null, operationalState: OperationalState, usageState: UsageState, origin: string, rowVersion: number, createdAt: string, updatedAt: string, appd: { name: string, version: string, provider: string, description: string, type: PackageType, vnfdId: string | null, toscaDefinitionsVersion: string | null, vdus: Array<{ id: string, name: string, description: string | null, swImageName: string | null, numVirtualCpu: number | null, cpuArchitecture: string | null, virtualMemMb: number | null, storageGb: number | null, minInstances: number | null, maxInstances: number | null, initialInstances: number | null, hasUserData: boolean }>, connectionPoints: Array<{ id: string, vnicName: string | null, order: number | null, vnicType: string | null, portSecurityEnabled: boolean | null, virtualBinding: string | null, virtualLink: string | null }>, virtualLinks: Array<{ id: string, networkName: string | null, networkType: string | null, physicalNetwork: string | null, segmentationId: string | null }>, inputs: Array<{ name: string, type: string, default: string | null, description: string | null }>, appConfiguration: { appName: string | null, appSupportMp1: boolean | null, servicesRequired: Array<{ serName: string, version: string | null, requestedPermissions: boolean | null }>, servicesOptional: Array<{ serName: string, version: string | null, requestedPermissions: boolean | null }>, servicesProduced: Array<{ serName: string, version: string | null, requestedPermissions: boolean | null }>, trafficRules: Array<{ trafficRuleId: string, filterType: string | null, priority: number | null, action: string | null, trafficFilters: Array<{ srcAddress: Array<string>, dstAddress: Array<string>, srcPort: Array<string>, dstPort: Array<string>, protocol: Array<string>, tag: Array<string>, qCI: number | null, dSCP: number | null, tC: number | null }>, dstInterfaces: Array<{ interfaceType: string | null, srcMacAddress: string | null, dstMacAddress: string | null, dstIpAddress: string | null, tunnelInfo: { tunnelType: string | null, tunnelDstAddress: string | null, tunnelSrcAddress: string | null } | null }> }>, dnsRules: Array<{ dnsRuleId: string, domainName: string, ipAddressType: string | null, ipAddress: string | null, ttl: number | null }> } | null, swImages: Array<{ id: string | null, name: string, version: string | null, checksum: string | null, containerFormat: string | null, diskFormat: string | null, minDisk: number | null, minRam: number | null, architecture: string | null, size: number | null, swImage: string | null, operatingSystem: string | null, supportedVirtualisationEnvironment: string | null, otherProperties: Array<{ name: string, value: string }> }>, charts: Array<{ path: string, name: string, version: string, appVersion: string | null }> } | null, integrity: { policy: IntegrityPolicy, signed: boolean, verified: number, mismatched: number, absent: number, entries: Array<{ source: string, algorithm: string, expected: string, actual: string | null, status: IntegrityStatus }> } | null, artifacts: Array<{ path: string, sizeBytes: number, kind: ArtifactKind }>, distributions: Array<{ id: string, state: DistributionState, error: string | null }> } };

export type PackageStateQueryVariables = Exact<{
  id: string;
}>;


export type PackageStateQuery = { package: { id: string, onboardingState: OnboardingState, failureReason: string | null, receivedBytes: number, sizeBytes: number | null, sha256: string | null, sourceUrl: string | null } };

export type PackagesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: PackageFilterInput | null | undefined;
}>;


export type PackagesQuery = { packages: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, name: string, type: PackageType | null, onboardingState: OnboardingState, operationalState: OperationalState, tenantId: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OnboardPackageMutationVariables = Exact<{
  input: OnboardPackageInput;
  key?: string | null | undefined;
}>;


export type OnboardPackageMutation = { onboardPackage: { id: string, onboardingState: OnboardingState, sourceUrl: string | null, tenantId: string } };

export type SetPackageOperationalStateMutationVariables = Exact<{
  id: string;
  state: OperationalState;
  expectedVersion?: number | null | undefined;
  key?: string | null | undefined;
}>;


export type SetPackageOperationalStateMutation = { setPackageOperationalState: { id: string, operationalState: OperationalState, rowVersion: number } };

export type DeletePackageMutationVariables = Exact<{
  id: string;
  key?: string | null | undefined;
}>;


export type DeletePackageMutation = { deletePackage: { id: string } };

export type PluginsQueryVariables = Exact<{
  refresh?: boolean | null | undefined;
}>;


export type PluginsQuery = { plugins: Array<{ vimType: string, endpoint: string, source: string, tls: boolean, healthy: boolean | null, lastError: string | null, lastCheckedAt: string | null, capabilities: { vimTypes: Array<string>, protocolVersion: string, operations: Array<string>, pluginName: string, pluginVersion: string, maxReceiveMessageBytes: number } | null }> };

export type HostPluginStatusQueryVariables = Exact<{
  id: string;
}>;


export type HostPluginStatusQuery = { host: { id: string, vim: string, configStatus: HostConfigStatus, pluginStatus: PluginAvailability } };

export type UploadHostConfigMutationVariables = Exact<{
  hostId: string;
  content: string;
  key?: string | null | undefined;
}>;


export type UploadHostConfigMutation = { uploadHostConfig: { id: string, ip: string, configStatus: HostConfigStatus, pluginStatus: PluginAvailability, rowVersion: number } };

export type RemoveHostConfigMutationVariables = Exact<{
  hostId: string;
  key?: string | null | undefined;
}>;


export type RemoveHostConfigMutation = { removeHostConfig: { id: string, configStatus: HostConfigStatus } };

export const HostFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MecHost"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"zipCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"affinity"}},{"kind":"Field","name":{"kind":"Name","value":"coordinates"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"hwCapabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hwType"}},{"kind":"Field","name":{"kind":"Name","value":"hwVendor"}},{"kind":"Field","name":{"kind":"Name","value":"hwModel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostFieldsFragment, unknown>;
export const PackageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PackageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppPackage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"packageVersion"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"receivedBytes"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingState"}},{"kind":"Field","name":{"kind":"Name","value":"failureReason"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}},{"kind":"Field","name":{"kind":"Name","value":"operationalState"}},{"kind":"Field","name":{"kind":"Name","value":"usageState"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<PackageFieldsFragment, unknown>;
export const RegisterHostDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterHost"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterHostInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerHost"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MecHost"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"zipCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"affinity"}},{"kind":"Field","name":{"kind":"Name","value":"coordinates"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"hwCapabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hwType"}},{"kind":"Field","name":{"kind":"Name","value":"hwVendor"}},{"kind":"Field","name":{"kind":"Name","value":"hwModel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<RegisterHostMutation, RegisterHostMutationVariables>;
export const UpdateHostDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateHost"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateHostInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateHost"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MecHost"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"zipCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"affinity"}},{"kind":"Field","name":{"kind":"Name","value":"coordinates"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"hwCapabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hwType"}},{"kind":"Field","name":{"kind":"Name","value":"hwVendor"}},{"kind":"Field","name":{"kind":"Name","value":"hwModel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<UpdateHostMutation, UpdateHostMutationVariables>;
export const DeleteHostDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteHost"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteHost"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<DeleteHostMutation, DeleteHostMutationVariables>;
export const HostsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Hosts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"HostFilterInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hosts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MecHost"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"zipCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"affinity"}},{"kind":"Field","name":{"kind":"Name","value":"coordinates"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"hwCapabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hwType"}},{"kind":"Field","name":{"kind":"Name","value":"hwVendor"}},{"kind":"Field","name":{"kind":"Name","value":"hwModel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostsQuery, HostsQueryVariables>;
export const HostDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Host"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"host"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"HostFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"HostFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MecHost"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"zipCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"affinity"}},{"kind":"Field","name":{"kind":"Name","value":"coordinates"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"hwCapabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hwType"}},{"kind":"Field","name":{"kind":"Name","value":"hwVendor"}},{"kind":"Field","name":{"kind":"Name","value":"hwModel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<HostQuery, HostQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"userName"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const PackageDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PackageDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"package"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PackageFields"}},{"kind":"Field","name":{"kind":"Name","value":"appd"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"vnfdId"}},{"kind":"Field","name":{"kind":"Name","value":"toscaDefinitionsVersion"}},{"kind":"Field","name":{"kind":"Name","value":"vdus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"swImageName"}},{"kind":"Field","name":{"kind":"Name","value":"numVirtualCpu"}},{"kind":"Field","name":{"kind":"Name","value":"cpuArchitecture"}},{"kind":"Field","name":{"kind":"Name","value":"virtualMemMb"}},{"kind":"Field","name":{"kind":"Name","value":"storageGb"}},{"kind":"Field","name":{"kind":"Name","value":"minInstances"}},{"kind":"Field","name":{"kind":"Name","value":"maxInstances"}},{"kind":"Field","name":{"kind":"Name","value":"initialInstances"}},{"kind":"Field","name":{"kind":"Name","value":"hasUserData"}}]}},{"kind":"Field","name":{"kind":"Name","value":"connectionPoints"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vnicName"}},{"kind":"Field","name":{"kind":"Name","value":"order"}},{"kind":"Field","name":{"kind":"Name","value":"vnicType"}},{"kind":"Field","name":{"kind":"Name","value":"portSecurityEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"virtualBinding"}},{"kind":"Field","name":{"kind":"Name","value":"virtualLink"}}]}},{"kind":"Field","name":{"kind":"Name","value":"virtualLinks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"networkName"}},{"kind":"Field","name":{"kind":"Name","value":"networkType"}},{"kind":"Field","name":{"kind":"Name","value":"physicalNetwork"}},{"kind":"Field","name":{"kind":"Name","value":"segmentationId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"inputs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"default"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}},{"kind":"Field","name":{"kind":"Name","value":"appConfiguration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appName"}},{"kind":"Field","name":{"kind":"Name","value":"appSupportMp1"}},{"kind":"Field","name":{"kind":"Name","value":"servicesRequired"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"requestedPermissions"}}]}},{"kind":"Field","name":{"kind":"Name","value":"servicesOptional"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"requestedPermissions"}}]}},{"kind":"Field","name":{"kind":"Name","value":"servicesProduced"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"requestedPermissions"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trafficRules"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"trafficRuleId"}},{"kind":"Field","name":{"kind":"Name","value":"filterType"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"trafficFilters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"srcAddress"}},{"kind":"Field","name":{"kind":"Name","value":"dstAddress"}},{"kind":"Field","name":{"kind":"Name","value":"srcPort"}},{"kind":"Field","name":{"kind":"Name","value":"dstPort"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"tag"}},{"kind":"Field","name":{"kind":"Name","value":"qCI"}},{"kind":"Field","name":{"kind":"Name","value":"dSCP"}},{"kind":"Field","name":{"kind":"Name","value":"tC"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dstInterfaces"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"interfaceType"}},{"kind":"Field","name":{"kind":"Name","value":"srcMacAddress"}},{"kind":"Field","name":{"kind":"Name","value":"dstMacAddress"}},{"kind":"Field","name":{"kind":"Name","value":"dstIpAddress"}},{"kind":"Field","name":{"kind":"Name","value":"tunnelInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tunnelType"}},{"kind":"Field","name":{"kind":"Name","value":"tunnelDstAddress"}},{"kind":"Field","name":{"kind":"Name","value":"tunnelSrcAddress"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"dnsRules"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dnsRuleId"}},{"kind":"Field","name":{"kind":"Name","value":"domainName"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddressType"}},{"kind":"Field","name":{"kind":"Name","value":"ipAddress"}},{"kind":"Field","name":{"kind":"Name","value":"ttl"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"swImages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"checksum"}},{"kind":"Field","name":{"kind":"Name","value":"containerFormat"}},{"kind":"Field","name":{"kind":"Name","value":"diskFormat"}},{"kind":"Field","name":{"kind":"Name","value":"minDisk"}},{"kind":"Field","name":{"kind":"Name","value":"minRam"}},{"kind":"Field","name":{"kind":"Name","value":"architecture"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"swImage"}},{"kind":"Field","name":{"kind":"Name","value":"operatingSystem"}},{"kind":"Field","name":{"kind":"Name","value":"supportedVirtualisationEnvironment"}},{"kind":"Field","name":{"kind":"Name","value":"otherProperties"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"charts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"appVersion"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"integrity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"}},{"kind":"Field","name":{"kind":"Name","value":"signed"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"mismatched"}},{"kind":"Field","name":{"kind":"Name","value":"absent"}},{"kind":"Field","name":{"kind":"Name","value":"entries"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"algorithm"}},{"kind":"Field","name":{"kind":"Name","value":"expected"}},{"kind":"Field","name":{"kind":"Name","value":"actual"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"artifacts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"distributions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PackageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppPackage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"packageVersion"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"receivedBytes"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingState"}},{"kind":"Field","name":{"kind":"Name","value":"failureReason"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}},{"kind":"Field","name":{"kind":"Name","value":"operationalState"}},{"kind":"Field","name":{"kind":"Name","value":"usageState"}},{"kind":"Field","name":{"kind":"Name","value":"origin"}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<PackageDetailQuery, PackageDetailQueryVariables>;
export const PackageStateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PackageState"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"package"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingState"}},{"kind":"Field","name":{"kind":"Name","value":"failureReason"}},{"kind":"Field","name":{"kind":"Name","value":"receivedBytes"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}}]}}]}}]} as unknown as DocumentNode<PackageStateQuery, PackageStateQueryVariables>;
export const PackagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Packages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PackageFilterInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"packages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingState"}},{"kind":"Field","name":{"kind":"Name","value":"operationalState"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<PackagesQuery, PackagesQueryVariables>;
export const OnboardPackageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OnboardPackage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OnboardPackageInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"onboardPackage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"onboardingState"}},{"kind":"Field","name":{"kind":"Name","value":"sourceUrl"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]} as unknown as DocumentNode<OnboardPackageMutation, OnboardPackageMutationVariables>;
export const SetPackageOperationalStateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetPackageOperationalState"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"state"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OperationalState"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setPackageOperationalState"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"state"},"value":{"kind":"Variable","name":{"kind":"Name","value":"state"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"operationalState"}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}}]}}]}}]} as unknown as DocumentNode<SetPackageOperationalStateMutation, SetPackageOperationalStateMutationVariables>;
export const DeletePackageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeletePackage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletePackage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<DeletePackageMutation, DeletePackageMutationVariables>;
export const PluginsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Plugins"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refresh"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plugins"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refresh"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refresh"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vimType"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"tls"}},{"kind":"Field","name":{"kind":"Name","value":"healthy"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"}},{"kind":"Field","name":{"kind":"Name","value":"lastCheckedAt"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vimTypes"}},{"kind":"Field","name":{"kind":"Name","value":"protocolVersion"}},{"kind":"Field","name":{"kind":"Name","value":"operations"}},{"kind":"Field","name":{"kind":"Name","value":"pluginName"}},{"kind":"Field","name":{"kind":"Name","value":"pluginVersion"}},{"kind":"Field","name":{"kind":"Name","value":"maxReceiveMessageBytes"}}]}}]}}]}}]} as unknown as DocumentNode<PluginsQuery, PluginsQueryVariables>;
export const HostPluginStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HostPluginStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"host"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vim"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"pluginStatus"}}]}}]}}]} as unknown as DocumentNode<HostPluginStatusQuery, HostPluginStatusQueryVariables>;
export const UploadHostConfigDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadHostConfig"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"hostId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"content"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadHostConfig"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"hostId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"hostId"}}},{"kind":"Argument","name":{"kind":"Name","value":"content"},"value":{"kind":"Variable","name":{"kind":"Name","value":"content"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}},{"kind":"Field","name":{"kind":"Name","value":"pluginStatus"}},{"kind":"Field","name":{"kind":"Name","value":"rowVersion"}}]}}]}}]} as unknown as DocumentNode<UploadHostConfigMutation, UploadHostConfigMutationVariables>;
export const RemoveHostConfigDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveHostConfig"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"hostId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"key"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeHostConfig"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"hostId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"hostId"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"key"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"configStatus"}}]}}]}}]} as unknown as DocumentNode<RemoveHostConfigMutation, RemoveHostConfigMutationVariables>;