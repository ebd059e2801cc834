import { BigIntType, Entity, Index, Property } from '@mikro-orm/core';
import { MutableEntity } from './base.entity.js';

/** A VM image snapshotted from an instance's VM and held by the host's image service. */
@Entity({ tableName: 'vm_image' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
export class VmImage extends MutableEntity<'instanceId' | 'status' | 'sizeBytes' | 'checksum' | 'diskFormat' | 'pluginImageId'> {
  @Property({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'uuid', nullable: true })
  instanceId: string | null = null;

  @Property({ type: 'uuid' })
  hostId!: string;

  @Property({ type: 'text' })
  vmId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', default: 'CREATING' })
  status: string = 'CREATING';

  @Property({ type: new BigIntType('number'), nullable: true })
  sizeBytes: number | null = null;

  @Property({ type: 'text', nullable: true })
  checksum: string | null = null;

  @Property({ type: 'text', nullable: true })
  diskFormat: string | null = null;

  @Property({ type: 'text', nullable: true })
  pluginImageId: string | null = null;
}
