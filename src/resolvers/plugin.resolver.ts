import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../auth/tenant-guard.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { PluginInfo } from './types/plugin.types.js';

@Resolver(() => PluginInfo)
export class PluginResolver {
  constructor(private readonly registry: PluginRegistry) {}

  @Query(() => [PluginInfo], { description: 'The VIM plugins and their health (admins only)' })
  async plugins(
    @Ctx() ctx: GraphQLContext,
    @Arg('refresh', { defaultValue: false, description: 'Check every plugin now instead of reporting the last background check' }) refresh: boolean,
  ): Promise<PluginInfo[]> {
    requireAdmin(ctx.principal);
    const states = refresh ? await this.registry.checkAll() : this.registry.list();
    return states.sort((a, b) => a.vim.localeCompare(b.vim)).map((s) => ({ ...s, vimType: s.vim }));
  }
}
