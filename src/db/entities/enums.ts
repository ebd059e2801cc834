import { registerEnumType } from 'type-graphql';

/** Whether the host's VIM credentials (kubeconfig, OpenStack rc) have been accepted by its plugin. */
export enum HostConfigStatus {
  NOT_UPLOADED = 'NOT_UPLOADED',
  UPLOADED = 'UPLOADED',
}

export enum PackageType {
  CONTAINER = 'CONTAINER',
  VM = 'VM',
}

export enum OnboardingState {
  CREATED = 'CREATED',
  UPLOADING = 'UPLOADING',
  PROCESSING = 'PROCESSING',
  ONBOARDED = 'ONBOARDED',
  FAILED = 'FAILED',
}

export enum OperationalState {
  ENABLED = 'ENABLED',
  DISABLED = 'DISABLED',
}

export enum UsageState {
  IN_USE = 'IN_USE',
  NOT_IN_USE = 'NOT_IN_USE',
}

export enum DistributionState {
  DISTRIBUTING = 'DISTRIBUTING',
  DISTRIBUTED = 'DISTRIBUTED',
  ERROR = 'ERROR',
  DELETING = 'DELETING',
}

export enum InstantiationState {
  NOT_INSTANTIATED = 'NOT_INSTANTIATED',
  INSTANTIATED = 'INSTANTIATED',
}

export enum InstanceOperationalState {
  STARTED = 'STARTED',
  STOPPED = 'STOPPED',
}

export enum OperationType {
  INSTANTIATE = 'INSTANTIATE',
  TERMINATE = 'TERMINATE',
  OPERATE = 'OPERATE',
  DISTRIBUTE = 'DISTRIBUTE',
  REMOVE_FROM_HOST = 'REMOVE_FROM_HOST',
  DELETE_PACKAGE = 'DELETE_PACKAGE',
  CREATE_IMAGE = 'CREATE_IMAGE',
  DELETE_IMAGE = 'DELETE_IMAGE',
}

/** ETSI MEC 010-2 / SOL003 operation occurrence states. */
export enum OperationState {
  STARTING = 'STARTING',
  PROCESSING = 'PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED_TEMP = 'FAILED_TEMP',
  ROLLING_BACK = 'ROLLING_BACK',
  ROLLED_BACK = 'ROLLED_BACK',
  FAILED = 'FAILED',
}

/** States in which an operation still holds its instance; at most one such operation per instance. */
export const ACTIVE_OPERATION_STATES = [
  OperationState.STARTING,
  OperationState.PROCESSING,
  OperationState.FAILED_TEMP,
  OperationState.ROLLING_BACK,
] as const;

export enum Role {
  ADMIN = 'ADMIN',
  TENANT = 'TENANT',
  GUEST = 'GUEST',
}

registerEnumType(HostConfigStatus, { name: 'HostConfigStatus', description: 'Whether the host VIM configuration was accepted by its plugin' });
registerEnumType(PackageType, { name: 'PackageType' });
registerEnumType(OnboardingState, { name: 'OnboardingState' });
registerEnumType(OperationalState, { name: 'OperationalState' });
registerEnumType(UsageState, { name: 'UsageState' });
registerEnumType(DistributionState, { name: 'DistributionState' });
registerEnumType(InstantiationState, { name: 'InstantiationState' });
registerEnumType(InstanceOperationalState, { name: 'InstanceOperationalState' });
registerEnumType(OperationType, { name: 'OperationType' });
registerEnumType(OperationState, { name: 'OperationState' });
registerEnumType(Role, { name: 'Role' });
