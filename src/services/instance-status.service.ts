import { canRead } from '../auth/tenant-guard.js';
import { type AppInstance, InstanceOperationalState, type MecHost } from '../db/entities/index.js';
import { DomainError, notFound } from '../errors.js';
import type { PluginClient, PluginTarget } from '../plugins/plugin-client.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { pluginTarget } from '../plugins/plugin-target.js';
import type { InstanceStatusView } from '../resolvers/types/instance-status.types.js';
import { statusFromProto, statusFromQueryJson } from './instance-status.mapping.js';
import type { RequestContext } from './request-context.js';

const isUnimplemented = (e: unknown): boolean => e instanceof DomainError && e.details.grpcCode === 'UNIMPLEMENTED';

/**
 * Live data about instances and hosts, asked of the host's plugin on request with the caller's token. Failures are
 * the plugin client's coded errors (PLUGIN_UNAVAILABLE, DEADLINE_EXCEEDED, NOT_FOUND, PLUGIN_ERROR, …); the
 * resolvers expose them on the one nullable field that asked.
 */
export class InstanceStatusService {
  /**
   * Per GraphQL execution (see executionScope): the original `query` text of an instance, so that `status` (in its
   * fallback) and `statusJson` of one response ask the plugin once, while every event of a subscription asks anew.
   */
  private readonly queries = new WeakMap<object, Map<string, Promise<string>>>();

  constructor(private readonly plugins: PluginRegistry) {}

  /**
   * The structured status (PluginExtensions.instanceStatus). A plugin without the extension (an original
   * EdgeGallery plugin, or one answering UNIMPLEMENTED) is asked the original `query`, whose JSON is read into the
   * same shape.
   */
  async status(ctx: RequestContext, scope: object, instance: Pick<AppInstance, 'id' | 'operationalState'>, host: MecHost): Promise<InstanceStatusView> {
    const { client, target } = await this.reach(ctx, host);
    if (this.servesExtensions(host.vim)) {
      try {
        return statusFromProto(await client.instanceStatus(target, instance.id, { correlationId: ctx.correlationId }));
      } catch (e) {
        if (!isUnimplemented(e)) throw e;
      }
    }
    const text = await this.queryText(ctx, scope, client, target, instance.id);
    return statusFromQueryJson(text, { appInstanceId: instance.id, stopped: instance.operationalState === InstanceOperationalState.STOPPED });
  }

  /** The plugin's original `query` answer, unchanged (what the REST shim passes through). */
  async statusJson(ctx: RequestContext, scope: object, instance: Pick<AppInstance, 'id' | 'operationalState'>, host: MecHost): Promise<string> {
    const { client, target } = await this.reach(ctx, host);
    return this.queryText(ctx, scope, client, target, instance.id);
  }

  /** The plugin's original `workloadEvents` answer, unchanged. */
  async workloadEventsJson(ctx: RequestContext, instance: Pick<AppInstance, 'id' | 'operationalState'>, host: MecHost): Promise<string> {
    const { client, target } = await this.reach(ctx, host);
    return client.workloadEvents(target, instance.id, { correlationId: ctx.correlationId });
  }

  /** The plugin's original `queryKPI` answer for a host the caller may read, unchanged. */
  async kpi(ctx: RequestContext, host: MecHost): Promise<string> {
    if (!canRead(ctx.principal, host.tenantId)) throw notFound('host', host.id);
    const { client, target } = await this.reach(ctx, host);
    return client.queryKpi(target, { correlationId: ctx.correlationId });
  }

  private async reach(ctx: RequestContext, host: MecHost): Promise<{ client: PluginClient; target: PluginTarget }> {
    return { client: await this.plugins.clientFor(host.vim), target: pluginTarget(host, ctx.accessToken) };
  }

  /** False once a health check found the plugin without PluginExtensions (an original plugin): no call is wasted. */
  private servesExtensions(vim: string): boolean {
    const state = this.plugins.list().find((s) => s.vim === vim.toLowerCase());
    return !(state && state.healthy === true && !state.extensions);
  }

  private queryText(ctx: RequestContext, scope: object, client: PluginClient, target: PluginTarget, instanceId: string): Promise<string> {
    let memo = this.queries.get(scope);
    if (!memo) this.queries.set(scope, (memo = new Map<string, Promise<string>>()));
    let text = memo.get(instanceId);
    if (!text) {
      text = client.query(target, instanceId, { correlationId: ctx.correlationId });
      memo.set(instanceId, text);
    }
    return text;
  }
}
