import { createHash, randomUUID } from 'node:crypto';
import { answer, jsonBody, route, type Route } from './http-util.js';
import type { FakeImage, FakeState } from './fake-state.js';

const CORE = new Set(['name', 'container_format', 'disk_format', 'min_ram', 'min_disk', 'visibility', 'protected', 'tags', 'id']);
/** Glance refuses to let clients set these. */
const RESERVED = new Set(['status', 'size', 'checksum', 'os_hash_algo', 'os_hash_value', 'owner', 'created_at', 'updated_at', 'file', 'location', 'self', 'schema', 'direct_url']);
const DISK_FORMATS = new Set(['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']);

/** An image as GET /v2/images/{id} answers it: core fields and properties side by side. */
export const imageView = (i: FakeImage): Record<string, unknown> => {
  const { data: _data, properties, ...core } = i;
  return { ...properties, ...core, tags: [], self: `/v2/images/${i.id}`, file: `/v2/images/${i.id}/file`, schema: '/v2/schemas/image' };
};

/** Makes an image and, when `data` is given, fills it in the background as a snapshot does (queued → saving → active). */
export function addImage(state: FakeState, fields: Partial<FakeImage> & { properties?: Record<string, string> }, owner: string): FakeImage {
  const now = new Date().toISOString();
  const img: FakeImage = {
    id: randomUUID(),
    name: null,
    status: 'queued',
    container_format: null,
    disk_format: null,
    min_ram: 0,
    min_disk: 0,
    size: null,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    visibility: 'shared',
    protected: false,
    created_at: now,
    updated_at: now,
    owner,
    properties: {},
    ...fields,
  };
  state.images.set(img.id, img);
  return img;
}

export function storeData(state: FakeState, img: FakeImage, data: Buffer): void {
  img.status = 'saving';
  img.updated_at = new Date().toISOString();
  // Glance has the bytes; the image turns active once they are checked and stored.
  state.later(() => {
    if (state.images.get(img.id) !== img) return;
    img.data = data;
    img.size = data.length;
    img.checksum = createHash('md5').update(data).digest('hex');
    img.os_hash_algo = 'sha512';
    img.os_hash_value = createHash('sha512').update(data).digest('hex');
    img.status = 'active';
  });
}

export function glanceRoutes(state: FakeState): Route[] {
  const find = (id: string) => state.images.get(id);
  return [
    route('POST', '/image/v2/images', async ({ req, res, projectId }) => {
      const body = await jsonBody<Record<string, unknown>>(req);
      if (!body) return answer(res, 400, { message: 'Malformed JSON' });
      const bad = Object.keys(body).find((k) => RESERVED.has(k));
      if (bad) return answer(res, 403, { message: `Attribute '${bad}' is read-only.` });
      const df = body['disk_format'];
      if (df !== undefined && (typeof df !== 'string' || !DISK_FORMATS.has(df))) return answer(res, 400, { message: `Invalid value '${JSON.stringify(df)}' for disk_format` });
      const properties: Record<string, string> = {};
      for (const [k, v] of Object.entries(body)) {
        if (CORE.has(k)) continue;
        if (typeof v !== 'string') return answer(res, 400, { message: `Provided object does not match schema 'image': ${k} is not of type 'string'` });
        properties[k] = v;
      }
      const img = addImage(
        state,
        {
          name: typeof body['name'] === 'string' ? body['name'] : null,
          container_format: typeof body['container_format'] === 'string' ? body['container_format'] : null,
          disk_format: typeof df === 'string' ? df : null,
          min_ram: typeof body['min_ram'] === 'number' ? body['min_ram'] : 0,
          min_disk: typeof body['min_disk'] === 'number' ? body['min_disk'] : 0,
          visibility: typeof body['visibility'] === 'string' ? body['visibility'] : 'shared',
          properties,
        },
        projectId,
      );
      answer(res, 201, imageView(img), { location: `/v2/images/${img.id}` });
    }),
    route('GET', '/image/v2/images', ({ res, url }) => {
      const filters = [...url.searchParams.entries()].filter(([k]) => !['limit', 'marker', 'sort', 'sort_key', 'sort_dir'].includes(k));
      const all = [...state.images.values()].filter((i) => i.status !== 'deleted' && filters.every(([k, v]) => String((imageView(i))[k]) === v));
      answer(res, 200, { images: all.map(imageView), schema: '/v2/schemas/images', first: '/v2/images' });
    }),
    route('GET', '/image/v2/images/:id', ({ res, params }) => {
      const img = find(params[0]!);
      if (!img) return answer(res, 404, { message: `No image found with ID ${params[0]}` });
      answer(res, 200, imageView(img));
    }),
    route('DELETE', '/image/v2/images/:id', ({ res, params }) => {
      const img = find(params[0]!);
      if (!img) return answer(res, 404, { message: `No image found with ID ${params[0]}` });
      if (img.protected) return answer(res, 403, { message: `Image ${img.id} is protected and cannot be deleted.` });
      state.images.delete(img.id);
      answer(res, 204);
    }),
    route('PUT', '/image/v2/images/:id/file', async ({ req, res, params }) => {
      const img = find(params[0]!);
      if (!img) return answer(res, 404, { message: `No image found with ID ${params[0]}` });
      if (img.status !== 'queued') return answer(res, 409, { message: `Image status transition from ${img.status} to saving is not allowed` });
      if (!img.disk_format || !img.container_format) return answer(res, 400, { message: 'Properties disk_format, container_format must be set prior to saving data.' });
      img.status = 'saving';
      const chunks: Buffer[] = [];
      let n = 0;
      const failAt = state.failUploadAfterBytes;
      try {
        for await (const c of req) {
          n += (c as Buffer).length;
          chunks.push(c as Buffer);
          if (failAt !== undefined && n >= failAt) {
            state.failUploadAfterBytes = undefined;
            // What Glance does with a broken upload: the data is dropped and the image goes back to queued.
            img.status = 'queued';
            req.socket.destroy();
            return;
          }
        }
      } catch {
        img.status = 'queued';
        return;
      }
      if (state.images.get(img.id) !== img) return answer(res, 410, { message: 'Image was deleted during the upload' });
      storeData(state, img, Buffer.concat(chunks));
      answer(res, 204);
    }),
    route('GET', '/image/v2/images/:id/file', ({ res, params }) => {
      const img = find(params[0]!);
      if (!img) return answer(res, 404, { message: `No image found with ID ${params[0]}` });
      if (!img.data) return answer(res, 204);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': img.data.length, 'content-md5': img.checksum ?? '' });
      // In pieces of an odd size, as a real store would hand them out.
      const piece = 100_003;
      let off = 0;
      const pump = (): void => {
        while (off < img.data!.length) {
          const ok = res.write(img.data!.subarray(off, off + piece));
          off += piece;
          if (!ok) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    }),
  ];
}
