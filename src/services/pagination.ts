import { badInput } from '../errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 20;

/** Opaque cursor over (createdAt, id): stable under inserts, unlike offsets. */
export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  try {
    if (cursor.length > 256) throw new Error('too long');
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through to the coded error
  }
  throw badInput('after', 'after is not a cursor returned by this API');
}

export function pageSize(first: number | null | undefined, max: number): number {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > max) throw badInput('first', `first must be between 0 and ${max}`);
  return n;
}

/** The MikroORM filter that continues after a cursor, for rows ordered by (createdAt, id). */
export function afterCursorFilter(after: string | null | undefined): Record<string, unknown> {
  if (!after) return {};
  const c = decodeCursor(after);
  return { $or: [{ createdAt: { $gt: c.createdAt } }, { createdAt: c.createdAt, id: { $gt: c.id } }] };
}

/** Turns `limit + 1` fetched rows into a page. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number, totalCount: number): Page<T> {
  const nodes = rows.slice(0, limit);
  const last = nodes[nodes.length - 1];
  return { nodes, hasNextPage: rows.length > limit, endCursor: last ? encodeCursor(last) : null, totalCount };
}
