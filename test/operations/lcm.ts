import { graphql } from '../__generated__/gql.js';

export const LcmOperationFields = graphql(`
  fragment LcmOperationFields on LcmOperation {
    id
    type
    state
    tenantId
    instanceId
    packageId
    hostId
    params
    result
    error { code message details }
    attempts
    cancelRequested
    createdBy
    finishedAt
  }
`);

export const LcmDistribute = graphql(`
  mutation LcmDistribute($packageId: ID!, $hostIds: [ID!]!, $key: String) {
    distributePackage(packageId: $packageId, hostIds: $hostIds, idempotencyKey: $key) { ...LcmOperationFields }
  }
`);

export const LcmRemoveFromHost = graphql(`
  mutation LcmRemoveFromHost($packageId: ID!, $hostId: ID!) {
    removePackageFromHost(packageId: $packageId, hostId: $hostId) { ...LcmOperationFields }
  }
`);

export const LcmInstantiate = graphql(`
  mutation LcmInstantiate($input: InstantiateAppInput!, $key: String) {
    instantiateApp(input: $input, idempotencyKey: $key) { ...LcmOperationFields }
  }
`);

export const LcmTerminate = graphql(`
  mutation LcmTerminate($id: ID!, $options: TerminateOptions) {
    terminateApp(appInstanceId: $id, options: $options) { ...LcmOperationFields }
  }
`);

export const LcmOperate = graphql(`
  mutation LcmOperate($id: ID!, $action: OperateAction!) {
    operateApp(appInstanceId: $id, action: $action) { ...LcmOperationFields }
  }
`);

export const LcmBatchTerminate = graphql(`
  mutation LcmBatchTerminate($ids: [ID!]!) {
    batchTerminate(appInstanceIds: $ids) { appInstanceId operation { id state } error { code message } }
  }
`);

export const LcmRetry = graphql(`
  mutation LcmRetry($id: ID!) { retryOperation(id: $id) { ...LcmOperationFields } }
`);

export const LcmRollback = graphql(`
  mutation LcmRollback($id: ID!) { rollbackOperation(id: $id) { ...LcmOperationFields } }
`);

export const LcmFail = graphql(`
  mutation LcmFail($id: ID!) { failOperation(id: $id) { ...LcmOperationFields } }
`);

export const LcmCancel = graphql(`
  mutation LcmCancel($id: ID!) { cancelOperation(id: $id) { ...LcmOperationFields } }
`);

export const LcmOperationById = graphql(`
  query LcmOperationById($id: ID!) { operation(id: $id) { ...LcmOperationFields } }
`);

export const LcmInstanceById = graphql(`
  query LcmInstanceById($id: ID!) {
    appInstance(id: $id) { id name tenantId instantiationState operationalState parameters }
  }
`);
