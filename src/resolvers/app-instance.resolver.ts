import { Kind, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { AppInstance, AppPackage, LcmOperation, MecHost } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { InstanceQueryService, RelatedRead } from '../services/instance-query.service.js';
import type { InstanceStatusService } from '../services/instance-status.service.js';
import { DEFAULT_PAGE_SIZE, pageSize, type Page } from '../services/pagination.js';
import { executionScope, type ReadLoaderFactory } from '../services/read-loaders.js';
import { AppInstanceConnection, AppInstancesArgs, LIVE_FIELD_COST, lazyCountConnection, pageCost } from './types/app-instance.types.js';
import { InstanceStatusView } from './types/instance-status.types.js';

const NODE_PACKAGE = ['edges', 'node', 'package'];
const NODE_HOST = ['edges', 'node', 'host'];

/**
 * The fields the field being resolved selects at `path` below it (through fragments; @skip/@include are not
 * evaluated), or null when it does not select `path`.
 */
function selectedAt(info: GraphQLResolveInfo, path: string[]): Set<string> | null {
  let found: Set<string> | null = null;
  const walk = (set: SelectionSetNode | undefined, at: number): void => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, at);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) walk(info.fragments[sel.name.value]?.selectionSet, at);
      else if (at === path.length) (found ??= new Set()).add(sel.name.value);
      else if (sel.name.value === path[at]) {
        if (at === path.length - 1) found ??= new Set();
        walk(sel.selectionSet, at + 1);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, 0);
  return found;
}

/** Field resolvers of packages and hosts that read only eager columns, so plain rows serve them. */
const PLAIN_DERIVED = new Set(['__typename', 'integrity', 'pluginStatus']);

/**
 * How the page reads its packages or hosts: not at all when unselected; plain rows of just the selected columns when
 * every selected field is an eager column; of all eager columns when some are derived from them; ORM entities
 * otherwise (relations, lazy documents, live data).
 */
function relatedRead(info: GraphQLResolveInfo, path: string[], plain: ReadonlySet<string>): RelatedRead | undefined {
  const fields = selectedAt(info, path);
  if (!fields) return undefined;
  fields.delete('__typename');
  if ([...fields].every((f) => plain.has(f))) return { plain: [...fields] };
  return [...fields].every((f) => plain.has(f) || PLAIN_DERIVED.has(f)) ? 'plain' : 'entities';
}

/** Operations listed per instance when `first` is omitted. */
const DEFAULT_HISTORY = 10;

/**
 * What the AppInstance field resolvers receive: an entity (appInstance(id)), a plain list row (InstanceView) or an
 * instance rebuilt from an event snapshot. A type, not a class, so that type-graphql hands the root over as it is
 * instead of copying it into a new entity instance for every field.
 */
type InstanceRoot = Pick<AppInstance, 'id' | 'operationalState'> & { package?: unknown; host?: unknown; loadedPackage?: AppPackage; loadedHost?: MecHost };

/**
 * The id of an instance's package or host: a reference on an entity, or a plain `packageId` / `hostId` on an
 * instance rebuilt from an event snapshot.
 */
function refId(inst: InstanceRoot, rel: 'package' | 'host'): string {
  const ref = inst[rel] as { id?: string } | string | undefined | null;
  if (typeof ref === 'string') return ref;
  if (ref?.id) return ref.id;
  const plain = (inst as unknown as Record<string, unknown>)[`${rel}Id`];
  if (typeof plain === 'string') return plain;
  throw new Error(`app instance ${inst.id} carries no ${rel}`);
}

const missing = (inst: InstanceRoot, rel: string): never => {
  throw new Error(`${rel} of app instance ${inst.id} is missing`);
};

/**
 * Makes AppInstance.package and .host answer a list row's package or host read with its page before type-graphql's
 * resolver wrapper runs (its parameter handling, twice for every row of a page, cost more than the rest of the row):
 * the same answer as the first branch of the field resolvers below, which answer everything else.
 */
export function answerLoadedRelationsFirst(schema: GraphQLSchema): void {
  const fields = (schema.getType('AppInstance') as GraphQLObjectType).getFields();
  for (const [field, loaded] of [
    ['package', 'loadedPackage'],
    ['host', 'loadedHost'],
  ] as const) {
    const resolve = fields[field]!.resolve! as GraphQLFieldResolver<InstanceRoot, unknown>;
    fields[field]!.resolve = (root: InstanceRoot, args, ctx, info) => root[loaded] ?? resolve(root, args, ctx, info);
  }
}

