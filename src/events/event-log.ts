import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlStatement } from '../db/sql-tx.js';
import { Event } from '../db/entities/index.js';

/** Topics of the event log; the payload is a snapshot of the subject after the change. */
export type EventTopic =
  | 'host.created'
  | 'host.updated'
  | 'host.deleted'
  | 'host.configUploaded'
  | 'host.configRemoved'
  /** Any change of an operation; payload: OperationSnapshot. */
  | 'operation.updated'
  /** An app instance was created or changed; payload: InstanceSnapshot. */
  | 'instance.updated'
  /** An app instance was removed (terminated); payload: InstanceSnapshot as it was last. */
  | 'instance.deleted'
  /** A package's presence on a host changed; payload: DistributionSnapshot. */
  | 'distribution.updated'
  /** A package was removed from a host; payload: DistributionSnapshot as it was last. */
  | 'distribution.deleted'
  /** A package was deleted; payload: { id, appId, tenantId, origin } (the REST shim's packages/sync_deleted). */
  | 'package.deleted'
  /** A workload event or status change the plugin reported for an instance; payload: WorkloadEventSnapshot. */
  | 'workload.event'
  /** A VM image was created or changed; payload: ImageSnapshot. */
  | 'image.updated'
  /** A VM image was deleted; payload: ImageSnapshot as it was last. */
  | 'image.deleted';

/** Every topic, for validating the topics a client asks for. */
export const EVENT_TOPICS: readonly EventTopic[] = [
  'host.created',
  'host.updated',
  'host.deleted',
  'host.configUploaded',
  'host.configRemoved',
  'operation.updated',
  'instance.updated',
  'instance.deleted',
  'distribution.updated',
  'distribution.deleted',
  'package.deleted',
  'workload.event',
  'image.updated',
  'image.deleted',
];

export const isEventTopic = (t: string): t is EventTopic => (EVENT_TOPICS as readonly string[]).includes(t);

/**
 * Appends an event within the caller's unit of work, so it commits (or not) together with the change
 * it describes: the log never claims a change that did not happen.
 */
export function appendEvent(em: EntityManager, e: EventInput): Event {
  return em.create(Event, { topic: e.topic, tenantId: e.tenantId, subjectId: e.subjectId, payload: e.payload });
}

export interface EventInput {
  topic: EventTopic;
  tenantId: string | null;
  subjectId: string;
  payload: Record<string, unknown>;
}

/**
 * The statement appending `events` (one row each) in the caller's transaction, for outcomes written without the ORM.
 * The insert trigger notifies other replicas; after the commit, the caller tells this replica's tailer
 * (EventCommitSignal.committed).
 */
export function insertEventsStatement(events: readonly EventInput[]): SqlStatement {
  return {
    sql: `insert into event (tenant_id, topic, subject_id, payload) values ${events.map(() => '(?, ?, ?, ?::jsonb)').join(', ')}`,
    params: events.flatMap((e) => [e.tenantId, e.topic, e.subjectId, JSON.stringify(e.payload)]),
  };
}
