// What every AppLCM implementation on the kit (simulator, Kubernetes, VM) says the same way: the original protocol's
// success answer, how its two client streams frame their metadata and payload, which ids a call is logged under, and
// instantiate's refusal of a taken instance id.

import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc-error.js';

/** The original protocol's answer for a call that worked. */
export const SUCCESS = { status: 'Success' } as const;

/** uploadConfig: the metadata fields, then the file's bytes. */
export const CONFIG_FRAMING = { meta: ['accessToken', 'tenantId', 'hostIp'] as const, payload: 'configFile' };

/** uploadPackage: the metadata fields, then the package's bytes. */
export const PACKAGE_FRAMING = { meta: ['accessToken', 'appPackageId', 'hostIp', 'tenantId'] as const, payload: 'package' };

type IdField = 'appInstanceId' | 'appPackageId' | 'packageId';

/** A tenant-scoped request as the call log records it: tenant, host and (when named) the id the call is about. */
export const callIds =
  (id?: IdField) =>
  (r: { tenantId: string; hostIp: string } & Partial<Record<IdField, string>>) => ({
    tenantId: r.tenantId,
    hostIp: r.hostIp,
    ...(id ? { id: r[id] } : {}),
  });

/** instantiate of an id an instance of another package holds: ALREADY_EXISTS (the same package again is a retry). */
export function checkSamePackage(existing: { appPackageId: string } | undefined, appInstanceId: string, appPackageId: string): void {
  if (existing && existing.appPackageId !== appPackageId) throw new RpcError(status.ALREADY_EXISTS, `instance ${appInstanceId} exists with package ${existing.appPackageId}`);
}
