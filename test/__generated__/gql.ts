/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Changes($after: String, $first: Int, $topics: [String!]) {\n    changes(after: $after, first: $first, topics: $topics) {\n      edges { cursor node { sequence topic subjectId tenantId payload createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ChangesDocument,
    "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": typeof types.HostFieldsFragmentDoc,
    "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n": typeof types.RegisterHostDocument,
    "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n": typeof types.UpdateHostDocument,
    "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n": typeof types.DeleteHostDocument,
    "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n": typeof types.HostsDocument,
    "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n": typeof types.HostDocument,
    "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n": typeof types.ViewerDocument,
    "\n  fragment VmImageFields on VmImage {\n    id\n    tenantId\n    instanceId\n    hostId\n    vmId\n    name\n    status\n    sizeBytes\n    checksum\n    diskFormat\n    pluginImageId\n    rowVersion\n  }\n": typeof types.VmImageFieldsFragmentDoc,
    "\n  mutation CreateVmImage($appInstanceId: ID!, $vmId: String!, $name: String!, $key: String) {\n    createVmImage(appInstanceId: $appInstanceId, vmId: $vmId, name: $name, idempotencyKey: $key) { ...LcmOperationFields progress }\n  }\n": typeof types.CreateVmImageDocument,
    "\n  mutation DeleteVmImage($id: ID!, $key: String) {\n    deleteVmImage(id: $id, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": typeof types.DeleteVmImageDocument,
    "\n  query VmImageById($id: ID!) { vmImage(id: $id) { ...VmImageFields } }\n": typeof types.VmImageByIdDocument,
    "\n  query VmImages($first: Int, $after: String, $filter: VmImageFilterInput) {\n    vmImages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { ...VmImageFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.VmImagesDocument,
    "\n  subscription ImageUpdated($filter: ImageUpdateFilter, $after: String) {\n    imageUpdated(filter: $filter, afterSequence: $after) { sequence deleted image { ...VmImageFields } }\n  }\n": typeof types.ImageUpdatedDocument,
    "\n  subscription OperationProgress($filter: OperationUpdateFilter) {\n    operationUpdated(filter: $filter) { sequence operation { id state progress } }\n  }\n": typeof types.OperationProgressDocument,
    "\n  fragment AppInstanceFields on AppInstance {\n    id\n    tenantId\n    name\n    description\n    instantiationState\n    operationalState\n    parameters\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": typeof types.AppInstanceFieldsFragmentDoc,
    "\n  query AppInstances($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...AppInstanceFields } }\n    }\n  }\n": typeof types.AppInstancesDocument,
    "\n  query AppInstancePage($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id name instantiationState package { id name packageVersion } host { id name ip } } }\n    }\n  }\n": typeof types.AppInstancePageDocument,
    "\n  query AppInstanceNested($first: Int, $history: Int) {\n    appInstances(first: $first) {\n      edges {\n        node {\n          id\n          package { id name }\n          host { id name }\n          activeOperation { id type state }\n          operations(first: $history) { id type state createdAt }\n        }\n      }\n    }\n  }\n": typeof types.AppInstanceNestedDocument,
    "\n  query AppInstance($id: ID!) {\n    appInstance(id: $id) {\n      ...AppInstanceFields\n      package { id name }\n      host { id name ip vim }\n      activeOperation { id type state }\n      operations { id type state }\n    }\n  }\n": typeof types.AppInstanceDocument,
    "\n  fragment InstanceStatusFields on InstanceStatus {\n    appInstanceId\n    state\n    reason\n    source\n    observedAt\n    workloads {\n      kind\n      name\n      phase\n      ready\n      addresses\n      containers { name state ready restarts image cpuUsage memoryUsage }\n    }\n    services { name type ports { name protocol port targetPort nodePort } }\n  }\n": typeof types.InstanceStatusFieldsFragmentDoc,
    "\n  query AppInstanceLive($id: ID!) {\n    appInstance(id: $id) {\n      id\n      name\n      host { id name }\n      status { ...InstanceStatusFields }\n      statusJson\n      workloadEventsJson\n    }\n  }\n": typeof types.AppInstanceLiveDocument,
    "\n  query AppInstanceStatus($id: ID!) {\n    appInstance(id: $id) {\n      id\n      status { ...InstanceStatusFields }\n    }\n  }\n": typeof types.AppInstanceStatusDocument,
    "\n  query AppInstancesLive($first: Int, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, filter: $filter) {\n      edges { node { id status { state } } }\n    }\n  }\n": typeof types.AppInstancesLiveDocument,
    "\n  query HostKpi($id: ID!) {\n    host(id: $id) { id name kpi }\n  }\n": typeof types.HostKpiDocument,
    "\n  fragment LcmOperationFields on LcmOperation {\n    id\n    type\n    state\n    tenantId\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    attempts\n    cancelRequested\n    createdBy\n    finishedAt\n  }\n": typeof types.LcmOperationFieldsFragmentDoc,
    "\n  mutation LcmDistribute($packageId: ID!, $hostIds: [ID!]!, $key: String) {\n    distributePackage(packageId: $packageId, hostIds: $hostIds, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": typeof types.LcmDistributeDocument,
    "\n  mutation LcmRemoveFromHost($packageId: ID!, $hostId: ID!) {\n    removePackageFromHost(packageId: $packageId, hostId: $hostId) { ...LcmOperationFields }\n  }\n": typeof types.LcmRemoveFromHostDocument,
    "\n  mutation LcmInstantiate($input: InstantiateAppInput!, $key: String) {\n    instantiateApp(input: $input, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": typeof types.LcmInstantiateDocument,
    "\n  mutation LcmTerminate($id: ID!, $options: TerminateOptions) {\n    terminateApp(appInstanceId: $id, options: $options) { ...LcmOperationFields }\n  }\n": typeof types.LcmTerminateDocument,
    "\n  mutation LcmOperate($id: ID!, $action: OperateAction!) {\n    operateApp(appInstanceId: $id, action: $action) { ...LcmOperationFields }\n  }\n": typeof types.LcmOperateDocument,
    "\n  mutation LcmBatchTerminate($ids: [ID!]!) {\n    batchTerminate(appInstanceIds: $ids) { appInstanceId operation { id state } error { code message } }\n  }\n": typeof types.LcmBatchTerminateDocument,
    "\n  mutation LcmRetry($id: ID!) { retryOperation(id: $id) { ...LcmOperationFields } }\n": typeof types.LcmRetryDocument,
    "\n  mutation LcmRollback($id: ID!) { rollbackOperation(id: $id) { ...LcmOperationFields } }\n": typeof types.LcmRollbackDocument,
    "\n  mutation LcmFail($id: ID!) { failOperation(id: $id) { ...LcmOperationFields } }\n": typeof types.LcmFailDocument,
    "\n  mutation LcmCancel($id: ID!) { cancelOperation(id: $id) { ...LcmOperationFields } }\n": typeof types.LcmCancelDocument,
    "\n  query LcmOperationById($id: ID!) { operation(id: $id) { ...LcmOperationFields } }\n": typeof types.LcmOperationByIdDocument,
    "\n  query LcmInstanceById($id: ID!) {\n    appInstance(id: $id) { id name tenantId instantiationState operationalState parameters }\n  }\n": typeof types.LcmInstanceByIdDocument,
    "\n  fragment OperationFields on LcmOperation {\n    id\n    tenantId\n    type\n    state\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    progress\n    attempts\n    createdBy\n    cancelRequested\n    startedAt\n    finishedAt\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": typeof types.OperationFieldsFragmentDoc,
    "\n  query Operations($first: Int, $after: String, $filter: OperationFilterInput) {\n    operations(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...OperationFields } }\n    }\n  }\n": typeof types.OperationsDocument,
    "\n  query Operation($id: ID!) {\n    operation(id: $id) { ...OperationFields }\n  }\n": typeof types.OperationDocument,
    "\n  fragment PackageFields on AppPackage {\n    id\n    appId\n    tenantId\n    name\n    packageVersion\n    provider\n    description\n    type\n    sizeBytes\n    receivedBytes\n    sha256\n    onboardingState\n    failureReason\n    sourceUrl\n    operationalState\n    usageState\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": typeof types.PackageFieldsFragmentDoc,
    "\n  query PackageDetail($id: ID!) {\n    package(id: $id) {\n      ...PackageFields\n      appd {\n        name\n        version\n        provider\n        description\n        type\n        vnfdId\n        toscaDefinitionsVersion\n        vdus { id name description swImageName numVirtualCpu cpuArchitecture virtualMemMb storageGb minInstances maxInstances initialInstances hasUserData }\n        connectionPoints { id vnicName order vnicType portSecurityEnabled virtualBinding virtualLink }\n        virtualLinks { id networkName networkType physicalNetwork segmentationId }\n        inputs { name type default description }\n        appConfiguration {\n          appName\n          appSupportMp1\n          servicesRequired { serName version requestedPermissions }\n          servicesOptional { serName version requestedPermissions }\n          servicesProduced { serName version requestedPermissions }\n          trafficRules {\n            trafficRuleId filterType priority action\n            trafficFilters { srcAddress dstAddress srcPort dstPort protocol tag qCI dSCP tC }\n            dstInterfaces { interfaceType srcMacAddress dstMacAddress dstIpAddress tunnelInfo { tunnelType tunnelDstAddress tunnelSrcAddress } }\n          }\n          dnsRules { dnsRuleId domainName ipAddressType ipAddress ttl }\n        }\n        swImages { id name version checksum containerFormat diskFormat minDisk minRam architecture size swImage operatingSystem supportedVirtualisationEnvironment otherProperties { name value } }\n        charts { path name version appVersion }\n      }\n      integrity { policy signed verified mismatched absent entries { source algorithm expected actual status } }\n      artifacts { path sizeBytes kind }\n      distributions { id state error }\n    }\n  }\n": typeof types.PackageDetailDocument,
    "\n  query PackageState($id: ID!) {\n    package(id: $id) { id onboardingState failureReason receivedBytes sizeBytes sha256 sourceUrl }\n  }\n": typeof types.PackageStateDocument,
    "\n  query Packages($first: Int, $after: String, $filter: PackageFilterInput) {\n    packages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { id name type onboardingState operationalState tenantId } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.PackagesDocument,
    "\n  mutation OnboardPackage($input: OnboardPackageInput!, $key: String) {\n    onboardPackage(input: $input, idempotencyKey: $key) { id onboardingState sourceUrl tenantId }\n  }\n": typeof types.OnboardPackageDocument,
    "\n  mutation SetPackageOperationalState($id: ID!, $state: OperationalState!, $expectedVersion: Int, $key: String) {\n    setPackageOperationalState(id: $id, state: $state, expectedVersion: $expectedVersion, idempotencyKey: $key) { id operationalState rowVersion }\n  }\n": typeof types.SetPackageOperationalStateDocument,
    "\n  mutation DeletePackage($id: ID!, $key: String) {\n    deletePackage(id: $id, idempotencyKey: $key) { id }\n  }\n": typeof types.DeletePackageDocument,
    "\n  query Plugins($refresh: Boolean) {\n    plugins(refresh: $refresh) {\n      vimType\n      endpoint\n      source\n      tls\n      healthy\n      lastError\n      lastCheckedAt\n      capabilities { vimTypes protocolVersion operations pluginName pluginVersion maxReceiveMessageBytes }\n    }\n  }\n": typeof types.PluginsDocument,
    "\n  query HostPluginStatus($id: ID!) {\n    host(id: $id) { id vim configStatus pluginStatus }\n  }\n": typeof types.HostPluginStatusDocument,
    "\n  mutation UploadHostConfig($hostId: ID!, $content: String!, $key: String) {\n    uploadHostConfig(hostId: $hostId, content: $content, idempotencyKey: $key) { id ip configStatus pluginStatus rowVersion }\n  }\n": typeof types.UploadHostConfigDocument,
    "\n  mutation RemoveHostConfig($hostId: ID!, $key: String) {\n    removeHostConfig(hostId: $hostId, idempotencyKey: $key) { id configStatus }\n  }\n": typeof types.RemoveHostConfigDocument,
    "\n  subscription OperationUpdated($filter: OperationUpdateFilter, $after: String) {\n    operationUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      operation {\n        id\n        tenantId\n        type\n        state\n        instanceId\n        packageId\n        hostId\n        params\n        result\n        error { code message }\n        progress\n        attempts\n        cancelRequested\n        rowVersion\n        createdAt\n        updatedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": typeof types.OperationUpdatedDocument,
    "\n  subscription AppInstanceUpdated($filter: AppInstanceUpdateFilter, $after: String) {\n    appInstanceUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      packageId\n      hostId\n      appInstance { id tenantId name description instantiationState operationalState parameters origin rowVersion createdAt updatedAt }\n    }\n  }\n": typeof types.AppInstanceUpdatedDocument,
    "\n  subscription AppInstanceUpdatedWithRows($filter: AppInstanceUpdateFilter) {\n    appInstanceUpdated(filter: $filter) {\n      sequence\n      appInstance { id name package { id } host { id ip } }\n    }\n  }\n": typeof types.AppInstanceUpdatedWithRowsDocument,
    "\n  subscription PackageDistributionUpdated($filter: PackageDistributionUpdateFilter, $after: String) {\n    packageDistributionUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      id\n      tenantId\n      packageId\n      hostId\n      state\n      error\n      operationId\n      createdAt\n      updatedAt\n      rowVersion\n    }\n  }\n": typeof types.PackageDistributionUpdatedDocument,
    "\n  subscription WorkloadEvents($appInstanceId: ID!, $after: String) {\n    workloadEvents(appInstanceId: $appInstanceId, afterSequence: $after) {\n      sequence\n      appInstanceId\n      hostId\n      kind\n      state\n      reason\n      objectKind\n      objectName\n      type\n      message\n      count\n      observedAt\n    }\n  }\n": typeof types.WorkloadEventsDocument,
    "\n  subscription OperationSequences($after: String) {\n    operationUpdated(afterSequence: $after) { sequence operation { id state } }\n  }\n": typeof types.OperationSequencesDocument,
};
const documents: Documents = {
    "\n  query Changes($after: String, $first: Int, $topics: [String!]) {\n    changes(after: $after, first: $first, topics: $topics) {\n      edges { cursor node { sequence topic subjectId tenantId payload createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ChangesDocument,
    "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": types.HostFieldsFragmentDoc,
    "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n": types.RegisterHostDocument,
    "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n": types.UpdateHostDocument,
    "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n": types.DeleteHostDocument,
    "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n": types.HostsDocument,
    "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n": types.HostDocument,
    "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n": types.ViewerDocument,
    "\n  fragment VmImageFields on VmImage {\n    id\n    tenantId\n    instanceId\n    hostId\n    vmId\n    name\n    status\n    sizeBytes\n    checksum\n    diskFormat\n    pluginImageId\n    rowVersion\n  }\n": types.VmImageFieldsFragmentDoc,
    "\n  mutation CreateVmImage($appInstanceId: ID!, $vmId: String!, $name: String!, $key: String) {\n    createVmImage(appInstanceId: $appInstanceId, vmId: $vmId, name: $name, idempotencyKey: $key) { ...LcmOperationFields progress }\n  }\n": types.CreateVmImageDocument,
    "\n  mutation DeleteVmImage($id: ID!, $key: String) {\n    deleteVmImage(id: $id, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": types.DeleteVmImageDocument,
    "\n  query VmImageById($id: ID!) { vmImage(id: $id) { ...VmImageFields } }\n": types.VmImageByIdDocument,
    "\n  query VmImages($first: Int, $after: String, $filter: VmImageFilterInput) {\n    vmImages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { ...VmImageFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.VmImagesDocument,
    "\n  subscription ImageUpdated($filter: ImageUpdateFilter, $after: String) {\n    imageUpdated(filter: $filter, afterSequence: $after) { sequence deleted image { ...VmImageFields } }\n  }\n": types.ImageUpdatedDocument,
    "\n  subscription OperationProgress($filter: OperationUpdateFilter) {\n    operationUpdated(filter: $filter) { sequence operation { id state progress } }\n  }\n": types.OperationProgressDocument,
    "\n  fragment AppInstanceFields on AppInstance {\n    id\n    tenantId\n    name\n    description\n    instantiationState\n    operationalState\n    parameters\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": types.AppInstanceFieldsFragmentDoc,
    "\n  query AppInstances($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...AppInstanceFields } }\n    }\n  }\n": types.AppInstancesDocument,
    "\n  query AppInstancePage($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id name instantiationState package { id name packageVersion } host { id name ip } } }\n    }\n  }\n": types.AppInstancePageDocument,
    "\n  query AppInstanceNested($first: Int, $history: Int) {\n    appInstances(first: $first) {\n      edges {\n        node {\n          id\n          package { id name }\n          host { id name }\n          activeOperation { id type state }\n          operations(first: $history) { id type state createdAt }\n        }\n      }\n    }\n  }\n": types.AppInstanceNestedDocument,
    "\n  query AppInstance($id: ID!) {\n    appInstance(id: $id) {\n      ...AppInstanceFields\n      package { id name }\n      host { id name ip vim }\n      activeOperation { id type state }\n      operations { id type state }\n    }\n  }\n": types.AppInstanceDocument,
    "\n  fragment InstanceStatusFields on InstanceStatus {\n    appInstanceId\n    state\n    reason\n    source\n    observedAt\n    workloads {\n      kind\n      name\n      phase\n      ready\n      addresses\n      containers { name state ready restarts image cpuUsage memoryUsage }\n    }\n    services { name type ports { name protocol port targetPort nodePort } }\n  }\n": types.InstanceStatusFieldsFragmentDoc,
    "\n  query AppInstanceLive($id: ID!) {\n    appInstance(id: $id) {\n      id\n      name\n      host { id name }\n      status { ...InstanceStatusFields }\n      statusJson\n      workloadEventsJson\n    }\n  }\n": types.AppInstanceLiveDocument,
    "\n  query AppInstanceStatus($id: ID!) {\n    appInstance(id: $id) {\n      id\n      status { ...InstanceStatusFields }\n    }\n  }\n": types.AppInstanceStatusDocument,
    "\n  query AppInstancesLive($first: Int, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, filter: $filter) {\n      edges { node { id status { state } } }\n    }\n  }\n": types.AppInstancesLiveDocument,
    "\n  query HostKpi($id: ID!) {\n    host(id: $id) { id name kpi }\n  }\n": types.HostKpiDocument,
    "\n  fragment LcmOperationFields on LcmOperation {\n    id\n    type\n    state\n    tenantId\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    attempts\n    cancelRequested\n    createdBy\n    finishedAt\n  }\n": types.LcmOperationFieldsFragmentDoc,
    "\n  mutation LcmDistribute($packageId: ID!, $hostIds: [ID!]!, $key: String) {\n    distributePackage(packageId: $packageId, hostIds: $hostIds, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": types.LcmDistributeDocument,
    "\n  mutation LcmRemoveFromHost($packageId: ID!, $hostId: ID!) {\n    removePackageFromHost(packageId: $packageId, hostId: $hostId) { ...LcmOperationFields }\n  }\n": types.LcmRemoveFromHostDocument,
    "\n  mutation LcmInstantiate($input: InstantiateAppInput!, $key: String) {\n    instantiateApp(input: $input, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n": types.LcmInstantiateDocument,
    "\n  mutation LcmTerminate($id: ID!, $options: TerminateOptions) {\n    terminateApp(appInstanceId: $id, options: $options) { ...LcmOperationFields }\n  }\n": types.LcmTerminateDocument,
    "\n  mutation LcmOperate($id: ID!, $action: OperateAction!) {\n    operateApp(appInstanceId: $id, action: $action) { ...LcmOperationFields }\n  }\n": types.LcmOperateDocument,
    "\n  mutation LcmBatchTerminate($ids: [ID!]!) {\n    batchTerminate(appInstanceIds: $ids) { appInstanceId operation { id state } error { code message } }\n  }\n": types.LcmBatchTerminateDocument,
    "\n  mutation LcmRetry($id: ID!) { retryOperation(id: $id) { ...LcmOperationFields } }\n": types.LcmRetryDocument,
    "\n  mutation LcmRollback($id: ID!) { rollbackOperation(id: $id) { ...LcmOperationFields } }\n": types.LcmRollbackDocument,
    "\n  mutation LcmFail($id: ID!) { failOperation(id: $id) { ...LcmOperationFields } }\n": types.LcmFailDocument,
    "\n  mutation LcmCancel($id: ID!) { cancelOperation(id: $id) { ...LcmOperationFields } }\n": types.LcmCancelDocument,
    "\n  query LcmOperationById($id: ID!) { operation(id: $id) { ...LcmOperationFields } }\n": types.LcmOperationByIdDocument,
    "\n  query LcmInstanceById($id: ID!) {\n    appInstance(id: $id) { id name tenantId instantiationState operationalState parameters }\n  }\n": types.LcmInstanceByIdDocument,
    "\n  fragment OperationFields on LcmOperation {\n    id\n    tenantId\n    type\n    state\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    progress\n    attempts\n    createdBy\n    cancelRequested\n    startedAt\n    finishedAt\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": types.OperationFieldsFragmentDoc,
    "\n  query Operations($first: Int, $after: String, $filter: OperationFilterInput) {\n    operations(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...OperationFields } }\n    }\n  }\n": types.OperationsDocument,
    "\n  query Operation($id: ID!) {\n    operation(id: $id) { ...OperationFields }\n  }\n": types.OperationDocument,
    "\n  fragment PackageFields on AppPackage {\n    id\n    appId\n    tenantId\n    name\n    packageVersion\n    provider\n    description\n    type\n    sizeBytes\n    receivedBytes\n    sha256\n    onboardingState\n    failureReason\n    sourceUrl\n    operationalState\n    usageState\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": types.PackageFieldsFragmentDoc,
    "\n  query PackageDetail($id: ID!) {\n    package(id: $id) {\n      ...PackageFields\n      appd {\n        name\n        version\n        provider\n        description\n        type\n        vnfdId\n        toscaDefinitionsVersion\n        vdus { id name description swImageName numVirtualCpu cpuArchitecture virtualMemMb storageGb minInstances maxInstances initialInstances hasUserData }\n        connectionPoints { id vnicName order vnicType portSecurityEnabled virtualBinding virtualLink }\n        virtualLinks { id networkName networkType physicalNetwork segmentationId }\n        inputs { name type default description }\n        appConfiguration {\n          appName\n          appSupportMp1\n          servicesRequired { serName version requestedPermissions }\n          servicesOptional { serName version requestedPermissions }\n          servicesProduced { serName version requestedPermissions }\n          trafficRules {\n            trafficRuleId filterType priority action\n            trafficFilters { srcAddress dstAddress srcPort dstPort protocol tag qCI dSCP tC }\n            dstInterfaces { interfaceType srcMacAddress dstMacAddress dstIpAddress tunnelInfo { tunnelType tunnelDstAddress tunnelSrcAddress } }\n          }\n          dnsRules { dnsRuleId domainName ipAddressType ipAddress ttl }\n        }\n        swImages { id name version checksum containerFormat diskFormat minDisk minRam architecture size swImage operatingSystem supportedVirtualisationEnvironment otherProperties { name value } }\n        charts { path name version appVersion }\n      }\n      integrity { policy signed verified mismatched absent entries { source algorithm expected actual status } }\n      artifacts { path sizeBytes kind }\n      distributions { id state error }\n    }\n  }\n": types.PackageDetailDocument,
    "\n  query PackageState($id: ID!) {\n    package(id: $id) { id onboardingState failureReason receivedBytes sizeBytes sha256 sourceUrl }\n  }\n": types.PackageStateDocument,
    "\n  query Packages($first: Int, $after: String, $filter: PackageFilterInput) {\n    packages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { id name type onboardingState operationalState tenantId } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.PackagesDocument,
    "\n  mutation OnboardPackage($input: OnboardPackageInput!, $key: String) {\n    onboardPackage(input: $input, idempotencyKey: $key) { id onboardingState sourceUrl tenantId }\n  }\n": types.OnboardPackageDocument,
    "\n  mutation SetPackageOperationalState($id: ID!, $state: OperationalState!, $expectedVersion: Int, $key: String) {\n    setPackageOperationalState(id: $id, state: $state, expectedVersion: $expectedVersion, idempotencyKey: $key) { id operationalState rowVersion }\n  }\n": types.SetPackageOperationalStateDocument,
    "\n  mutation DeletePackage($id: ID!, $key: String) {\n    deletePackage(id: $id, idempotencyKey: $key) { id }\n  }\n": types.DeletePackageDocument,
    "\n  query Plugins($refresh: Boolean) {\n    plugins(refresh: $refresh) {\n      vimType\n      endpoint\n      source\n      tls\n      healthy\n      lastError\n      lastCheckedAt\n      capabilities { vimTypes protocolVersion operations pluginName pluginVersion maxReceiveMessageBytes }\n    }\n  }\n": types.PluginsDocument,
    "\n  query HostPluginStatus($id: ID!) {\n    host(id: $id) { id vim configStatus pluginStatus }\n  }\n": types.HostPluginStatusDocument,
    "\n  mutation UploadHostConfig($hostId: ID!, $content: String!, $key: String) {\n    uploadHostConfig(hostId: $hostId, content: $content, idempotencyKey: $key) { id ip configStatus pluginStatus rowVersion }\n  }\n": types.UploadHostConfigDocument,
    "\n  mutation RemoveHostConfig($hostId: ID!, $key: String) {\n    removeHostConfig(hostId: $hostId, idempotencyKey: $key) { id configStatus }\n  }\n": types.RemoveHostConfigDocument,
    "\n  subscription OperationUpdated($filter: OperationUpdateFilter, $after: String) {\n    operationUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      operation {\n        id\n        tenantId\n        type\n        state\n        instanceId\n        packageId\n        hostId\n        params\n        result\n        error { code message }\n        progress\n        attempts\n        cancelRequested\n        rowVersion\n        createdAt\n        updatedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": types.OperationUpdatedDocument,
    "\n  subscription AppInstanceUpdated($filter: AppInstanceUpdateFilter, $after: String) {\n    appInstanceUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      packageId\n      hostId\n      appInstance { id tenantId name description instantiationState operationalState parameters origin rowVersion createdAt updatedAt }\n    }\n  }\n": types.AppInstanceUpdatedDocument,
    "\n  subscription AppInstanceUpdatedWithRows($filter: AppInstanceUpdateFilter) {\n    appInstanceUpdated(filter: $filter) {\n      sequence\n      appInstance { id name package { id } host { id ip } }\n    }\n  }\n": types.AppInstanceUpdatedWithRowsDocument,
    "\n  subscription PackageDistributionUpdated($filter: PackageDistributionUpdateFilter, $after: String) {\n    packageDistributionUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      id\n      tenantId\n      packageId\n      hostId\n      state\n      error\n      operationId\n      createdAt\n      updatedAt\n      rowVersion\n    }\n  }\n": types.PackageDistributionUpdatedDocument,
    "\n  subscription WorkloadEvents($appInstanceId: ID!, $after: String) {\n    workloadEvents(appInstanceId: $appInstanceId, afterSequence: $after) {\n      sequence\n      appInstanceId\n      hostId\n      kind\n      state\n      reason\n      objectKind\n      objectName\n      type\n      message\n      count\n      observedAt\n    }\n  }\n": types.WorkloadEventsDocument,
    "\n  subscription OperationSequences($after: String) {\n    operationUpdated(afterSequence: $after) { sequence operation { id state } }\n  }\n": types.OperationSequencesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Changes($after: String, $first: Int, $topics: [String!]) {\n    changes(after: $after, first: $first, topics: $topics) {\n      edges { cursor node { sequence topic subjectId tenantId payload createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Changes($after: String, $first: Int, $topics: [String!]) {\n    changes(after: $after, first: $first, topics: $topics) {\n      edges { cursor node { sequence topic subjectId tenantId payload createdAt } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n"): (typeof documents)["\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n"): (typeof documents)["\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n"): (typeof documents)["\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n"): (typeof documents)["\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n"): (typeof documents)["\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VmImageFields on VmImage {\n    id\n    tenantId\n    instanceId\n    hostId\n    vmId\n    name\n    status\n    sizeBytes\n    checksum\n    diskFormat\n    pluginImageId\n    rowVersion\n  }\n"): (typeof documents)["\n  fragment VmImageFields on VmImage {\n    id\n    tenantId\n    instanceId\n    hostId\n    vmId\n    name\n    status\n    sizeBytes\n    checksum\n    diskFormat\n    pluginImageId\n    rowVersion\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateVmImage($appInstanceId: ID!, $vmId: String!, $name: String!, $key: String) {\n    createVmImage(appInstanceId: $appInstanceId, vmId: $vmId, name: $name, idempotencyKey: $key) { ...LcmOperationFields progress }\n  }\n"): (typeof documents)["\n  mutation CreateVmImage($appInstanceId: ID!, $vmId: String!, $name: String!, $key: String) {\n    createVmImage(appInstanceId: $appInstanceId, vmId: $vmId, name: $name, idempotencyKey: $key) { ...LcmOperationFields progress }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteVmImage($id: ID!, $key: String) {\n    deleteVmImage(id: $id, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation DeleteVmImage($id: ID!, $key: String) {\n    deleteVmImage(id: $id, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VmImageById($id: ID!) { vmImage(id: $id) { ...VmImageFields } }\n"): (typeof documents)["\n  query VmImageById($id: ID!) { vmImage(id: $id) { ...VmImageFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VmImages($first: Int, $after: String, $filter: VmImageFilterInput) {\n    vmImages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { ...VmImageFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query VmImages($first: Int, $after: String, $filter: VmImageFilterInput) {\n    vmImages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { ...VmImageFields } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ImageUpdated($filter: ImageUpdateFilter, $after: String) {\n    imageUpdated(filter: $filter, afterSequence: $after) { sequence deleted image { ...VmImageFields } }\n  }\n"): (typeof documents)["\n  subscription ImageUpdated($filter: ImageUpdateFilter, $after: String) {\n    imageUpdated(filter: $filter, afterSequence: $after) { sequence deleted image { ...VmImageFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OperationProgress($filter: OperationUpdateFilter) {\n    operationUpdated(filter: $filter) { sequence operation { id state progress } }\n  }\n"): (typeof documents)["\n  subscription OperationProgress($filter: OperationUpdateFilter) {\n    operationUpdated(filter: $filter) { sequence operation { id state progress } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AppInstanceFields on AppInstance {\n    id\n    tenantId\n    name\n    description\n    instantiationState\n    operationalState\n    parameters\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment AppInstanceFields on AppInstance {\n    id\n    tenantId\n    name\n    description\n    instantiationState\n    operationalState\n    parameters\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstances($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...AppInstanceFields } }\n    }\n  }\n"): (typeof documents)["\n  query AppInstances($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...AppInstanceFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstancePage($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id name instantiationState package { id name packageVersion } host { id name ip } } }\n    }\n  }\n"): (typeof documents)["\n  query AppInstancePage($first: Int, $after: String, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, after: $after, filter: $filter) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id name instantiationState package { id name packageVersion } host { id name ip } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstanceNested($first: Int, $history: Int) {\n    appInstances(first: $first) {\n      edges {\n        node {\n          id\n          package { id name }\n          host { id name }\n          activeOperation { id type state }\n          operations(first: $history) { id type state createdAt }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AppInstanceNested($first: Int, $history: Int) {\n    appInstances(first: $first) {\n      edges {\n        node {\n          id\n          package { id name }\n          host { id name }\n          activeOperation { id type state }\n          operations(first: $history) { id type state createdAt }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstance($id: ID!) {\n    appInstance(id: $id) {\n      ...AppInstanceFields\n      package { id name }\n      host { id name ip vim }\n      activeOperation { id type state }\n      operations { id type state }\n    }\n  }\n"): (typeof documents)["\n  query AppInstance($id: ID!) {\n    appInstance(id: $id) {\n      ...AppInstanceFields\n      package { id name }\n      host { id name ip vim }\n      activeOperation { id type state }\n      operations { id type state }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment InstanceStatusFields on InstanceStatus {\n    appInstanceId\n    state\n    reason\n    source\n    observedAt\n    workloads {\n      kind\n      name\n      phase\n      ready\n      addresses\n      containers { name state ready restarts image cpuUsage memoryUsage }\n    }\n    services { name type ports { name protocol port targetPort nodePort } }\n  }\n"): (typeof documents)["\n  fragment InstanceStatusFields on InstanceStatus {\n    appInstanceId\n    state\n    reason\n    source\n    observedAt\n    workloads {\n      kind\n      name\n      phase\n      ready\n      addresses\n      containers { name state ready restarts image cpuUsage memoryUsage }\n    }\n    services { name type ports { name protocol port targetPort nodePort } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstanceLive($id: ID!) {\n    appInstance(id: $id) {\n      id\n      name\n      host { id name }\n      status { ...InstanceStatusFields }\n      statusJson\n      workloadEventsJson\n    }\n  }\n"): (typeof documents)["\n  query AppInstanceLive($id: ID!) {\n    appInstance(id: $id) {\n      id\n      name\n      host { id name }\n      status { ...InstanceStatusFields }\n      statusJson\n      workloadEventsJson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstanceStatus($id: ID!) {\n    appInstance(id: $id) {\n      id\n      status { ...InstanceStatusFields }\n    }\n  }\n"): (typeof documents)["\n  query AppInstanceStatus($id: ID!) {\n    appInstance(id: $id) {\n      id\n      status { ...InstanceStatusFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AppInstancesLive($first: Int, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, filter: $filter) {\n      edges { node { id status { state } } }\n    }\n  }\n"): (typeof documents)["\n  query AppInstancesLive($first: Int, $filter: AppInstanceFilterInput) {\n    appInstances(first: $first, filter: $filter) {\n      edges { node { id status { state } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HostKpi($id: ID!) {\n    host(id: $id) { id name kpi }\n  }\n"): (typeof documents)["\n  query HostKpi($id: ID!) {\n    host(id: $id) { id name kpi }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LcmOperationFields on LcmOperation {\n    id\n    type\n    state\n    tenantId\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    attempts\n    cancelRequested\n    createdBy\n    finishedAt\n  }\n"): (typeof documents)["\n  fragment LcmOperationFields on LcmOperation {\n    id\n    type\n    state\n    tenantId\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    attempts\n    cancelRequested\n    createdBy\n    finishedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmDistribute($packageId: ID!, $hostIds: [ID!]!, $key: String) {\n    distributePackage(packageId: $packageId, hostIds: $hostIds, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation LcmDistribute($packageId: ID!, $hostIds: [ID!]!, $key: String) {\n    distributePackage(packageId: $packageId, hostIds: $hostIds, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmRemoveFromHost($packageId: ID!, $hostId: ID!) {\n    removePackageFromHost(packageId: $packageId, hostId: $hostId) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation LcmRemoveFromHost($packageId: ID!, $hostId: ID!) {\n    removePackageFromHost(packageId: $packageId, hostId: $hostId) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmInstantiate($input: InstantiateAppInput!, $key: String) {\n    instantiateApp(input: $input, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation LcmInstantiate($input: InstantiateAppInput!, $key: String) {\n    instantiateApp(input: $input, idempotencyKey: $key) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmTerminate($id: ID!, $options: TerminateOptions) {\n    terminateApp(appInstanceId: $id, options: $options) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation LcmTerminate($id: ID!, $options: TerminateOptions) {\n    terminateApp(appInstanceId: $id, options: $options) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmOperate($id: ID!, $action: OperateAction!) {\n    operateApp(appInstanceId: $id, action: $action) { ...LcmOperationFields }\n  }\n"): (typeof documents)["\n  mutation LcmOperate($id: ID!, $action: OperateAction!) {\n    operateApp(appInstanceId: $id, action: $action) { ...LcmOperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmBatchTerminate($ids: [ID!]!) {\n    batchTerminate(appInstanceIds: $ids) { appInstanceId operation { id state } error { code message } }\n  }\n"): (typeof documents)["\n  mutation LcmBatchTerminate($ids: [ID!]!) {\n    batchTerminate(appInstanceIds: $ids) { appInstanceId operation { id state } error { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmRetry($id: ID!) { retryOperation(id: $id) { ...LcmOperationFields } }\n"): (typeof documents)["\n  mutation LcmRetry($id: ID!) { retryOperation(id: $id) { ...LcmOperationFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmRollback($id: ID!) { rollbackOperation(id: $id) { ...LcmOperationFields } }\n"): (typeof documents)["\n  mutation LcmRollback($id: ID!) { rollbackOperation(id: $id) { ...LcmOperationFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmFail($id: ID!) { failOperation(id: $id) { ...LcmOperationFields } }\n"): (typeof documents)["\n  mutation LcmFail($id: ID!) { failOperation(id: $id) { ...LcmOperationFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LcmCancel($id: ID!) { cancelOperation(id: $id) { ...LcmOperationFields } }\n"): (typeof documents)["\n  mutation LcmCancel($id: ID!) { cancelOperation(id: $id) { ...LcmOperationFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LcmOperationById($id: ID!) { operation(id: $id) { ...LcmOperationFields } }\n"): (typeof documents)["\n  query LcmOperationById($id: ID!) { operation(id: $id) { ...LcmOperationFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LcmInstanceById($id: ID!) {\n    appInstance(id: $id) { id name tenantId instantiationState operationalState parameters }\n  }\n"): (typeof documents)["\n  query LcmInstanceById($id: ID!) {\n    appInstance(id: $id) { id name tenantId instantiationState operationalState parameters }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperationFields on LcmOperation {\n    id\n    tenantId\n    type\n    state\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    progress\n    attempts\n    createdBy\n    cancelRequested\n    startedAt\n    finishedAt\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment OperationFields on LcmOperation {\n    id\n    tenantId\n    type\n    state\n    instanceId\n    packageId\n    hostId\n    params\n    result\n    error { code message details }\n    progress\n    attempts\n    createdBy\n    cancelRequested\n    startedAt\n    finishedAt\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Operations($first: Int, $after: String, $filter: OperationFilterInput) {\n    operations(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...OperationFields } }\n    }\n  }\n"): (typeof documents)["\n  query Operations($first: Int, $after: String, $filter: OperationFilterInput) {\n    operations(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...OperationFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Operation($id: ID!) {\n    operation(id: $id) { ...OperationFields }\n  }\n"): (typeof documents)["\n  query Operation($id: ID!) {\n    operation(id: $id) { ...OperationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PackageFields on AppPackage {\n    id\n    appId\n    tenantId\n    name\n    packageVersion\n    provider\n    description\n    type\n    sizeBytes\n    receivedBytes\n    sha256\n    onboardingState\n    failureReason\n    sourceUrl\n    operationalState\n    usageState\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment PackageFields on AppPackage {\n    id\n    appId\n    tenantId\n    name\n    packageVersion\n    provider\n    description\n    type\n    sizeBytes\n    receivedBytes\n    sha256\n    onboardingState\n    failureReason\n    sourceUrl\n    operationalState\n    usageState\n    origin\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PackageDetail($id: ID!) {\n    package(id: $id) {\n      ...PackageFields\n      appd {\n        name\n        version\n        provider\n        description\n        type\n        vnfdId\n        toscaDefinitionsVersion\n        vdus { id name description swImageName numVirtualCpu cpuArchitecture virtualMemMb storageGb minInstances maxInstances initialInstances hasUserData }\n        connectionPoints { id vnicName order vnicType portSecurityEnabled virtualBinding virtualLink }\n        virtualLinks { id networkName networkType physicalNetwork segmentationId }\n        inputs { name type default description }\n        appConfiguration {\n          appName\n          appSupportMp1\n          servicesRequired { serName version requestedPermissions }\n          servicesOptional { serName version requestedPermissions }\n          servicesProduced { serName version requestedPermissions }\n          trafficRules {\n            trafficRuleId filterType priority action\n            trafficFilters { srcAddress dstAddress srcPort dstPort protocol tag qCI dSCP tC }\n            dstInterfaces { interfaceType srcMacAddress dstMacAddress dstIpAddress tunnelInfo { tunnelType tunnelDstAddress tunnelSrcAddress } }\n          }\n          dnsRules { dnsRuleId domainName ipAddressType ipAddress ttl }\n        }\n        swImages { id name version checksum containerFormat diskFormat minDisk minRam architecture size swImage operatingSystem supportedVirtualisationEnvironment otherProperties { name value } }\n        charts { path name version appVersion }\n      }\n      integrity { policy signed verified mismatched absent entries { source algorithm expected actual status } }\n      artifacts { path sizeBytes kind }\n      distributions { id state error }\n    }\n  }\n"): (typeof documents)["\n  query PackageDetail($id: ID!) {\n    package(id: $id) {\n      ...PackageFields\n      appd {\n        name\n        version\n        provider\n        description\n        type\n        vnfdId\n        toscaDefinitionsVersion\n        vdus { id name description swImageName numVirtualCpu cpuArchitecture virtualMemMb storageGb minInstances maxInstances initialInstances hasUserData }\n        connectionPoints { id vnicName order vnicType portSecurityEnabled virtualBinding virtualLink }\n        virtualLinks { id networkName networkType physicalNetwork segmentationId }\n        inputs { name type default description }\n        appConfiguration {\n          appName\n          appSupportMp1\n          servicesRequired { serName version requestedPermissions }\n          servicesOptional { serName version requestedPermissions }\n          servicesProduced { serName version requestedPermissions }\n          trafficRules {\n            trafficRuleId filterType priority action\n            trafficFilters { srcAddress dstAddress srcPort dstPort protocol tag qCI dSCP tC }\n            dstInterfaces { interfaceType srcMacAddress dstMacAddress dstIpAddress tunnelInfo { tunnelType tunnelDstAddress tunnelSrcAddress } }\n          }\n          dnsRules { dnsRuleId domainName ipAddressType ipAddress ttl }\n        }\n        swImages { id name version checksum containerFormat diskFormat minDisk minRam architecture size swImage operatingSystem supportedVirtualisationEnvironment otherProperties { name value } }\n        charts { path name version appVersion }\n      }\n      integrity { policy signed verified mismatched absent entries { source algorithm expected actual status } }\n      artifacts { path sizeBytes kind }\n      distributions { id state error }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PackageState($id: ID!) {\n    package(id: $id) { id onboardingState failureReason receivedBytes sizeBytes sha256 sourceUrl }\n  }\n"): (typeof documents)["\n  query PackageState($id: ID!) {\n    package(id: $id) { id onboardingState failureReason receivedBytes sizeBytes sha256 sourceUrl }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Packages($first: Int, $after: String, $filter: PackageFilterInput) {\n    packages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { id name type onboardingState operationalState tenantId } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Packages($first: Int, $after: String, $filter: PackageFilterInput) {\n    packages(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges { cursor node { id name type onboardingState operationalState tenantId } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OnboardPackage($input: OnboardPackageInput!, $key: String) {\n    onboardPackage(input: $input, idempotencyKey: $key) { id onboardingState sourceUrl tenantId }\n  }\n"): (typeof documents)["\n  mutation OnboardPackage($input: OnboardPackageInput!, $key: String) {\n    onboardPackage(input: $input, idempotencyKey: $key) { id onboardingState sourceUrl tenantId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetPackageOperationalState($id: ID!, $state: OperationalState!, $expectedVersion: Int, $key: String) {\n    setPackageOperationalState(id: $id, state: $state, expectedVersion: $expectedVersion, idempotencyKey: $key) { id operationalState rowVersion }\n  }\n"): (typeof documents)["\n  mutation SetPackageOperationalState($id: ID!, $state: OperationalState!, $expectedVersion: Int, $key: String) {\n    setPackageOperationalState(id: $id, state: $state, expectedVersion: $expectedVersion, idempotencyKey: $key) { id operationalState rowVersion }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePackage($id: ID!, $key: String) {\n    deletePackage(id: $id, idempotencyKey: $key) { id }\n  }\n"): (typeof documents)["\n  mutation DeletePackage($id: ID!, $key: String) {\n    deletePackage(id: $id, idempotencyKey: $key) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Plugins($refresh: Boolean) {\n    plugins(refresh: $refresh) {\n      vimType\n      endpoint\n      source\n      tls\n      healthy\n      lastError\n      lastCheckedAt\n      capabilities { vimTypes protocolVersion operations pluginName pluginVersion maxReceiveMessageBytes }\n    }\n  }\n"): (typeof documents)["\n  query Plugins($refresh: Boolean) {\n    plugins(refresh: $refresh) {\n      vimType\n      endpoint\n      source\n      tls\n      healthy\n      lastError\n      lastCheckedAt\n      capabilities { vimTypes protocolVersion operations pluginName pluginVersion maxReceiveMessageBytes }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HostPluginStatus($id: ID!) {\n    host(id: $id) { id vim configStatus pluginStatus }\n  }\n"): (typeof documents)["\n  query HostPluginStatus($id: ID!) {\n    host(id: $id) { id vim configStatus pluginStatus }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadHostConfig($hostId: ID!, $content: String!, $key: String) {\n    uploadHostConfig(hostId: $hostId, content: $content, idempotencyKey: $key) { id ip configStatus pluginStatus rowVersion }\n  }\n"): (typeof documents)["\n  mutation UploadHostConfig($hostId: ID!, $content: String!, $key: String) {\n    uploadHostConfig(hostId: $hostId, content: $content, idempotencyKey: $key) { id ip configStatus pluginStatus rowVersion }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveHostConfig($hostId: ID!, $key: String) {\n    removeHostConfig(hostId: $hostId, idempotencyKey: $key) { id configStatus }\n  }\n"): (typeof documents)["\n  mutation RemoveHostConfig($hostId: ID!, $key: String) {\n    removeHostConfig(hostId: $hostId, idempotencyKey: $key) { id configStatus }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OperationUpdated($filter: OperationUpdateFilter, $after: String) {\n    operationUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      operation {\n        id\n        tenantId\n        type\n        state\n        instanceId\n        packageId\n        hostId\n        params\n        result\n        error { code message }\n        progress\n        attempts\n        cancelRequested\n        rowVersion\n        createdAt\n        updatedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription OperationUpdated($filter: OperationUpdateFilter, $after: String) {\n    operationUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      operation {\n        id\n        tenantId\n        type\n        state\n        instanceId\n        packageId\n        hostId\n        params\n        result\n        error { code message }\n        progress\n        attempts\n        cancelRequested\n        rowVersion\n        createdAt\n        updatedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AppInstanceUpdated($filter: AppInstanceUpdateFilter, $after: String) {\n    appInstanceUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      packageId\n      hostId\n      appInstance { id tenantId name description instantiationState operationalState parameters origin rowVersion createdAt updatedAt }\n    }\n  }\n"): (typeof documents)["\n  subscription AppInstanceUpdated($filter: AppInstanceUpdateFilter, $after: String) {\n    appInstanceUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      packageId\n      hostId\n      appInstance { id tenantId name description instantiationState operationalState parameters origin rowVersion createdAt updatedAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AppInstanceUpdatedWithRows($filter: AppInstanceUpdateFilter) {\n    appInstanceUpdated(filter: $filter) {\n      sequence\n      appInstance { id name package { id } host { id ip } }\n    }\n  }\n"): (typeof documents)["\n  subscription AppInstanceUpdatedWithRows($filter: AppInstanceUpdateFilter) {\n    appInstanceUpdated(filter: $filter) {\n      sequence\n      appInstance { id name package { id } host { id ip } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PackageDistributionUpdated($filter: PackageDistributionUpdateFilter, $after: String) {\n    packageDistributionUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      id\n      tenantId\n      packageId\n      hostId\n      state\n      error\n      operationId\n      createdAt\n      updatedAt\n      rowVersion\n    }\n  }\n"): (typeof documents)["\n  subscription PackageDistributionUpdated($filter: PackageDistributionUpdateFilter, $after: String) {\n    packageDistributionUpdated(filter: $filter, afterSequence: $after) {\n      sequence\n      deleted\n      id\n      tenantId\n      packageId\n      hostId\n      state\n      error\n      operationId\n      createdAt\n      updatedAt\n      rowVersion\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkloadEvents($appInstanceId: ID!, $after: String) {\n    workloadEvents(appInstanceId: $appInstanceId, afterSequence: $after) {\n      sequence\n      appInstanceId\n      hostId\n      kind\n      state\n      reason\n      objectKind\n      objectName\n      type\n      message\n      count\n      observedAt\n    }\n  }\n"): (typeof documents)["\n  subscription WorkloadEvents($appInstanceId: ID!, $after: String) {\n    workloadEvents(appInstanceId: $appInstanceId, afterSequence: $after) {\n      sequence\n      appInstanceId\n      hostId\n      kind\n      state\n      reason\n      objectKind\n      objectName\n      type\n      message\n      count\n      observedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OperationSequences($after: String) {\n    operationUpdated(afterSequence: $after) { sequence operation { id state } }\n  }\n"): (typeof documents)["\n  subscription OperationSequences($after: String) {\n    operationUpdated(afterSequence: $after) { sequence operation { id state } }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;