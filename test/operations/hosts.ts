import { graphql } from '../__generated__/gql.js';

export const HostFields = graphql(`
  fragment HostFields on MecHost {
    id
    tenantId
    ip
    name
    zipCode
    city
    address
    affinity
    coordinates
    vim
    origin
    configStatus
    hwCapabilities { hwType hwVendor hwModel }
    rowVersion
    createdAt
    updatedAt
  }
`);

export const RegisterHost = graphql(`
  mutation RegisterHost($input: RegisterHostInput!, $key: String) {
    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }
  }
`);

export const UpdateHost = graphql(`
  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {
    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }
  }
`);

export const DeleteHost = graphql(`
  mutation DeleteHost($id: ID!, $key: String) {
    deleteHost(id: $id, idempotencyKey: $key) { id }
  }
`);

export const Hosts = graphql(`
  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {
    hosts(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...HostFields } }
    }
  }
`);

export const Host = graphql(`
  query Host($id: ID!) {
    host(id: $id) { ...HostFields }
  }
`);

export const Viewer = graphql(`
  query Viewer {
    viewer { userId userName tenantId role }
  }
`);
