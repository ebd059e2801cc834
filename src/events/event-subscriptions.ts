import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { isAdmin } from '../auth/principal.js';
import { ownedScope } from '../auth/tenant-guard.js';
import { AppInstance } from '../db/entities/index.js';
import { notFound } from '../errors.js';
import type {
  AppInstanceUpdate,
  AppInstanceUpdatedArgs,
  OperationUpdate,
  OperationUpdatedArgs,
  PackageDistributionUpdate,
  PackageDistributionUpdatedArgs,
  WorkloadEventsArgs,
  WorkloadEventUpdate,
} from '../resolvers/types/event.types.js';
import type { RequestContext } from '../services/request-context.js';
import type { ImageUpdatedArgs } from '../resolvers/types/vm-image.types.js';
import type { EventBus } from './event-bus.js';
import { toImageUpdate, type ImageUpdateShape } from './image-events.js';
import { toAppInstanceUpdate, toOperationUpdate, toPackageDistributionUpdate, toWorkloadEventUpdate } from './event-payloads.js';
import { parseSequence, type EventReader } from './event-reader.js';
import { EventStream, type EventStreamLimits, type EventStreamSpec } from './event-stream.js';
import type { WorkloadWatcher } from './workload-watcher.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filter fields that were given, as strings. */
function given(fields: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v != null) out[k] = v;
  return out;
}

/**
 * The GraphQL subscriptions over the event log. Each subscription is an EventStream scoped to the caller's tenant
 * (admins: every tenant; guests read their tenant's), with its filter applied to replayed and live rows alike.
 */
export class EventSubscriptions {
  private readonly open = new Set<{ close(): void }>();
  /** Times a subscriber fell more than the queue behind and went back to reading the log by its cursor. */
  fallbacks = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly reader: EventReader,
    private readonly watcher: WorkloadWatcher,
    private readonly limits: EventStreamLimits,
  ) {}

  /** Subscriptions open now (each ends on unsubscribe, disconnect, SLOW_CONSUMER or shutdown). */
  get size(): number {
    return this.open.size;
  }

  operationUpdated(ctx: RequestContext, args: OperationUpdatedArgs): EventStream<OperationUpdate> {
    const f = args.filter ?? {};
    return this.stream(ctx, args.afterSequence, {
      topics: ['operation.updated'],
      payloadEquals: given({ id: f.id, instanceId: f.instanceId, type: f.type, state: f.state }),
      map: toOperationUpdate,
    });
  }

  appInstanceUpdated(ctx: RequestContext, args: AppInstanceUpdatedArgs): EventStream<AppInstanceUpdate> {
    const f = args.filter ?? {};
    return this.stream(ctx, args.afterSequence, {
      topics: ['instance.updated', 'instance.deleted'],
      payloadEquals: given({ id: f.id, hostId: f.hostId, packageId: f.packageId }),
      map: toAppInstanceUpdate,
    });
  }

  packageDistributionUpdated(ctx: RequestContext, args: PackageDistributionUpdatedArgs): EventStream<PackageDistributionUpdate> {
    const f = args.filter ?? {};
    return this.stream(ctx, args.afterSequence, {
      topics: ['distribution.updated', 'distribution.deleted'],
      payloadEquals: given({ packageId: f.packageId, hostId: f.hostId }),
      map: toPackageDistributionUpdate,
    });
  }

  imageUpdated(ctx: RequestContext, args: ImageUpdatedArgs): EventStream<ImageUpdateShape> {
    const f = args.filter ?? {};
    return this.stream(ctx, args.afterSequence, {
      topics: ['image.updated', 'image.deleted'],
      payloadEquals: given({ id: f.id, instanceId: f.instanceId, hostId: f.hostId, status: f.status }),
      map: toImageUpdate,
    });
  }

  /**
   * Status changes and workload events of one instance the caller can see (NOT_FOUND otherwise, as for reads). While
   * the subscription lasts, this replica watches the instance on its plugin and logs what it reports.
   */
  async workloadEvents(ctx: RequestContext, args: WorkloadEventsArgs): Promise<EventStream<WorkloadEventUpdate>> {
    const after = this.cursor(args.afterSequence);
    const id = args.appInstanceId;
    const inst = UUID_RE.test(id) ? await ctx.em.fork().findOne(AppInstance, { id, ...ownedScope(ctx.principal) }, { fields: ['id', 'tenantId'] }) : null;
    if (!inst) throw notFound('app instance', id);
    const release = this.watcher.acquire(inst.id, ctx.accessToken);
    return this.stream(ctx, after, { topics: ['workload.event'], subjectId: inst.id, map: toWorkloadEventUpdate, onClose: release });
  }

  /** Ends every open subscription (server shutdown; graphql-ws has normally ended them already). */
  closeAll(): void {
    for (const s of [...this.open]) s.close();
  }

  private cursor(afterSequence: string | bigint | null | undefined): bigint | null {
    if (afterSequence == null) return null;
    return typeof afterSequence === 'bigint' ? afterSequence : parseSequence(afterSequence, 'afterSequence');
  }

  private stream<T>(ctx: RequestContext, afterSequence: string | bigint | null | undefined, spec: Omit<EventStreamSpec<T>, 'tenantId' | 'afterSequence'>): EventStream<T> {
    const after = this.cursor(afterSequence);
    const s: EventStream<T> = new EventStream(
      this.bus,
      this.reader,
      {
        ...spec,
        tenantId: isAdmin(ctx.principal) ? undefined : ctx.principal.tenantId,
        afterSequence: after,
        onFallBehind: () => this.fallbacks++,
        onClose: () => {
          this.open.delete(s);
          spec.onClose?.();
        },
      },
      this.limits,
    );
    this.open.add(s);
    return s;
  }
}

const bound = new WeakMap<GraphQLSchema, EventSubscriptions>();

/**
 * type-graphql calls a subscription's `subscribe` function without its resolver instance, so the service is found
 * through the schema being executed (one per server, bound when the schema is built).
 */
export function bindSubscriptions(schema: GraphQLSchema, subscriptions: EventSubscriptions): void {
  bound.set(schema, subscriptions);
}

export function subscriptionsOf(info: GraphQLResolveInfo): EventSubscriptions {
  const s = bound.get(info.schema);
  if (!s) throw new Error('subscriptions are not available on this schema');
  return s;
}
