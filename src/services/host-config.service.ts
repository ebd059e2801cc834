import { createHash } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { canModify, requireWriter } from '../auth/tenant-guard.js';
import { HostConfigStatus, MecHost } from '../db/entities/index.js';
import { DomainError, ErrorCode } from '../errors.js';
import { appendEvent, type EventTopic } from '../events/event-log.js';
import { pluginTarget } from '../plugins/plugin-target.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { HostService } from './host.service.js';
import { validateHostConfig } from './host-config.validation.js';
import { idempotent, recorded } from './idempotency.js';
import type { RequestContext } from './request-context.js';

/**
 * A host's VIM credentials (kubeconfig, OpenStack rc file). The controller only forwards them: the bytes go to the
 * host's plugin and are never stored here, logged or readable through any API. The host's `configStatus` changes
 * only after the plugin confirmed, so a failed or interrupted upload leaves it as it was.
 */
export class HostConfigService {
  constructor(
    private readonly hosts: HostService,
    private readonly plugins: PluginRegistry,
  ) {}

  async upload(ctx: RequestContext, hostId: string, content: Buffer, idempotencyKey?: string | null): Promise<MecHost> {
    requireWriter(ctx.principal);
    const host = await this.modifiable(ctx, hostId);
    validateHostConfig(content, host.vim);
    const request = { hostId, digest: createHash('sha256').update(content).digest('hex') };
    const done = await recorded(ctx, idempotencyKey, 'host.configUploaded', request);
    if (done) return this.hosts.get(ctx, String(done.hostId));
    // The plugin call happens outside any transaction: it may take seconds, and must not hold a connection.
    const client = await this.plugins.clientFor(host.vim);
    const target = pluginTarget(host, ctx.accessToken);
    await client.uploadConfig(target, content, { correlationId: ctx.correlationId });
    try {
      return await this.mark(ctx, host, HostConfigStatus.UPLOADED, 'host.configUploaded', idempotencyKey, request);
    } catch (e) {
      // The host moved (new ip) or vanished while the bytes travelled: the plugin must not keep credentials for an
      // address nobody owns any more.
      if (e instanceof DomainError && (e.code === ErrorCode.CONFLICT || e.code === ErrorCode.NOT_FOUND)) {
        await client.removeConfig(target, { correlationId: ctx.correlationId }).catch((err: unknown) => ctx.log.warn({ err, hostId }, 'could not withdraw a configuration from the plugin'));
      }
      throw e;
    }
  }

  async remove(ctx: RequestContext, hostId: string, idempotencyKey?: string | null): Promise<MecHost> {
    requireWriter(ctx.principal);
    const host = await this.modifiable(ctx, hostId);
    const done = await recorded(ctx, idempotencyKey, 'host.configRemoved', { hostId });
    if (done) return this.hosts.get(ctx, String(done.hostId));
    const client = await this.plugins.clientFor(host.vim);
    try {
      await client.removeConfig(pluginTarget(host, ctx.accessToken), { correlationId: ctx.correlationId });
    } catch (e) {
      // Already gone on the plugin (an original plugin answers NOT_FOUND for a missing file): the goal is reached.
      if (!(e instanceof DomainError && e.code === ErrorCode.NOT_FOUND)) throw e;
    }
    return this.mark(ctx, host, HostConfigStatus.NOT_UPLOADED, 'host.configRemoved', idempotencyKey, { hostId });
  }

  private async modifiable(ctx: RequestContext, hostId: string): Promise<MecHost> {
    const host = await this.hosts.get(ctx, hostId);
    if (!canModify(ctx.principal, host.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'shared hosts are managed by admins');
    return host;
  }

  /** Records the new status if the host is still where the plugin call sent the bytes (same ip). */
  private mark(ctx: RequestContext, seen: MecHost, status: HostConfigStatus, topic: EventTopic, key: string | null | undefined, request: Record<string, unknown>): Promise<MecHost> {
    return idempotent(ctx, key, topic, request, {
      run: async (em: EntityManager) => {
        const host = await em.findOne(MecHost, { id: seen.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!host) throw new DomainError(ErrorCode.NOT_FOUND, `host ${JSON.stringify(seen.id)} was deleted during the configuration change`, { resource: 'host' });
        if (host.ip !== seen.ip) {
          throw new DomainError(ErrorCode.CONFLICT, `the host's ip changed from ${seen.ip} to ${host.ip} during the configuration change; upload again`, { field: 'ip' });
        }
        if (host.configStatus !== status) {
          host.configStatus = status;
          appendEvent(em, { topic, tenantId: host.tenantId, subjectId: host.id, payload: { id: host.id, ip: host.ip, configStatus: status } });
        }
        await em.flush();
        return { value: host, remember: { hostId: host.id } };
      },
      replay: (r) => this.hosts.get(ctx, String(r.hostId)),
    });
  }
}
