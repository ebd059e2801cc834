import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { LcmOperation } from '../db/entities/index.js';
import { VmImage } from '../db/entities/vm-image.entity.js';
import type { GraphQLContext } from '../graphql/context.js';
import { DEFAULT_PAGE_SIZE } from '../services/pagination.js';
import type { VmImageService } from '../services/vm-image.service.js';
import { lazyCountConnection, pageCost } from './types/app-instance.types.js';
import { VmImageConnection, VmImagesArgs } from './types/vm-image.types.js';

const KEY = { nullable: true, description: 'Replaying the same request with the same key returns the original result' } as const;

/** VM images: snapshot and delete as operations, reads; the file itself is downloaded over REST (with Range). */
@Resolver(() => VmImage)
export class VmImageResolver {
  constructor(private readonly images: VmImageService) {}

  @Mutation(() => LcmOperation, {
    description:
      "Snapshots one VM of an instantiated app instance into an image on its host's image service. Answers the CREATE_IMAGE operation at once (its params.imageId names the image, CREATING until the operation COMPLETED makes it ACTIVE); it holds the instance while it runs.",
  })
  createVmImage(
    @Ctx() ctx: GraphQLContext,
    @Arg('appInstanceId', () => ID) appInstanceId: string,
    @Arg('vmId', { description: 'The VM (server) to snapshot' }) vmId: string,
    @Arg('name') name: string,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.images.create(ctx, { appInstanceId, vmId, name }, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'Deletes an ACTIVE (or ERROR) image from its host and from the controller: a DELETE_IMAGE operation; the image is DELETING meanwhile' })
  deleteVmImage(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string): Promise<LcmOperation> {
    return this.images.delete(ctx, id, idempotencyKey);
  }

  @Query(() => VmImageConnection, { description: 'VM images of the caller’s tenant (admins: all), oldest first', complexity: pageCost(DEFAULT_PAGE_SIZE) })
  async vmImages(@Ctx() ctx: GraphQLContext, @Args(() => VmImagesArgs) args: VmImagesArgs): Promise<VmImageConnection> {
    const { page, count } = await this.images.list(ctx, args);
    return lazyCountConnection(page, count);
  }

  @Query(() => VmImage, { description: 'One VM image; NOT_FOUND when absent or not visible' })
  vmImage(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<VmImage> {
    return this.images.get(ctx, id);
  }
}
