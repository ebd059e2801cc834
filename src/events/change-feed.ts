import { isAdmin } from '../auth/principal.js';
import { badInput } from '../errors.js';
import type { ChangeConnection } from '../resolvers/types/event.types.js';
import { pageSize } from '../services/pagination.js';
import type { RequestContext } from '../services/request-context.js';
import { isEventTopic } from './event-log.js';
import { toChange } from './event-payloads.js';
import { parseSequence, type EventReader } from './event-reader.js';

const MAX_TOPICS = 32;

/**
 * The event log as pages, for clients that poll rather than subscribe (the REST shim's sync_updated/sync_deleted).
 * Tenant-scoped like the subscriptions: a tenant (or its guest) reads its own rows, admins every row.
 */
export class ChangeFeed {
  constructor(
    private readonly reader: EventReader,
    private readonly maxPageSize: number,
  ) {}

  async page(ctx: RequestContext, args: { after?: string | null; first?: number | null; topics?: readonly string[] | null }): Promise<ChangeConnection> {
    const limit = pageSize(args.first ?? 100, this.maxPageSize);
    const after = args.after != null ? parseSequence(args.after, 'after') : 0n;
    let topics: string[] | undefined;
    if (args.topics != null) {
      if (args.topics.length === 0 || args.topics.length > MAX_TOPICS) throw badInput('topics', `topics must name between 1 and ${MAX_TOPICS} topics`);
      const unknown = args.topics.find((t) => !isEventTopic(t));
      if (unknown !== undefined) throw badInput('topics', `unknown topic ${JSON.stringify(unknown.slice(0, 64))}`);
      topics = [...new Set(args.topics)];
    }
    // A cursor whose following events are gone is refused; without one, the feed starts at what is kept.
    if (args.after != null) await this.reader.requireKept(after, ctx.em);
    const rows = await this.reader.read({ after, limit: limit + 1, topics, tenantId: isAdmin(ctx.principal) ? undefined : ctx.principal.tenantId }, ctx.em);
    const nodes = rows.slice(0, limit).map(toChange);
    const last = nodes.at(-1);
    return {
      edges: nodes.map((node) => ({ cursor: node.sequence, node })),
      pageInfo: { hasNextPage: rows.length > limit, endCursor: last?.sequence ?? args.after ?? null },
    };
  }
}
