import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SwImage } from '../../packages/appd.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../../packages/archive-limits.js';
import { ZipArchive } from '../../packages/zip-archive.js';
import { inSlot } from '../call-slots.js';
import type { GlanceImage } from './openstack/glance.js';
import type { OpenStackCloud } from './openstack/openstack-cloud.js';
import { repeatOnExpiredToken } from './openstack/openstack-session.js';
import { capped } from './image-fetch.js';
import { OwnedRegistry } from './owned-registry.js';
import { hostKey } from '../plugin-kit/host-keys.js';
import type { VmContext } from './vm-context.js';
import type { VmPackageRecord } from './vm-store.js';

/** An error's message with its cause (fetch failures hide the reason there). */
const reason = (e: unknown): string => {
  const err = e as Error & { cause?: { message?: string } };
  return err.cause?.message ? `${err.message}: ${err.cause.message}` : (err.message ?? String(e));
};

/** Glance statuses an image never leaves for active. */
const DEAD = new Set(['killed', 'deleted', 'pending_delete', 'deactivated']);
/** SwImageDesc keys that are not Glance properties (the original dropped them too). */
const NOT_PROPERTIES = new Set(['id', 'checksum', 'version', 'size', 'swImage', 'name', 'containerFormat', 'diskFormat', 'minRam', 'minDisk']);

export const uploadKey = (tenantId: string, hostIp: string, packageId: string): string => `${hostKey(tenantId, hostIp)}/${packageId}`;

/** The Glance fields of a SwImageDesc entry, with the original osplugin's mapping. */
export function glanceFields(img: SwImage): Record<string, unknown> {
  const iso = img.diskFormat?.toLowerCase() === 'iso';
  const fields: Record<string, unknown> = {
    name: img.name,
    container_format: img.containerFormat ?? 'bare',
    disk_format: img.diskFormat ?? 'qcow2',
    min_ram: img.minRam ?? 0,
    min_disk: iso ? 0 : (img.minDisk ?? 0),
    // What the package said of the image, so a second package with the same image finds it (deduplication).
    applcm_sw_checksum: img.checksum ?? '',
  };
  if (img.operatingSystem) fields['__os_version'] = img.operatingSystem;
  if (img.supportedVirtualisationEnvironment) fields['__os_type'] = img.supportedVirtualisationEnvironment;
  if (img.architecture) fields['architecture'] = img.architecture;
  for (const p of img.otherProperties) if (!NOT_PROPERTIES.has(p.name) && !(p.name in fields)) fields[p.name] = p.value;
  return fields;
}

/** The same image already in Glance: same name, and the package's checksum matches Glance's or the one it recorded. */
export function sameImage(img: SwImage, candidates: GlanceImage[]): GlanceImage | undefined {
  const sum = img.checksum?.toLowerCase();
  if (!sum) return undefined;
  return candidates.find((g) => !DEAD.has(g.status) && [g.checksum, g.os_hash_value, g['applcm_sw_checksum']].some((c) => typeof c === 'string' && c.toLowerCase() === sum));
}

/**
 * Puts a package's VM images into Glance in the background, as the original osplugin did after answering the
 * upload: each image is found (same name and checksum) or created, its bytes streamed in from the package or from
 * its URL, and waited for until Glance reports it active. A failure removes the image the plugin created for it (no
 * orphan in Glance) and marks the package in error with the reason.
 */
export class PackageImages {
  constructor(private readonly ctx: VmContext) {}

  /** Starts the uploads of `rec`'s images; the record is rewritten as each image moves on. */
  start(tenantId: string, hostIp: string, cloud: OpenStackCloud, rec: VmPackageRecord, csarPath: string): void {
    const key = uploadKey(tenantId, hostIp, rec.packageId);
    const abort = new AbortController();
    this.ctx.uploads.set(key, abort);
    void this.run(tenantId, hostIp, cloud, rec, csarPath, abort.signal).finally(() => {
      if (this.ctx.uploads.get(key) === abort) this.ctx.uploads.delete(key);
    });
  }

