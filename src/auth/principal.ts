import { Role } from '../db/entities/enums.js';

/** The authenticated caller. The tenant is the token's `userId`, as in the original. */
export interface Principal {
  userId: string;
  userName: string;
  /** The effective role: the strongest authority the token carries (admin > tenant > guest). */
  role: Role;
  tenantId: string;
}

/** Authority strings used by EdgeGallery tokens. */
export const AUTHORITY_OF: Record<Role, string> = {
  [Role.ADMIN]: 'ROLE_MECM_ADMIN',
  [Role.TENANT]: 'ROLE_MECM_TENANT',
  [Role.GUEST]: 'ROLE_MECM_GUEST',
};

/**
 * Resolves the effective role from `authorities`. The original took the first known entry; we take the
 * strongest, so `["ROLE_MECM_GUEST","ROLE_MECM_ADMIN"]` is an admin whatever the order (documented decision).
 */
export function effectiveRole(authorities: readonly string[]): Role | null {
  for (const role of [Role.ADMIN, Role.TENANT, Role.GUEST]) {
    if (authorities.includes(AUTHORITY_OF[role])) return role;
  }
  return null;
}

export const isAdmin = (p: Principal): boolean => p.role === Role.ADMIN;
export const canWrite = (p: Principal): boolean => p.role !== Role.GUEST;
