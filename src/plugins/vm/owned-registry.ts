import { registryKey, type VmContext } from './vm-context.js';
import type { OwnedResources } from './vm-store.js';

export type OwnedKind = keyof OwnedResources;

/**
 * The resources the plugin created on a host (images, networks, flavors) and who uses them: packages for images,
 * instances for networks and flavors. A resource someone else created is never in here, so it is never removed;
 * one the plugin created goes with its last user.
 */
export class OwnedRegistry {
  constructor(
    private readonly ctx: VmContext,
    private readonly tenantId: string,
    private readonly hostIp: string,
  ) {}

  /** Runs `fn` with the registry, alone among the host's registry changes, and saves what it changed. */
  private change<T>(fn: (o: OwnedResources) => Promise<T>): Promise<T> {
    return this.ctx.locks.run(registryKey(this.tenantId, this.hostIp), async () => {
      const o = await this.ctx.store.owned(this.tenantId, this.hostIp);
      const before = JSON.stringify(o);
      try {
        return await fn(o);
      } finally {
        if (JSON.stringify(o) !== before) await this.ctx.store.putOwned(this.tenantId, this.hostIp, o);
      }
    });
  }

  /**
   * Finds a resource (`find`, under the registry lock so two instances do not both create one) or creates it
   * (`create`), and records `user` as using it when the plugin owns it. Answers the resource id.
   */
  findOrCreate(kind: OwnedKind, user: string, find: () => Promise<string | undefined>, create: () => Promise<string>): Promise<string> {
    return this.change(async (o) => {
      const found = await find();
      if (found !== undefined) {
        const users = o[kind][found];
        if (users && !users.includes(user)) users.push(user);
        return found;
      }
      const id = await create();
      o[kind][id] = [user];
      return id;
    });
  }

  /** Whether the plugin created this resource. */
  async owns(kind: OwnedKind, id: string): Promise<boolean> {
    return (await this.ctx.store.owned(this.tenantId, this.hostIp))[kind][id] !== undefined;
  }

  /** Records a resource the plugin just created for `user`. */
  adopt(kind: OwnedKind, id: string, user: string): Promise<void> {
    return this.change((o) => {
      o[kind][id] = [...new Set([...(o[kind][id] ?? []), user])];
      return Promise.resolve();
    });
  }

  /**
   * `user` no longer uses the resource; when the plugin created it and nobody else uses it, `remove` deletes it and
   * it leaves the registry. A removal that fails, or answers false (still in use by something outside the plugin),
   * keeps it there without users, for a later user's release to retry.
   */
  release(kind: OwnedKind, id: string, user: string, remove: () => Promise<void | false>): Promise<void> {
    return this.change(async (o) => {
      const users = o[kind][id];
      if (!users) return;
      o[kind][id] = users.filter((u) => u !== user);
      if (o[kind][id].length > 0) return;
      if ((await remove()) === false) return;
      delete o[kind][id];
    });
  }
}