  private async run(tenantId: string, hostIp: string, cloud: OpenStackCloud, rec: VmPackageRecord, csarPath: string, signal: AbortSignal): Promise<void> {
    const registry = new OwnedRegistry(this.ctx, tenantId, hostIp);
    const save = () => (signal.aborted ? Promise.resolve() : this.ctx.store.putPackage(tenantId, hostIp, rec));
    for (const entry of rec.images) {
      const img = rec.template!.swImages.find((s) => s.name === entry.name)!;
      let created: string | undefined;
      try {
        const glanceId = await registry.findOrCreate(
          'images',
          rec.packageId,
          async () => sameImage(img, await cloud.glance.list({ name: img.name }, signal))?.id,
          async () => {
            created = (await cloud.glance.create(glanceFields(img), signal)).id;
            return created;
          },
        );
        entry.glanceId = glanceId;
        await save();
        if (created) await inSlot(this.ctx.imageSlots, () => repeatOnExpiredToken(() => this.uploadBytes(cloud, created!, img, csarPath, rec.template!.rootPrefix, signal)), signal);
        await this.awaitActive(cloud, glanceId, signal);
        entry.state = 'ACTIVE';
      } catch (e) {
        if (signal.aborted) {
          // The package was deleted (or the plugin stopped): the deletion removes what the package owns.
          return;
        }
        entry.state = 'ERROR';
        entry.error = `image ${img.name}: ${reason(e)}`;
        if (created) {
          const id = created;
          await registry.release('images', id, rec.packageId, () => cloud.glance.delete(id)).catch((err: unknown) => {
            entry.error += `; the half-made image ${id} could not be removed: ${(err as Error).message}`;
          });
          delete entry.glanceId;
        }
      }
      await save();
      if (entry.state === 'ERROR') return;
    }
  }

  private async awaitActive(cloud: OpenStackCloud, id: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const g = await cloud.glance.image(id, signal);
      if (!g) throw new Error(`Glance image ${id} disappeared`);
      if (g.status === 'active') return;
      if (DEAD.has(g.status)) throw new Error(`Glance image ${id} is ${g.status}`);
      await sleep(this.ctx.opts.pollMs, undefined, { signal });
    }
  }

  /** Streams the image's bytes into Glance from its URL or from the package, counting them against the cap. */
  private async uploadBytes(cloud: OpenStackCloud, glanceId: string, img: SwImage, csarPath: string, rootPrefix: string, signal: AbortSignal): Promise<void> {
    const source = img.swImage ?? '';
    const max = this.ctx.opts.maxImageBytes;
    if (/^https?:\/\//i.test(source)) {
      // The download ends with the upload, whatever its end: Glance refusing before it read everything (a revoked
      // token, a full store) would otherwise leave the response open, and the plugin's stop waiting for it.
      const done = new AbortController();
      try {
        await cloud.glance.upload(glanceId, capped(await this.ctx.fetcher.get(source, AbortSignal.any([signal, done.signal])), max), signal);
      } finally {
        done.abort();
      }
      return;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(source)) throw new Error(`swImage ${JSON.stringify(source)}: only http(s) URLs and paths inside the package are supported`);
    await withPackageEntry(csarPath, rootPrefix + source.replace(/^\/+/, ''), this.ctx.store.tmpDir, (stream) => cloud.glance.upload(glanceId, capped(stream, max), signal));
  }
}

/**
 * Opens an image inside the package: a plain entry (`Image/disk.qcow2`) or an entry of a zip inside it
 * (`Image/ubuntu.zip/ubuntu.qcow2`, as EdgeGallery packages ship images), both read under the archive checks.
 */
async function withPackageEntry(csarPath: string, entry: string, tmpDir: string, use: (s: Readable) => Promise<void>): Promise<void> {
  const limits = DEFAULT_ARCHIVE_LIMITS;
  const zip = await ZipArchive.open(csarPath, limits, 0);
  try {
    if (zip.has(entry)) return await use(await zip.openStream(entry));
    const cut = entry.toLowerCase().indexOf('.zip/');
    if (cut < 0) throw new Error(`${entry} is not in the package`);
    const outer = entry.slice(0, cut + 4);
    const inner = entry.slice(cut + 5);
    if (!zip.has(outer)) throw new Error(`${outer} is not in the package`);
    // A nested zip of a multi-gigabyte image cannot be held in memory: it is staged to a file first.
    const staged = path.join(tmpDir, `image-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}.zip`);
    try {
      await pipeline(await zip.openStream(outer), fs.createWriteStream(staged, { mode: 0o600 }));
      const nested = await ZipArchive.open(staged, limits, 1);
      try {
        if (!nested.has(inner)) throw new Error(`${inner} is not in ${outer}`);
        await use(await nested.openStream(inner));
      } finally {
        nested.close();
      }
    } finally {
      await fs.promises.rm(staged, { force: true });
    }
  } finally {
    zip.close();
  }
}

/** The package's distribution status, in the plugin protocol's words. */
export function packageStatus(rec: VmPackageRecord, uploading: boolean): { status: 'Distributing' | 'Distributed' | 'Error'; reason?: string } {
  const failed = rec.images.find((i) => i.state === 'ERROR');
  if (failed) return { status: 'Error', reason: failed.error ?? 'image upload failed' };
  if (rec.images.every((i) => i.state === 'ACTIVE')) return { status: 'Distributed' };
  // Uploads a previous run of the plugin left half-way are not resumed: the package has to be sent again.
  if (!uploading) return { status: 'Error', reason: 'the image upload was interrupted (the plugin restarted); upload the package again' };
  return { status: 'Distributing' };
}

