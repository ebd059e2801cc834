import { graphql } from '../__generated__/gql.js';

export const OperationUpdated = graphql(`
  subscription OperationUpdated($filter: OperationUpdateFilter, $after: String) {
    operationUpdated(filter: $filter, afterSequence: $after) {
      sequence
      operation {
        id
        tenantId
        type
        state
        instanceId
        packageId
        hostId
        params
        result
        error { code message }
        progress
        attempts
        cancelRequested
        rowVersion
        createdAt
        updatedAt
        startedAt
        finishedAt
      }
    }
  }
`);

export const AppInstanceUpdated = graphql(`
  subscription AppInstanceUpdated($filter: AppInstanceUpdateFilter, $after: String) {
    appInstanceUpdated(filter: $filter, afterSequence: $after) {
      sequence
      deleted
      packageId
      hostId
      appInstance { id tenantId name description instantiationState operationalState parameters origin rowVersion createdAt updatedAt }
    }
  }
`);

export const AppInstanceUpdatedWithRows = graphql(`
  subscription AppInstanceUpdatedWithRows($filter: AppInstanceUpdateFilter) {
    appInstanceUpdated(filter: $filter) {
      sequence
      appInstance { id name package { id } host { id ip } }
    }
  }
`);

export const PackageDistributionUpdated = graphql(`
  subscription PackageDistributionUpdated($filter: PackageDistributionUpdateFilter, $after: String) {
    packageDistributionUpdated(filter: $filter, afterSequence: $after) {
      sequence
      deleted
      id
      tenantId
      packageId
      hostId
      state
      error
      operationId
      createdAt
      updatedAt
      rowVersion
    }
  }
`);

export const WorkloadEvents = graphql(`
  subscription WorkloadEvents($appInstanceId: ID!, $after: String) {
    workloadEvents(appInstanceId: $appInstanceId, afterSequence: $after) {
      sequence
      appInstanceId
      hostId
      kind
      state
      reason
      objectKind
      objectName
      type
      message
      count
      observedAt
    }
  }
`);

/** The smallest operation subscription: what the fan-out benchmark and the flood tests use. */
export const OperationSequences = graphql(`
  subscription OperationSequences($after: String) {
    operationUpdated(afterSequence: $after) { sequence operation { id state } }
  }
`);
