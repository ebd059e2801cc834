import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AppInstance, DistributionState, LcmOperation, OperationState, OperationType } from '../../db/entities/index.js';
import { PageInfo } from './connection.type.js';

const SEQUENCE = 'Position of this event in the event log; subscribe again with afterSequence set to it to continue after it';
const AFTER_SEQUENCE = 'Replay the matching events after this sequence from the log first, then continue live (without gap or duplicate); omitted: live events from now on';

export enum WorkloadEventKind {
  /** The instance's state changed (RUNNING, DEPLOYING, DEGRADED, FAILED, STOPPED, TERMINATING, ABSENT). */
  STATUS = 'STATUS',
  /** The VIM reported an event about one of the instance's objects (a pod, a server). */
  EVENT = 'EVENT',
}
registerEnumType(WorkloadEventKind, { name: 'WorkloadEventKind', description: 'What a workload event reports' });

@ObjectType({ description: 'An operation as it was after one change: the operation object is rebuilt from the event, not read from the database' })
export class OperationUpdate {
  @Field({ description: SEQUENCE }) sequence!: string;
  @Field(() => LcmOperation) operation!: LcmOperation;
}

@ObjectType({ description: 'An app instance as it was after one change, or as it was last when it was removed' })
export class AppInstanceUpdate {
  @Field({ description: SEQUENCE }) sequence!: string;
  @Field({ description: 'True when the instance was removed (terminated); appInstance is then its last state' }) deleted!: boolean;
  @Field(() => AppInstance, { description: 'The instance as of this event (its package and host fields read the current rows)' }) appInstance!: AppInstance;
  @Field(() => ID, { description: 'Its package, as of this event' }) packageId!: string;
  @Field(() => ID, { description: 'Its host, as of this event' }) hostId!: string;
}

@ObjectType({ description: "A package's presence on one host after one change, or as it was last when it was removed from the host" })
export class PackageDistributionUpdate {
  @Field({ description: SEQUENCE }) sequence!: string;
  @Field({ description: 'True when the package was removed from the host; the other fields are its last state' }) deleted!: boolean;
  @Field(() => ID) id!: string;
  @Field() tenantId!: string;
  @Field(() => ID) packageId!: string;
  @Field(() => ID) hostId!: string;
  @Field(() => DistributionState) state!: DistributionState;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => ID, { nullable: true, description: 'The operation that last moved it' }) operationId!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  @Field(() => Int) rowVersion!: number;
}

@ObjectType({ description: "What the host's plugin reported about an instance's workloads: a status change or a workload event" })
export class WorkloadEventUpdate {
  @Field({ description: SEQUENCE }) sequence!: string;
  @Field(() => ID) appInstanceId!: string;
  @Field(() => ID) hostId!: string;
  @Field(() => WorkloadEventKind) kind!: WorkloadEventKind;
  @Field(() => String, { nullable: true, description: 'STATUS: the instance state (RUNNING, DEPLOYING, DEGRADED, FAILED, STOPPED, TERMINATING, ABSENT)' }) state!: string | null;
  @Field(() => String, { nullable: true, description: 'STATUS: why; EVENT: the VIM reason (Pulled, BackOff, …)' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'EVENT: the kind of object it is about (Pod, Server, …)' }) objectKind!: string | null;
  @Field(() => String, { nullable: true, description: 'EVENT: the name of that object' }) objectName!: string | null;
  @Field(() => String, { nullable: true, description: 'EVENT: Normal or Warning' }) type!: string | null;
  @Field(() => String, { nullable: true, description: 'EVENT: the text the VIM reported' }) message!: string | null;
  @Field(() => Int, { nullable: true, description: 'EVENT: how many times the VIM saw it' }) count!: number | null;
  @Field(() => Date, { description: 'When the plugin observed it' }) observedAt!: Date;
}

