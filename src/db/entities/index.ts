import { AppInstance } from './app-instance.entity.js';
import { AppPackage } from './app-package.entity.js';
import { EdgeCredential } from './edge-credential.entity.js';
import { Event } from './event.entity.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { LcmOperation } from './lcm-operation.entity.js';
import { MecHost } from './mec-host.entity.js';
import { PackageDistribution } from './package-distribution.entity.js';
import { ShimSyncState } from './shim-sync-state.entity.js';
import { TenantInstanceCount } from './tenant-instance-count.entity.js';
import { VmImage } from './vm-image.entity.js';

export { AppInstance, AppPackage, EdgeCredential, Event, IdempotencyRecord, LcmOperation, MecHost, PackageDistribution, ShimSyncState, TenantInstanceCount, VmImage };
export * from './enums.js';

/** Every entity of the data model, in one list for the ORM. */
export const entities = [MecHost, AppPackage, PackageDistribution, AppInstance, LcmOperation, Event, VmImage, IdempotencyRecord, ShimSyncState, EdgeCredential, TenantInstanceCount];
