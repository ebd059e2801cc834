import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../observability/logger.js';

/** What every use case receives first: who is calling, a request-scoped unit of work, and where to log. */
export interface RequestContext {
  principal: Principal;
  /** The caller's token as presented: forwarded to plugins in `accessToken`, as the original controller does. */
  accessToken: string;
  em: EntityManager;
  correlationId: string;
  log: Logger;
}
