import { isIPv4 } from 'node:net';
import { status } from '@grpc/grpc-js';
import { RpcError } from './rpc-error.js';

// Any UUID variant, including the nil UUID that shared hosts use as tenant.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Package ids become file names, so nothing that could climb out of the store or hide as a dot file.
const PACKAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const isUuid = (s: string): boolean => UUID.test(s);
export const isPackageId = (s: string): boolean => PACKAGE_ID.test(s);

export function checkTenantHost(tenantId: string, hostIp: string): void {
  if (!isUuid(tenantId)) throw new RpcError(status.INVALID_ARGUMENT, `tenantId must be a UUID, got ${JSON.stringify(tenantId)}`);
  if (!isIPv4(hostIp)) throw new RpcError(status.INVALID_ARGUMENT, `hostIp must be an IPv4 address, got ${JSON.stringify(hostIp)}`);
}

export function checkUuid(value: string, field: string): void {
  if (!isUuid(value)) throw new RpcError(status.INVALID_ARGUMENT, `${field} must be a UUID, got ${JSON.stringify(value)}`);
}

export function checkPackageId(packageId: string): void {
  if (!isPackageId(packageId)) throw new RpcError(status.INVALID_ARGUMENT, `invalid package id ${JSON.stringify(packageId)}`);
}