@InputType({ description: 'Every given field must match' })
export class OperationUpdateFilter {
  @Field(() => ID, { nullable: true, description: 'One operation' }) id?: string | null;
  @Field(() => ID, { nullable: true, description: 'Operations on one app instance' }) instanceId?: string | null;
  @Field(() => OperationType, { nullable: true }) type?: OperationType | null;
  @Field(() => OperationState, { nullable: true, description: 'Only changes into this state' }) state?: OperationState | null;
}

@InputType({ description: 'Every given field must match' })
export class AppInstanceUpdateFilter {
  @Field(() => ID, { nullable: true, description: 'One app instance' }) id?: string | null;
  @Field(() => ID, { nullable: true }) hostId?: string | null;
  @Field(() => ID, { nullable: true }) packageId?: string | null;
}

@InputType({ description: 'Every given field must match' })
export class PackageDistributionUpdateFilter {
  @Field(() => ID, { nullable: true }) packageId?: string | null;
  @Field(() => ID, { nullable: true }) hostId?: string | null;
}

@ArgsType()
export class OperationUpdatedArgs {
  @Field(() => OperationUpdateFilter, { nullable: true }) filter?: OperationUpdateFilter | null;
  @Field(() => String, { nullable: true, description: AFTER_SEQUENCE }) afterSequence?: string | null;
}

@ArgsType()
export class AppInstanceUpdatedArgs {
  @Field(() => AppInstanceUpdateFilter, { nullable: true }) filter?: AppInstanceUpdateFilter | null;
  @Field(() => String, { nullable: true, description: AFTER_SEQUENCE }) afterSequence?: string | null;
}

@ArgsType()
export class PackageDistributionUpdatedArgs {
  @Field(() => PackageDistributionUpdateFilter, { nullable: true }) filter?: PackageDistributionUpdateFilter | null;
  @Field(() => String, { nullable: true, description: AFTER_SEQUENCE }) afterSequence?: string | null;
}

@ArgsType()
export class WorkloadEventsArgs {
  @Field(() => ID, { description: 'The app instance to watch; NOT_FOUND when absent or not visible' }) appInstanceId!: string;
  @Field(() => String, { nullable: true, description: AFTER_SEQUENCE }) afterSequence?: string | null;
}

@ObjectType({ description: 'One entry of the event log' })
export class Change {
  @Field({ description: 'Position in the log; pass it as after (changes) or afterSequence (subscriptions)' }) sequence!: string;
  @Field({ description: 'operation.updated, instance.updated, instance.deleted, distribution.updated, distribution.deleted, workload.event, host.*' }) topic!: string;
  @Field(() => String, { nullable: true, description: 'The id of the object the event is about' }) subjectId!: string | null;
  @Field(() => String, { nullable: true, description: 'The tenant the object belongs to (null: shared)' }) tenantId!: string | null;
  @Field(() => GraphQLJSONObject, { description: "Snapshot of the object after the change, with its GraphQL type's field names" }) payload!: Record<string, unknown>;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class ChangeEdge {
  @Field({ description: 'The sequence of the node' }) cursor!: string;
  @Field(() => Change) node!: Change;
}

@ObjectType({ description: 'A page of the event log in sequence (= commit) order' })
export class ChangeConnection {
  @Field(() => [ChangeEdge]) edges!: ChangeEdge[];
  @Field(() => PageInfo, { description: 'endCursor is the last sequence of the page, or `after` itself when the page is empty: keep passing it to poll' }) pageInfo!: PageInfo;
}

@ArgsType()
export class ChangesArgs {
  @Field(() => String, { nullable: true, description: 'A sequence: entries after it (omitted: from the start of the log)' }) after?: string | null;
  @Field(() => Int, { nullable: true, defaultValue: 100, description: 'Page size (default 100, at most APPLCM_MAX_PAGE_SIZE)' }) first?: number | null;
  @Field(() => [String], { nullable: true, description: 'Only these topics (omitted: all)' }) topics?: string[] | null;
}
