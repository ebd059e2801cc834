import { graphql } from '../__generated__/gql.js';

export const VmImageFields = graphql(`
  fragment VmImageFields on VmImage {
    id
    tenantId
    instanceId
    hostId
    vmId
    name
    status
    sizeBytes
    checksum
    diskFormat
    pluginImageId
    rowVersion
  }
`);

export const CreateVmImage = graphql(`
  mutation CreateVmImage($appInstanceId: ID!, $vmId: String!, $name: String!, $key: String) {
    createVmImage(appInstanceId: $appInstanceId, vmId: $vmId, name: $name, idempotencyKey: $key) { ...LcmOperationFields progress }
  }
`);

export const DeleteVmImage = graphql(`
  mutation DeleteVmImage($id: ID!, $key: String) {
    deleteVmImage(id: $id, idempotencyKey: $key) { ...LcmOperationFields }
  }
`);

export const VmImageById = graphql(`
  query VmImageById($id: ID!) { vmImage(id: $id) { ...VmImageFields } }
`);

export const VmImages = graphql(`
  query VmImages($first: Int, $after: String, $filter: VmImageFilterInput) {
    vmImages(first: $first, after: $after, filter: $filter) {
      totalCount
      edges { cursor node { ...VmImageFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ImageUpdated = graphql(`
  subscription ImageUpdated($filter: ImageUpdateFilter, $after: String) {
    imageUpdated(filter: $filter, afterSequence: $after) { sequence deleted image { ...VmImageFields } }
  }
`);

export const OperationProgress = graphql(`
  subscription OperationProgress($filter: OperationUpdateFilter) {
    operationUpdated(filter: $filter) { sequence operation { id state progress } }
  }
`);
