import { DomainError, ErrorCode } from '../errors.js';
import { canWrite, isAdmin, type Principal } from './principal.js';

/** Guests only read. */
export function requireWriter(p: Principal): void {
  if (!canWrite(p)) throw new DomainError(ErrorCode.FORBIDDEN, 'guests may only read');
}

export function requireAdmin(p: Principal): void {
  if (!isAdmin(p)) throw new DomainError(ErrorCode.FORBIDDEN, 'this operation is reserved to admins');
}

/** Filter for rows a tenant owns outright (packages, instances, operations, images). */
export function ownedScope(p: Principal): { tenantId?: string } {
  return isAdmin(p) ? {} : { tenantId: p.tenantId };
}

/**
 * The tenant a new row belongs to. Tenants act only for themselves; admins may act for any tenant, and
 * `null` (explicit or omitted, where `sharedByDefault`) makes a shared row.
 */
export function targetTenant(p: Principal, requested: string | null | undefined, sharedByDefault: boolean): string | null {
  if (!isAdmin(p)) {
    if (requested != null && requested !== p.tenantId) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'a tenant may only act on its own rows', { field: 'tenantId' });
    }
    return p.tenantId;
  }
  if (requested === undefined) return sharedByDefault ? null : p.tenantId;
  return requested;
}

/** True when the caller may see a row owned by `tenantId` (null = shared, visible to all). */
export function canRead(p: Principal, tenantId: string | null): boolean {
  return isAdmin(p) || tenantId === null || tenantId === p.tenantId;
}

/** True when the caller may change a row owned by `tenantId`; shared rows belong to admins. */
export function canModify(p: Principal, tenantId: string | null): boolean {
  return canWrite(p) && (isAdmin(p) || (tenantId !== null && tenantId === p.tenantId));
}
