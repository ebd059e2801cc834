import { isNotFound } from './openstack-error.js';
import type { OpenStackSession } from './openstack-session.js';

export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  size: number | null;
  checksum: string | null;
  os_hash_value?: string | null;
  container_format: string | null;
  disk_format: string | null;
  min_ram?: number;
  min_disk?: number;
  visibility?: string;
  protected?: boolean;
  created_at?: string;
  [property: string]: unknown;
}

/** Glance (image v2), the calls the plugin makes. */
export class Glance {
  constructor(private readonly s: OpenStackSession) {}

  /** `fields`: name, container_format, disk_format, min_ram, min_disk, and any property as a string. */
  async create(fields: Record<string, unknown>, signal?: AbortSignal): Promise<GlanceImage> {
    return this.s.json<GlanceImage>('image', 'POST', '/v2/images', { json: fields, signal });
  }

  async image(id: string, signal?: AbortSignal): Promise<GlanceImage | undefined> {
    try {
      return await this.s.json<GlanceImage>('image', 'GET', `/v2/images/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Every image the project sees (following Glance's pages), optionally filtered (name, a property's value). */
  async list(filter: Record<string, string> = {}, signal?: AbortSignal): Promise<GlanceImage[]> {
    const out: GlanceImage[] = [];
    let path: string | undefined = `/v2/images?${new URLSearchParams({ limit: '200', ...filter }).toString()}`;
    for (let pages = 0; path && pages < 100; pages++) {
      const r: { images: GlanceImage[]; next?: string } = await this.s.json('image', 'GET', path, { signal });
      out.push(...r.images);
      path = r.next;
    }
    return out;
  }

  /** Streams the image data in; Glance moves the image queued → saving → active. */
  async upload(id: string, body: AsyncIterable<Uint8Array>, signal?: AbortSignal, size?: number): Promise<void> {
    const res = await this.s.request('image', 'PUT', `/v2/images/${encodeURIComponent(id)}/file`, {
      body,
      headers: { 'content-type': 'application/octet-stream', ...(size !== undefined ? { 'x-image-meta-size': String(size) } : {}) },
      signal,
      streaming: true,
    });
    await res.body?.cancel();
  }

  /** The image data as a stream; undefined when the image has none (Glance answers 204). */
  async download(id: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array> | undefined> {
    const res = await this.s.request('image', 'GET', `/v2/images/${encodeURIComponent(id)}/file`, { signal, streaming: true, headers: { accept: 'application/octet-stream' } });
    if (res.status === 204 || !res.body) return undefined;
    return res.body;
  }

  /** Deletes an image; one already gone is fine. */
  async delete(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.s.request('image', 'DELETE', `/v2/images/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
