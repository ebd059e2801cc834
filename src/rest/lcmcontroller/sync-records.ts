import { DistributionState, type AppInstance, type AppPackage, type PackageDistribution } from '../../db/entities/index.js';

/**
 * The records of the original's sync answers (applcm-original.md §1.3, §1.4, §2.1), field for field. `syncStatus`
 * is false in every record, as the original showed them (it set the flag only after answering).
 */

/** `AppInfoRec` of app_instances/sync_updated. */
export interface AppInfoRec {
  appInstanceId: string;
  createTime: string;
  mecHost: string;
  deployType: string;
  tenantId: string;
  appPackageId: string;
  appName: string;
  origin: string;
  syncStatus: boolean;
}

/** `AppPackageRecordInfo` of packages/sync_updated, with the package's hosts. */
export interface AppPackageRecordInfo {
  appPkgId: string;
  appPkgName: string;
  appPkgVersion: string;
  appPkgPath: string;
  appProvider: string;
  appPkgDesc: string;
  appPkgAffinity: string;
  appIconUrl: string;
  createdTime: string;
  modifiedTime: string;
  appId: string;
  tenantId: string;
  packageId: string;
  origin: string;
  syncStatus: boolean;
  mecHostInfo: AppPackageHostRecord[] | null;
}

export interface AppPackageHostRecord {
  pkgHostKey: string;
  hostIp: string;
  appPkgId: string;
  status: string;
  tenantId: string;
  error: string;
  origin: string;
  syncStatus: boolean;
}

/** The original's distribution status words (§2.4). */
const STATUS: Record<DistributionState, string> = {
  [DistributionState.DISTRIBUTING]: 'Distributing',
  [DistributionState.DISTRIBUTED]: 'Distributed',
  [DistributionState.ERROR]: 'Error',
  [DistributionState.DELETING]: 'Deleting',
};

/** `instance` with its host loaded. */
export function toAppInfoRec(i: AppInstance): AppInfoRec {
  return {
    appInstanceId: i.id,
    createTime: i.createdAt.toISOString(),
    mecHost: i.host.ip,
    deployType: '',
    tenantId: i.tenantId,
    appPackageId: i.package.id,
    appName: i.name,
    origin: i.origin,
    syncStatus: false,
  };
}

/** `pkg` with its distributions and their hosts loaded. */
export function toAppPackageRecordInfo(pkg: AppPackage): AppPackageRecordInfo {
  const hosts = pkg.distributions.getItems().map((d: PackageDistribution) => ({
    pkgHostKey: pkg.id + d.host.ip,
    hostIp: d.host.ip,
    appPkgId: pkg.id,
    status: STATUS[d.state],
    tenantId: d.tenantId,
    error: d.error ?? '',
    origin: pkg.origin,
    syncStatus: false,
  }));
  return {
    appPkgId: pkg.id,
    appPkgName: pkg.name,
    appPkgVersion: pkg.packageVersion,
    appPkgPath: '',
    appProvider: pkg.provider,
    appPkgDesc: pkg.description,
    appPkgAffinity: '',
    appIconUrl: '',
    createdTime: pkg.createdAt.toISOString(),
    modifiedTime: '',
    appId: pkg.appId,
    tenantId: pkg.tenantId,
    packageId: pkg.id,
    origin: pkg.origin,
    syncStatus: false,
    mecHostInfo: hosts.length ? hosts : null,
  };
}

/** The original's lists are `null` when empty. */
export const listOrNull = <T>(items: readonly T[]): T[] | null => (items.length ? [...items] : null);
