import { graphql } from '../__generated__/gql.js';

export const AppInstanceFields = graphql(`
  fragment AppInstanceFields on AppInstance {
    id
    tenantId
    name
    description
    instantiationState
    operationalState
    parameters
    origin
    rowVersion
    createdAt
    updatedAt
  }
`);

export const AppInstances = graphql(`
  query AppInstances($first: Int, $after: String, $filter: AppInstanceFilterInput) {
    appInstances(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...AppInstanceFields } }
    }
  }
`);

export const AppInstancePage = graphql(`
  query AppInstancePage($first: Int, $after: String, $filter: AppInstanceFilterInput) {
    appInstances(first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage endCursor }
      edges { node { id name instantiationState package { id name packageVersion } host { id name ip } } }
    }
  }
`);

export const AppInstanceNested = graphql(`
  query AppInstanceNested($first: Int, $history: Int) {
    appInstances(first: $first) {
      edges {
        node {
          id
          package { id name }
          host { id name }
          activeOperation { id type state }
          operations(first: $history) { id type state createdAt }
        }
      }
    }
  }
`);

export const AppInstance = graphql(`
  query AppInstance($id: ID!) {
    appInstance(id: $id) {
      ...AppInstanceFields
      package { id name }
      host { id name ip vim }
      activeOperation { id type state }
      operations { id type state }
    }
  }
`);

export const InstanceStatusFields = graphql(`
  fragment InstanceStatusFields on InstanceStatus {
    appInstanceId
    state
    reason
    source
    observedAt
    workloads {
      kind
      name
      phase
      ready
      addresses
      containers { name state ready restarts image cpuUsage memoryUsage }
    }
    services { name type ports { name protocol port targetPort nodePort } }
  }
`);

export const AppInstanceLive = graphql(`
  query AppInstanceLive($id: ID!) {
    appInstance(id: $id) {
      id
      name
      host { id name }
      status { ...InstanceStatusFields }
      statusJson
      workloadEventsJson
    }
  }
`);

export const AppInstanceStatus = graphql(`
  query AppInstanceStatus($id: ID!) {
    appInstance(id: $id) {
      id
      status { ...InstanceStatusFields }
    }
  }
`);

export const AppInstancesLive = graphql(`
  query AppInstancesLive($first: Int, $filter: AppInstanceFilterInput) {
    appInstances(first: $first, filter: $filter) {
      edges { node { id status { state } } }
    }
  }
`);

export const HostKpi = graphql(`
  query HostKpi($id: ID!) {
    host(id: $id) { id name kpi }
  }
`);
