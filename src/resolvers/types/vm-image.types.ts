import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { VmImage, VmImageStatus } from '../../db/entities/vm-image.entity.js';
import { Connection } from './connection.type.js';

@InputType()
export class VmImageFilterInput {
  @Field(() => ID, { nullable: true, description: 'Images of one app instance' }) instanceId?: string;
  @Field(() => ID, { nullable: true }) hostId?: string;
  @Field(() => VmImageStatus, { nullable: true }) status?: VmImageStatus;
  @Field({ nullable: true, description: 'Case-insensitive part of the name' }) nameContains?: string;
  @Field(() => String, { nullable: true, description: 'Owner tenant; admins use it to look at one tenant' }) tenantId?: string;
}

@ArgsType()
export class VmImagesArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => VmImageFilterInput, { nullable: true }) filter?: VmImageFilterInput;
}

@ObjectType()
export class VmImageConnection extends Connection(VmImage, 'VmImage') {}

@ObjectType({ description: 'A VM image as it was after one change, or as it was last when it was deleted' })
export class ImageUpdate {
  @Field({ description: 'Position of this event in the event log; subscribe again with afterSequence set to it to continue after it' }) sequence!: string;
  @Field({ description: 'True when the image was deleted; image is then its last state' }) deleted!: boolean;
  @Field(() => VmImage) image!: VmImage;
}

@InputType({ description: 'Every given field must match' })
export class ImageUpdateFilter {
  @Field(() => ID, { nullable: true, description: 'One image' }) id?: string | null;
  @Field(() => ID, { nullable: true, description: 'Images of one app instance' }) instanceId?: string | null;
  @Field(() => ID, { nullable: true }) hostId?: string | null;
  @Field(() => VmImageStatus, { nullable: true, description: 'Only changes into this status' }) status?: VmImageStatus | null;
}

@ArgsType()
export class ImageUpdatedArgs {
  @Field(() => ImageUpdateFilter, { nullable: true }) filter?: ImageUpdateFilter | null;
  @Field(() => String, {
    nullable: true,
    description: 'Replay the matching events after this sequence from the log first, then continue live (without gap or duplicate); omitted: live events from now on',
  })
  afterSequence?: string | null;
}
