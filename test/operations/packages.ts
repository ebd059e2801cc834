import { graphql } from '../__generated__/gql.js';

export const PackageFields = graphql(`
  fragment PackageFields on AppPackage {
    id
    appId
    tenantId
    name
    packageVersion
    provider
    description
    type
    sizeBytes
    receivedBytes
    sha256
    onboardingState
    failureReason
    sourceUrl
    operationalState
    usageState
    origin
    rowVersion
    createdAt
    updatedAt
  }
`);

export const PackageDetail = graphql(`
  query PackageDetail($id: ID!) {
    package(id: $id) {
      ...PackageFields
      appd {
        name
        version
        provider
        description
        type
        vnfdId
        toscaDefinitionsVersion
        vdus { id name description swImageName numVirtualCpu cpuArchitecture virtualMemMb storageGb minInstances maxInstances initialInstances hasUserData }
        connectionPoints { id vnicName order vnicType portSecurityEnabled virtualBinding virtualLink }
        virtualLinks { id networkName networkType physicalNetwork segmentationId }
        inputs { name type default description }
        appConfiguration {
          appName
          appSupportMp1
          servicesRequired { serName version requestedPermissions }
          servicesOptional { serName version requestedPermissions }
          servicesProduced { serName version requestedPermissions }
          trafficRules {
            trafficRuleId filterType priority action
            trafficFilters { srcAddress dstAddress srcPort dstPort protocol tag qCI dSCP tC }
            dstInterfaces { interfaceType srcMacAddress dstMacAddress dstIpAddress tunnelInfo { tunnelType tunnelDstAddress tunnelSrcAddress } }
          }
          dnsRules { dnsRuleId domainName ipAddressType ipAddress ttl }
        }
        swImages { id name version checksum containerFormat diskFormat minDisk minRam architecture size swImage operatingSystem supportedVirtualisationEnvironment otherProperties { name value } }
        charts { path name version appVersion }
      }
      integrity { policy signed verified mismatched absent entries { source algorithm expected actual status } }
      artifacts { path sizeBytes kind }
      distributions { id state error }
    }
  }
`);

export const PackageState = graphql(`
  query PackageState($id: ID!) {
    package(id: $id) { id onboardingState failureReason receivedBytes sizeBytes sha256 sourceUrl }
  }
`);

export const Packages = graphql(`
  query Packages($first: Int, $after: String, $filter: PackageFilterInput) {
    packages(first: $first, after: $after, filter: $filter) {
      totalCount
      edges { cursor node { id name type onboardingState operationalState tenantId } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const OnboardPackage = graphql(`
  mutation OnboardPackage($input: OnboardPackageInput!, $key: String) {
    onboardPackage(input: $input, idempotencyKey: $key) { id onboardingState sourceUrl tenantId }
  }
`);

export const SetPackageOperationalState = graphql(`
  mutation SetPackageOperationalState($id: ID!, $state: OperationalState!, $expectedVersion: Int, $key: String) {
    setPackageOperationalState(id: $id, state: $state, expectedVersion: $expectedVersion, idempotencyKey: $key) { id operationalState rowVersion }
  }
`);

export const DeletePackage = graphql(`
  mutation DeletePackage($id: ID!, $key: String) {
    deletePackage(id: $id, idempotencyKey: $key) { id }
  }
`);
