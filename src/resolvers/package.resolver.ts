import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AppPackage, OperationalState, PackageDistribution } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { PackageService } from '../services/package.service.js';
import { AppDescriptor, IntegrityStatus, PackageArtifact, PackageIntegrity } from './types/appd.types.js';
import { toConnection } from './types/connection.type.js';
import { DeletePackagePayload, OnboardPackageInput, PackageConnection, PackagesArgs } from './types/package.types.js';

@Resolver(() => AppPackage)
export class PackageResolver {
  constructor(private readonly packageService: PackageService) {}

  @Query(() => PackageConnection, { description: 'Packages of the caller’s tenant (admins: all)' })
  async packages(@Ctx() ctx: GraphQLContext, @Args(() => PackagesArgs) args: PackagesArgs): Promise<PackageConnection> {
    return toConnection(await this.packageService.list(ctx, args));
  }

  @Query(() => AppPackage, { description: 'One package; NOT_FOUND when absent or not visible' })
  package(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<AppPackage> {
    return this.packageService.get(ctx, id);
  }

  @Mutation(() => AppPackage, { description: 'Pulls a package from a URL; answers at once (CREATED) and onboards in the background' })
  onboardPackage(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => OnboardPackageInput) input: OnboardPackageInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<AppPackage> {
    return this.packageService.onboardFromUrl(ctx, input, idempotencyKey);
  }

  @Mutation(() => AppPackage, { description: 'Enables or disables a package; disabled packages cannot be instantiated' })
  setPackageOperationalState(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('state', () => OperationalState) state: OperationalState,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<AppPackage> {
    return this.packageService.setOperationalState(ctx, id, state, expectedVersion, idempotencyKey);
  }

  @Mutation(() => DeletePackagePayload, { description: 'Deletes a package and its file; CONFLICT while instances use it or hosts hold it' })
  async deletePackage(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey?: string,
  ): Promise<DeletePackagePayload> {
    return { id: await this.packageService.delete(ctx, id, idempotencyKey) };
  }

  @FieldResolver(() => [PackageDistribution], { description: 'Where the package is distributed' })
  async distributions(@Root() pkg: AppPackage): Promise<PackageDistribution[]> {
    // Batched across the packages of one response by MikroORM's dataloader.
    const items = await pkg.distributions.load({ dataloader: true, populate: ['host'] });
    return items.getItems();
  }

  @FieldResolver(() => AppDescriptor, { nullable: true, description: 'The parsed descriptor; null until ONBOARDED' })
  appd(@Ctx() ctx: GraphQLContext, @Root() pkg: AppPackage): Promise<AppDescriptor | null> {
    return this.packageService.lazyField(ctx, pkg, 'appd') as Promise<AppDescriptor | null>;
  }

  @FieldResolver(() => [PackageArtifact], { description: 'Files of the package with their kind; empty until ONBOARDED' })
  async artifacts(@Ctx() ctx: GraphQLContext, @Root() pkg: AppPackage): Promise<PackageArtifact[]> {
    return ((await this.packageService.lazyField(ctx, pkg, 'artifacts')) ?? []) as unknown as PackageArtifact[];
  }

  @FieldResolver(() => PackageIntegrity, { nullable: true, description: 'Manifest digest results; null until ONBOARDED' })
  integrity(@Root() pkg: AppPackage): PackageIntegrity | null {
    const raw = pkg.integrity as Omit<PackageIntegrity, 'verified' | 'mismatched' | 'absent'> | null;
    if (!raw) return null;
    const count = (s: IntegrityStatus) => raw.entries.filter((e) => e.status === s).length;
    return { ...raw, verified: count(IntegrityStatus.VERIFIED), mismatched: count(IntegrityStatus.MISMATCH), absent: count(IntegrityStatus.ABSENT) };
  }
}
