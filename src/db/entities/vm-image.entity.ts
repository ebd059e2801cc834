import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { MutableEntity } from './base.entity.js';

/** Where an image is: being snapshotted, ready to download, given up on, or being deleted. */
export enum VmImageStatus {
  CREATING = 'CREATING',
  ACTIVE = 'ACTIVE',
  ERROR = 'ERROR',
  DELETING = 'DELETING',
}
registerEnumType(VmImageStatus, { name: 'VmImageStatus', description: 'CREATING (the snapshot runs) → ACTIVE (downloadable); ERROR (its operation was given up); DELETING' });

/** A VM image snapshotted from an instance's VM and held by the host's image service. */
@ObjectType({ description: "A VM image snapshotted from an app instance's VM, held by its host's image service; its file is downloaded from GET /api/v1/tenants/{tenantId}/images/{id}/file", simpleResolvers: true })
@Entity({ tableName: 'vm_image' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
export class VmImage extends MutableEntity<'instanceId' | 'status' | 'sizeBytes' | 'checksum' | 'diskFormat' | 'pluginImageId'> {
  @Field()
  @Property({ type: 'text' })
  tenantId!: string;

  @Field(() => String, { nullable: true, description: 'The app instance whose VM it was taken from (kept after the instance is gone)' })
  @Property({ type: 'uuid', nullable: true })
  instanceId: string | null = null;

  @Field(() => String, { description: 'The host whose image service holds it' })
  @Property({ type: 'uuid' })
  hostId!: string;

  @Field({ description: 'The VM (server) it is a snapshot of' })
  @Property({ type: 'text' })
  vmId!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  // Stored as text, as migrated.
  @Field(() => VmImageStatus)
  @Property({ type: 'text', default: 'CREATING' })
  status: VmImageStatus = VmImageStatus.CREATING;

  @Field(() => Number, { nullable: true, description: 'Bytes of the image file, once ACTIVE' })
  @Property({ type: new BigIntType('number'), nullable: true })
  sizeBytes: number | null = null;

  @Field(() => String, { nullable: true, description: "The image service's checksum of the file (also the download's ETag)" })
  @Property({ type: 'text', nullable: true })
  checksum: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  diskFormat: string | null = null;

  @Field(() => String, { nullable: true, description: "The image's id on the host's image service" })
  @Property({ type: 'text', nullable: true })
  pluginImageId: string | null = null;
}