@Resolver(() => AppInstance)
export class AppInstanceResolver {
  constructor(
    private readonly instances: InstanceQueryService,
    private readonly loaders: ReadLoaderFactory,
    private readonly live: InstanceStatusService,
    private readonly maxPageSize: number,
  ) {}

  @Query(() => AppInstanceConnection, { description: 'App instances of the caller’s tenant (admins: all), oldest first', complexity: pageCost(DEFAULT_PAGE_SIZE) })
  async appInstances(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Args(() => AppInstancesArgs) args: AppInstancesArgs): Promise<AppInstanceConnection> {
    // Packages and hosts the page asks for are read with it, so the rest of the page resolves without waiting.
    const plain = this.instances.plainProperties(ctx);
    const { page, count } = await this.instances.list(ctx, args, { package: relatedRead(info, NODE_PACKAGE, plain.package), host: relatedRead(info, NODE_HOST, plain.host) });
    return lazyCountConnection(page as unknown as Page<AppInstance>, count);
  }

  @Query(() => AppInstance, { description: 'One app instance; NOT_FOUND when absent or not visible' })
  appInstance(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<AppInstance> {
    return this.instances.get(ctx, id);
  }

  @FieldResolver(() => AppPackage, { name: 'package', description: 'The package it was instantiated from' })
  package(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): AppPackage | Promise<AppPackage> {
    // Read with the page (synchronous: no promise per row), or batched across the response.
    return inst.loadedPackage ?? this.loaders.for(ctx, info).package.load(refId(inst, 'package')).then((pkg) => pkg ?? missing(inst, 'package'));
  }

  @FieldResolver(() => MecHost, { description: 'The host it runs on' })
  host(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): MecHost | Promise<MecHost> {
    return inst.loadedHost ?? this.loaders.for(ctx, info).host.load(refId(inst, 'host')).then((host) => host ?? missing(inst, 'host'));
  }

  @FieldResolver(() => LcmOperation, { nullable: true, description: 'The operation now holding the instance (STARTING, PROCESSING, FAILED_TEMP or ROLLING_BACK), if any' })
  activeOperation(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): Promise<LcmOperation | null> {
    return this.loaders.for(ctx, info).activeOperation.load(inst.id);
  }

  @FieldResolver(() => [LcmOperation], { description: 'Its operations, newest first', complexity: pageCost(DEFAULT_HISTORY) })
  operations(
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Root() inst: InstanceRoot,
    @Arg('first', () => Int, { nullable: true, description: `How many (default ${DEFAULT_HISTORY})` }) first?: number | null,
  ): Promise<LcmOperation[]> {
    const n = pageSize(first ?? DEFAULT_HISTORY, this.maxPageSize);
    return this.loaders.for(ctx, info).history(n).load(inst.id);
  }

  @FieldResolver(() => InstanceStatusView, {
    nullable: true,
    complexity: LIVE_FIELD_COST,
    description:
      "Live status from the host's plugin (one plugin call): its structured instanceStatus, or the original query JSON read into the same shape for a plugin without PluginExtensions. Plugin failures (PLUGIN_UNAVAILABLE, DEADLINE_EXCEEDED, NOT_FOUND, PLUGIN_ERROR) are errors on this field only.",
  })
  async status(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): Promise<InstanceStatusView> {
    const host = await this.host(ctx, info, inst);
    return this.live.status(ctx, executionScope(info), inst, host);
  }

  @FieldResolver(() => String, { nullable: true, complexity: LIVE_FIELD_COST, description: "The plugin's original query answer, unchanged (JSON text; one plugin call)" })
  async statusJson(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): Promise<string> {
    const host = await this.host(ctx, info, inst);
    return this.live.statusJson(ctx, executionScope(info), inst, host);
  }

  @FieldResolver(() => String, { nullable: true, complexity: LIVE_FIELD_COST, description: "The plugin's original workloadEvents answer, unchanged (JSON text; one plugin call)" })
  async workloadEventsJson(@Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo, @Root() inst: InstanceRoot): Promise<string> {
    const host = await this.host(ctx, info, inst);
    return this.live.workloadEventsJson(ctx, inst, host);
  }
}
