import { pgDate } from '../db/sql-tx.js';
import { VmImage } from '../db/entities/index.js';
import type { EventInput } from './event-log.js';
import { memo } from './event-payloads.js';
import type { LoggedEvent } from './event-reader.js';

/** A VM image as its events carry it: the fields of the GraphQL type VmImage, dates as ISO strings. */
export interface ImageSnapshot {
  id: string;
  tenantId: string;
  instanceId: string | null;
  hostId: string;
  vmId: string;
  name: string;
  status: string;
  sizeBytes: number | null;
  checksum: string | null;
  diskFormat: string | null;
  pluginImageId: string | null;
  createdAt: string;
  updatedAt: string;
  rowVersion: number;
}

/** The columns of a `vm_image` row a raw statement returns. */
export const IMAGE_COLUMNS = 'id, tenant_id, instance_id, host_id, vm_id, name, status, size_bytes, checksum, disk_format, plugin_image_id, created_at, updated_at, row_version';

export interface ImageRow {
  id: string;
  tenant_id: string;
  instance_id: string | null;
  host_id: string;
  vm_id: string;
  name: string;
  status: string;
  /** bigint: text from the driver. */
  size_bytes: string | number | null;
  checksum: string | null;
  disk_format: string | null;
  plugin_image_id: string | null;
  created_at: string | Date;
  updated_at: string | Date;
  row_version: number;
}

export function imageRowSnapshot(r: ImageRow): ImageSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    instanceId: r.instance_id,
    hostId: r.host_id,
    vmId: r.vm_id,
    name: r.name,
    status: r.status,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    checksum: r.checksum,
    diskFormat: r.disk_format,
    pluginImageId: r.plugin_image_id,
    createdAt: pgDate(r.created_at).toISOString(),
    updatedAt: pgDate(r.updated_at).toISOString(),
    rowVersion: r.row_version,
  };
}

/** The snapshot of an image the ORM is about to insert. */
export function newImageSnapshot(i: VmImage): ImageSnapshot {
  return {
    id: i.id,
    tenantId: i.tenantId,
    instanceId: i.instanceId,
    hostId: i.hostId,
    vmId: i.vmId,
    name: i.name,
    status: i.status,
    sizeBytes: i.sizeBytes,
    checksum: i.checksum,
    diskFormat: i.diskFormat,
    pluginImageId: i.pluginImageId,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    rowVersion: i.rowVersion,
  };
}

export const imageEvent = (s: ImageSnapshot, deleted: boolean): EventInput => ({
  topic: deleted ? 'image.deleted' : 'image.updated',
  tenantId: s.tenantId,
  subjectId: s.id,
  payload: { ...s },
});

/** The image an event announces, as a VmImage object nothing tracks. */
export function imageFromSnapshot(p: ImageSnapshot): VmImage {
  return Object.assign(Object.create(VmImage.prototype) as VmImage, { ...p, createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) });
}

/** What an imageUpdated subscriber receives: the image after one change, or as it was last when deleted. */
export interface ImageUpdateShape {
  sequence: string;
  deleted: boolean;
  image: VmImage;
}

export const toImageUpdate = memo((e: LoggedEvent): ImageUpdateShape => ({
  sequence: e.sequence,
  deleted: e.topic === 'image.deleted',
  image: imageFromSnapshot(e.payload as unknown as ImageSnapshot),
}));
