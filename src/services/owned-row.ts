import type { EntityManager, EntityName, FilterQuery, FindOneOptions } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { notFound } from '../errors.js';
import type { RequestContext } from './request-context.js';
import { isUuid } from './validation.js';

/**
 * A row a tenant owns outright (an app instance, an operation) by id: the caller's own, or any for an admin.
 * Anything else, including an id that is not a UUID, is NOT_FOUND (no existence leak across tenants).
 */
export async function findOwned<T extends { tenantId: string }, P extends string = never>(
  ctx: RequestContext,
  em: EntityManager,
  entity: EntityName<T>,
  id: string,
  what: string,
  options?: FindOneOptions<T, P>,
): Promise<T> {
  const row = isUuid(id) ? await em.findOne(entity, { id } as FilterQuery<T>, options) : null;
  if (!row || (!isAdmin(ctx.principal) && row.tenantId !== ctx.principal.tenantId)) throw notFound(what, id);
  return row;
}
