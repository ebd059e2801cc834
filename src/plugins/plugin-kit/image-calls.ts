// What the VmImageManger implementations on the kit (the simulator's and the VM plugin's) say the same way.

/** Download chunks: the protocol's largest (the original flushed at about 2 MiB; the controller takes up to 1 MiB). */
export const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

/** uploadVmImage: the metadata fields, then the image's bytes. */
export const IMAGE_FRAMING = { meta: ['accessToken', 'hostIp', 'tenantId', 'imageId'] as const, payload: 'content' };

/** An image request as the call log records it: tenant, host and (when named) the image. */
export const imageIds = (r: { tenantId: string; hostIp: string; imageId?: string }) => ({ tenantId: r.tenantId, hostIp: r.hostIp, ...(r.imageId ? { id: r.imageId } : {}) });
