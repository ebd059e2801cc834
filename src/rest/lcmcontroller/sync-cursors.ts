import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import { parseSequence, type EventReader } from '../../events/event-reader.js';
import type { Logger } from '../../observability/logger.js';

/** Whose position: one caller (token userId, '' when anonymous), one path tenant ('' on v1), one feed. */
export interface SyncKey {
  caller: string;
  scope: string;
  feed: string;
}

/**
 * Where an answer starts: after `after` in the change feed; with `snapshot` (a caller seen for the first time, or
 * one whose position the log no longer holds) a feed of updated records answers with the current state instead.
 */
export interface SyncStart {
  after: bigint;
  snapshot: boolean;
}

export interface SyncAnswer<T> {
  body: T;
  /** The position up to which `body` reports every change; the caller's cursor for the next call. */
  end: bigint;
}

interface StateRow {
  confirmed: string;
  sent: string | null;
  sent_complete: boolean;
  created: boolean;
}

/**
 * The sync routes' positions in the change feed, one row per caller, tenant and feed (shim_sync_state; the
 * protocol is in docs/rest-shim.md "Sync"). A caller that sends `cursor` says it holds every change up to it: the
 * answer starts there and the stored position moves to it. A caller without a cursor (appo, MECM) confirms its
 * previous answer by calling again — but only an answer that left this server completely counts: one cut off (the
 * connection dropped, the controller stopped) is sent again, merged with what changed since.
 */
export class SyncCursors {
  /**
   * Deliveries being recorded, per key, from the moment an answer is sent: a caller that calls again as soon as it has
   * read an answer may be quicker than the record of its delivery (even than this side's 'finish'), and would be sent
   * the answer again; on this replica it waits for the record.
   */
  private readonly recording = new Map<string, Promise<void>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly reader: EventReader,
    private readonly log: Logger,
  ) {}

  /**
   * Runs `read` from the caller's position under a lock on its row (two calls of one caller do not interleave),
   * records the answer's end as sent, and sends it with `send`; the answer counts as delivered once the response
   * has been handed to the connection in full.
   */
  async answer<T>(key: SyncKey, cursor: string | undefined, res: Response, read: (start: SyncStart, em: EntityManager) => Promise<SyncAnswer<T>>, send: (body: T) => void): Promise<void> {
    const explicit = cursor === undefined ? undefined : parseSequence(cursor, 'cursor');
    const id = JSON.stringify([key.caller, key.scope, key.feed]);
    await this.recording.get(id);
    const answer = await this.orm.em.fork().transactional(async (em) => {
      const state = await this.lock(em, key);
      let confirmed = BigInt(state.confirmed);
      if (explicit !== undefined) {
        const head = await this.reader.head(em);
        if (explicit > head) throw badInput('cursor', `cursor ${explicit} is ahead of the change feed (${head})`);
        await this.reader.requireKept(explicit, em);
        confirmed = explicit;
      } else if (state.sent !== null && state.sent_complete) {
        confirmed = BigInt(state.sent);
      }
      const start = explicit === undefined ? await this.startOf(em, key, confirmed, state.created) : { after: confirmed, snapshot: false };
      const a = await read(start, em);
      await exec(em, 'update shim_sync_state set confirmed = ?, sent = ?, sent_complete = false, updated_at = now() where caller = ? and scope = ? and feed = ?', [
        start.after.toString(),
        a.end > start.after ? a.end.toString() : null,
        key.caller,
        key.scope,
        key.feed,
      ]);
      return a;
    });
    // The caller hung up while the answer was read: nothing can reach it, and it stays unconfirmed.
    if (res.socket?.writable !== true) return;
    res.setHeader('X-Sync-Cursor', answer.end.toString());
    // The record is awaited from before the answer is sent: a caller can read the answer and call again before this
    // side has seen 'finish'. Settled once the delivery is recorded, or at once when the answer was cut off.
    let settle!: () => void;
    const recorded = new Promise<void>((resolve) => (settle = resolve));
    this.recording.set(id, recorded);
    void recorded.finally(() => this.recording.get(id) === recorded && this.recording.delete(id));
    res.once('finish', () => void this.delivered(key, answer.end).finally(settle));
    res.once('close', () => {
      if (!res.writableFinished) settle();
    });
    send(answer.body);
  }

  /** Where a cursorless call starts: its confirmed position, or the current state when there is none to go on from. */
  private async startOf(em: EntityManager, key: SyncKey, confirmed: bigint, created: boolean): Promise<SyncStart> {
    if (created) return { after: 0n, snapshot: true };
    try {
      await this.reader.requireKept(confirmed, em);
      return { after: confirmed, snapshot: false };
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== ErrorCode.CURSOR_EXPIRED) throw e;
      // Away longer than the log keeps events: updated records are sent again in full; deletions older than the log are gone.
      this.log.warn({ ...key, confirmed: confirmed.toString(), oldest: e.details.oldestSequence }, 'sync caller was away longer than the event retention: starting again from the current state');
      return { after: BigInt(String(e.details.oldestSequence)) - 1n, snapshot: true };
    }
  }

  private async lock(em: EntityManager, key: SyncKey): Promise<StateRow> {
    const created = await exec<{ caller: string }>(em, 'insert into shim_sync_state (caller, scope, feed) values (?, ?, ?) on conflict do nothing returning caller', [key.caller, key.scope, key.feed]);
    const [row] = await exec<Omit<StateRow, 'created'>>(em, 'select confirmed::text as confirmed, sent::text as sent, sent_complete from shim_sync_state where caller = ? and scope = ? and feed = ? for update', [
      key.caller,
      key.scope,
      key.feed,
    ]);
    return { ...row!, created: created.length > 0 };
  }

  /** The answer ending at `end` reached the connection whole; a newer answer (another `sent`) is left alone. */
  private async delivered(key: SyncKey, end: bigint): Promise<void> {
    try {
      await exec(this.orm.em.fork(), 'update shim_sync_state set sent_complete = true where caller = ? and scope = ? and feed = ? and sent = ?', [key.caller, key.scope, key.feed, end.toString()]);
    } catch (e) {
      // Not marked: the next call sends this answer again, which is safe.
      this.log.warn({ err: e, ...key }, 'could not record a sync answer as delivered');
    }
  }
}

function exec<T = unknown>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}
