import { badInput } from '../../errors.js';
import { CreateVmImageRequest_Image } from '../../generated/proto/resourcemanager.js';
import type { ResourceRequests } from '../../plugins/plugin-client.js';
import { count, objectBody, shortName, text, textMap } from './body-fields.js';

/**
 * Image properties the controller's own snapshots use with the image service (docs/vm-images.md): a caller of the
 * rescontroller may not set them, so an image made here is never taken for one of the controller's.
 */
const RESERVED_PROPERTIES = ['vmId', 'appInstanceId', 'applcmImageId'];

/**
 * POST …/images: `{"name","containerFormat","diskFormat","minRam","minDisk","properties":{k:v}}`. The original checked
 * name and formats with NameRegex, at most 15 bytes (and gave no answer at all when one was too long).
 */
export function imageBody(body: unknown): ResourceRequests['createVmImage'] {
  const o = objectBody(body);
  const properties = textMap(o, 'properties');
  const reserved = RESERVED_PROPERTIES.find((k) => k in properties);
  if (reserved) throw badInput('properties', `properties.${reserved} is reserved for the controller's snapshots`);
  return {
    image: CreateVmImageRequest_Image.fromPartial({
      name: shortName(o, 'name', 'name', 'Name is invalid'),
      containerFormat: shortName(o, 'containerFormat', 'containerFormat', 'Container format is invalid', false),
      diskFormat: shortName(o, 'diskFormat', 'diskFormat', 'Disk format is invalid', false),
      minRam: count(o, 'minRam', 'minRam'),
      minDisk: count(o, 'minDisk', 'minDisk'),
      properties,
    }),
  };
}

/** POST …/images/{imageId}: `{"imageId","resourceUri"}`, an http(s) URL the image service reads the file from. */
export function importBody(body: unknown, imageId: string): ResourceRequests['importVmImage'] {
  const o = objectBody(body);
  const named = text(o, 'imageId', 'imageId', 64);
  if (named !== '' && named !== imageId) throw badInput('imageId', 'imageId is not the image of the path');
  const resourceUri = text(o, 'resourceUri', 'resourceUri', 2048);
  let url: URL | undefined;
  try {
    url = new URL(resourceUri);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) throw badInput('resourceUri', 'resourceUri must be an http or https URL without credentials');
  return { imageId, resourceUri };
}
