import { graphql } from '../__generated__/gql.js';

export const OperationFields = graphql(`
  fragment OperationFields on LcmOperation {
    id
    tenantId
    type
    state
    instanceId
    packageId
    hostId
    params
    result
    error { code message details }
    progress
    attempts
    createdBy
    cancelRequested
    startedAt
    finishedAt
    rowVersion
    createdAt
    updatedAt
  }
`);

export const Operations = graphql(`
  query Operations($first: Int, $after: String, $filter: OperationFilterInput) {
    operations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...OperationFields } }
    }
  }
`);

export const Operation = graphql(`
  query Operation($id: ID!) {
    operation(id: $id) { ...OperationFields }
  }
`);
