import { once } from 'node:events';
import { Metadata, status, type CallOptions as GrpcCallOptions, type ChannelOptions, type ClientUnaryCall, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { DomainError, ErrorCode } from '../errors.js';
import { CapabilitiesRequest, HealthResponse_Status, OperateRequest_Action, PluginExtensionsClient, type CapabilitiesResponse, type InstanceStatus, type WatchInstanceEvent } from '../generated/proto/applcm_plugin.js';
import { AppLCMClient, AppLCMService, type UploadCfgRequest, type UploadPackageRequest } from '../generated/proto/lcmservice.js';
import {
  FlavorManagerClient,
  NetworkManagerClient,
  SecurityGroupManagerClient,
  VmImageMangerClient,
  VmManagerClient,
  type CreateFlavorRequest,
  type CreateNetworkRequest,
  type CreateSecurityGroupRequest,
  type CreateSecurityGroupRuleRequest,
  type CreateVmImageRequest,
  type CreateVmRequest,
  type DownloadVmImageResponse,
  type ImportVmImageRequest,
  type OperateVmRequest,
} from '../generated/proto/resourcemanager.js';
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, rechunk } from './chunks.js';
import { CallSlots } from './call-slots.js';
import { DEFAULT_DEADLINES, deadlineFor, type Deadlines, type RpcKind } from './deadlines.js';
import { clientCredentials, type ClientTlsOptions } from './grpc-tls.js';
import { pluginError, requireSuccess, sanitizePluginText, type CallSite } from './plugin-errors.js';
import { createdImageId, pluginImage, requireDeleted, type PluginImage } from './vm-image-json.js';

/** Whom a call is about: the plugins keep configuration, packages and instances per (tenant, host). */
export interface PluginTarget {
  /** The caller's JWT, forwarded in the message as the original controller does. */
  accessToken: string;
  /** The host's owner tenant (shared hosts: SHARED_HOST_TENANT). */
  tenantId: string;
  hostIp: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  correlationId?: string;
  /** Hears that a lifecycle call waits for one of the plugin's slots (true), and that it got one (false). */
  onQueued?: (queued: boolean) => void;
}

export interface PluginClientOptions {
  vim: string;
  /** host:port */
  address: string;
  tls?: ClientTlsOptions;
  deadlines?: Partial<Deadlines>;
  chunkBytes?: number;
  /** Largest message accepted from the plugin (the original raised gRPC's 4 MiB to 24 MiB for big query answers). */
  maxReceiveMessageBytes?: number;
  /** Largest message sent; chunks stay far below it. */
  maxSendMessageBytes?: number;
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  /** Lifecycle calls (instantiate, terminate, operate, deletePackage) in flight at once; more wait their turn. */
  maxLifecycleCalls?: number;
}

export type PackageStatus = 'DISTRIBUTING' | 'DISTRIBUTED' | 'ERROR';

/** What createVmImage asks for (minRam and minDisk are left to the image service). */
export interface VmImageSpec {
  name: string;
  containerFormat?: string;
  diskFormat?: string;
  properties: Record<string, string>;
}

export interface InstantiateParams {
  appInstanceId: string;
  appPackageId: string;
  parameters: Record<string, string>;
  /** True when the controller generated the AK/SK (the original's flag; the VM plugin drops user-given keys otherwise). */
  akSkLcmGen: boolean;
}

type Targeted<T> = Omit<T, 'accessToken' | 'hostIp' | 'tenantId'>;

/**
 * What each call of the original resource-manager services (proto/resourcemanager.proto, the original rescontroller's
 * calls) takes beyond its target. An empty id on a query asks for the list.
 */
export interface ResourceRequests {
  createFlavor: Targeted<CreateFlavorRequest>;
  queryFlavor: { flavorId: string };
  deleteFlavor: { flavorId: string };
  createNetwork: Targeted<CreateNetworkRequest>;
  queryNetwork: { networkId: string };
  deleteNetwork: { networkId: string };
  createSecurityGroup: Targeted<CreateSecurityGroupRequest>;
  querySecurityGroup: { securityGroupId: string };
  deleteSecurityGroup: { securityGroupId: string };
  createSecurityGroupRule: Targeted<CreateSecurityGroupRuleRequest>;
  querySecurityGroupRule: { securityGroupId: string };
  deleteSecurityGroupRule: { securityGroupRuleId: string };
  createVm: Targeted<CreateVmRequest>;
  queryVm: { vmId: string };
  operateVm: Targeted<OperateVmRequest>;
  deleteVm: { vmId: string };
  createVmImage: Targeted<CreateVmImageRequest>;
  queryVmImage: { imageId: string };
  deleteVmImage: { imageId: string };
  importVmImage: Targeted<ImportVmImageRequest>;
}

export type ResourceRpc = keyof ResourceRequests;

type ResourceService = 'flavors' | 'networks' | 'securityGroups' | 'vms' | 'images';

/**
 * Which service serves each resource call and its deadline: reads are queries; writes ask OpenStack for one thing and
 * answer (a server boots after createVm answers, an import runs after importVmImage answers), so the config deadline.
 */
const RESOURCE_RPCS: Record<ResourceRpc, { service: ResourceService; kind: RpcKind }> = {
  createFlavor: { service: 'flavors', kind: 'config' },
  queryFlavor: { service: 'flavors', kind: 'query' },
  deleteFlavor: { service: 'flavors', kind: 'config' },
  createNetwork: { service: 'networks', kind: 'config' },
  queryNetwork: { service: 'networks', kind: 'query' },
  deleteNetwork: { service: 'networks', kind: 'config' },
  createSecurityGroup: { service: 'securityGroups', kind: 'config' },
  querySecurityGroup: { service: 'securityGroups', kind: 'query' },
  deleteSecurityGroup: { service: 'securityGroups', kind: 'config' },
  createSecurityGroupRule: { service: 'securityGroups', kind: 'config' },
  querySecurityGroupRule: { service: 'securityGroups', kind: 'query' },
  deleteSecurityGroupRule: { service: 'securityGroups', kind: 'config' },
  createVm: { service: 'vms', kind: 'config' },
  queryVm: { service: 'vms', kind: 'query' },
  operateVm: { service: 'vms', kind: 'config' },
  deleteVm: { service: 'vms', kind: 'config' },
  createVmImage: { service: 'images', kind: 'config' },
  queryVmImage: { service: 'images', kind: 'query' },
  deleteVmImage: { service: 'images', kind: 'config' },
  importVmImage: { service: 'images', kind: 'config' },
};

export interface PluginHealth {
  serving: boolean;
  message: string;
  /** False for a plugin without our PluginExtensions service (an original EdgeGallery plugin). */
  extensions: boolean;
}

export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 24 * 1024 * 1024;
/** Lifecycle calls one controller has in flight against one plugin (APPLCM_PLUGIN_MAX_LIFECYCLE_CALLS). */
export const DEFAULT_MAX_LIFECYCLE_CALLS = 16;

/** What an original EdgeGallery plugin serves: the AppLCM service, nothing more. */
export const ORIGINAL_CAPABILITIES = (vim: string): CapabilitiesResponse => ({
  vimTypes: [vim],
  protocolVersion: 'original',
  operations: Object.values(AppLCMService).map((m) => m.path),
  pluginName: 'EdgeGallery plugin (no PluginExtensions)',
  pluginVersion: '',
  maxReceiveMessageBytes: 0,
});

const PACKAGE_STATUS: Record<string, PackageStatus> = {
  Distributing: 'DISTRIBUTING',
  uploading: 'DISTRIBUTING',
  Distributed: 'DISTRIBUTED',
  uploaded: 'DISTRIBUTED',
  Error: 'ERROR',
  error: 'ERROR',
};

type UnaryMethod = (req: object, md: Metadata, options: Partial<GrpcCallOptions>, cb: (err: ServiceError | null, res: { response?: string; status?: string }) => void) => ClientUnaryCall;

type UnaryInvoke<Res> = (md: Metadata, options: Partial<GrpcCallOptions>, cb: (err: ServiceError | null, res: Res) => void) => ClientUnaryCall;

/**
 * The controller's one client to a plugin: one HTTP/2 channel (shared by the AppLCM, extension and image services),
 * keepalive so a dead idle peer is noticed, an explicit deadline on every call, streams in 64 KiB–1 MiB chunks,
 * and every failure mapped to a coded DomainError.
 */
export class PluginClient {
  readonly vim: string;
  readonly address: string;
  private readonly lcm: AppLCMClient;
  private readonly ext: PluginExtensionsClient;
  private readonly images: VmImageMangerClient;
  private readonly resources: Record<ResourceService, object>;
  private readonly deadlines: Deadlines;
  private readonly chunkBytes: number;
  /** Lifecycle calls this client has in flight (hardening P11); the rest wait in order. */
  readonly lifecycleSlots: CallSlots;

  /** What the client was made with: another thread's client for the same plugin is made from it (image relay). */
  readonly options: PluginClientOptions;

  constructor(o: PluginClientOptions) {
    this.options = o;
    this.lifecycleSlots = new CallSlots(o.maxLifecycleCalls ?? DEFAULT_MAX_LIFECYCLE_CALLS);
    this.vim = o.vim;
    this.address = o.address;
    this.deadlines = { ...DEFAULT_DEADLINES, ...o.deadlines };
    this.chunkBytes = Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, o.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    const options: ChannelOptions = {
      'grpc.keepalive_time_ms': o.keepaliveTimeMs ?? 30_000,
      'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': o.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.max_send_message_length': o.maxSendMessageBytes ?? 4 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5_000,
      ...(o.tls?.serverName ? { 'grpc.ssl_target_name_override': o.tls.serverName, 'grpc.default_authority': o.tls.serverName } : {}),
    };
    this.lcm = new AppLCMClient(o.address, clientCredentials(o.tls), options);
    const shared = { ...options, channelOverride: this.lcm.getChannel() };
    this.ext = new PluginExtensionsClient(o.address, clientCredentials(o.tls), shared);
    this.images = new VmImageMangerClient(o.address, clientCredentials(o.tls), shared);
    this.resources = {
      flavors: new FlavorManagerClient(o.address, clientCredentials(o.tls), shared),
      networks: new NetworkManagerClient(o.address, clientCredentials(o.tls), shared),
      securityGroups: new SecurityGroupManagerClient(o.address, clientCredentials(o.tls), shared),
      vms: new VmManagerClient(o.address, clientCredentials(o.tls), shared),
      images: this.images,
    };
  }

  close(): void {
    this.lcm.close();
  }

  // ---- the original AppLCM service -------------------------------------------------------------------------

  async uploadConfig(t: PluginTarget, content: Uint8Array, o?: CallOptions): Promise<void> {
    const head: UploadCfgRequest['data'][] = [
      { $case: 'accessToken', value: t.accessToken },
      { $case: 'tenantId', value: t.tenantId },
      { $case: 'hostIp', value: t.hostIp },
    ];
    const res = await this.clientStream<UploadCfgRequest, { status: string }>('uploadConfig', 'config', o, (md, opts, cb) => this.lcm.uploadConfig(md, opts, cb), head.map((data) => ({ data })), [content], (value) => ({ data: { $case: 'configFile', value } }));
    requireSuccess(res.status, this.site('uploadConfig'));
  }

  async removeConfig(t: PluginTarget, o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('removeConfig', 'config', o, (md, opts, cb) => this.lcm.removeConfig({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp }, md, opts, cb));
    requireSuccess(res.status, this.site('removeConfig'));
  }

  /** Streams a package to the plugin; `onProgress` sees the bytes handed to the channel so far. */
  async uploadPackage(t: PluginTarget, appPackageId: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, o?: CallOptions & { onProgress?: (bytes: number) => void }): Promise<void> {
    const head: UploadPackageRequest['data'][] = [
      { $case: 'accessToken', value: t.accessToken },
      { $case: 'appPackageId', value: appPackageId },
      { $case: 'hostIp', value: t.hostIp },
      { $case: 'tenantId', value: t.tenantId },
    ];
    const res = await this.clientStream<UploadPackageRequest, { status: string }>('uploadPackage', 'transfer', o, (md, opts, cb) => this.lcm.uploadPackage(md, opts, cb), head.map((data) => ({ data })), source, (value) => ({ data: { $case: 'package', value } }), o?.onProgress);
    requireSuccess(res.status, this.site('uploadPackage'));
  }

  async queryPackageStatus(t: PluginTarget, packageId: string, o?: CallOptions): Promise<PackageStatus> {
    const res = await this.unary<{ response: string }>('queryPackageStatus', 'query', o, (md, opts, cb) => this.lcm.queryPackageStatus({ accessToken: t.accessToken, hostIp: t.hostIp, packageId, tenantId: t.tenantId }, md, opts, cb));
    const mapped = PACKAGE_STATUS[res.response];
    if (mapped) return mapped;
    // The original OpenStack plugin answers "404" for an unknown package.
    if (res.response === '404') throw new DomainError(ErrorCode.NOT_FOUND, `${this.vim} plugin (${this.address}) holds no package ${JSON.stringify(packageId)}`, { vim: this.vim, rpc: 'queryPackageStatus' });
    throw new DomainError(ErrorCode.PLUGIN_ERROR, `${this.vim} plugin (${this.address}) answered an unknown package status ${JSON.stringify(sanitizePluginText(res.response))}`, { vim: this.vim, rpc: 'queryPackageStatus' });
  }

  async deletePackage(t: PluginTarget, appPackageId: string, o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('deletePackage', 'lifecycle', o, (md, opts, cb) => this.lcm.deletePackage({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appPackageId }, md, opts, cb));
    requireSuccess(res.status, this.site('deletePackage'));
  }

  async instantiate(t: PluginTarget, p: InstantiateParams, o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('instantiate', 'lifecycle', o, (md, opts, cb) =>
      this.lcm.instantiate({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appInstanceId: p.appInstanceId, appPackageId: p.appPackageId, parameters: p.parameters, akSkLcmGen: p.akSkLcmGen }, md, opts, cb),
    );
    requireSuccess(res.status, this.site('instantiate'));
  }

  async terminate(t: PluginTarget, appInstanceId: string, o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('terminate', 'lifecycle', o, (md, opts, cb) => this.lcm.terminate({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appInstanceId }, md, opts, cb));
    requireSuccess(res.status, this.site('terminate'));
  }

  /** The plugin's status JSON for an instance, as text (the REST shim passes it through unchanged). */
  async query(t: PluginTarget, appInstanceId: string, o?: CallOptions): Promise<string> {
    const res = await this.unary<{ response: string }>('query', 'query', o, (md, opts, cb) => this.lcm.query({ accessToken: t.accessToken, appInstanceId, hostIp: t.hostIp, tenantId: t.tenantId }, md, opts, cb));
    return res.response;
  }

  async workloadEvents(t: PluginTarget, appInstanceId: string, o?: CallOptions): Promise<string> {
    const res = await this.unary<{ response: string }>('workloadEvents', 'query', o, (md, opts, cb) => this.lcm.workloadEvents({ accessToken: t.accessToken, appInstanceId, hostIp: t.hostIp, tenantId: t.tenantId }, md, opts, cb));
    return res.response;
  }

  async queryKpi(t: PluginTarget, o?: CallOptions): Promise<string> {
    const res = await this.unary<{ response: string }>('queryKPI', 'query', o, (md, opts, cb) => this.lcm.queryKpi({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp }, md, opts, cb));
    return res.response;
  }

  // ---- our PluginExtensions service --------------------------------------------------------------------------

  /** SERVING or not; a plugin without our extensions counts as serving when its channel connects. */
  async health(o?: CallOptions): Promise<PluginHealth> {
    try {
      const res = await this.unary<{ status: HealthResponse_Status; message: string }>('health', 'health', o, (md, opts, cb) => this.ext.health({}, md, opts, cb));
      return { serving: res.status === HealthResponse_Status.SERVING, message: res.message, extensions: true };
    } catch (e) {
      if (!isUnimplemented(e)) throw e;
      await this.waitForReady();
      return { serving: true, message: '', extensions: false };
    }
  }

  async capabilities(o?: CallOptions): Promise<CapabilitiesResponse> {
    try {
      return await this.unary<CapabilitiesResponse>('capabilities', 'health', o, (md, opts, cb) => this.ext.capabilities(CapabilitiesRequest.create(), md, opts, cb));
    } catch (e) {
      if (isUnimplemented(e)) return ORIGINAL_CAPABILITIES(this.vim);
      throw e;
    }
  }

  /** Stops or starts the instance's workloads (our extension; an original plugin answers PLUGIN_ERROR / UNIMPLEMENTED). */
  async operate(t: PluginTarget, appInstanceId: string, action: 'START' | 'STOP', o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('operate', 'lifecycle', o, (md, opts, cb) =>
      this.ext.operate({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appInstanceId, action: action === 'START' ? OperateRequest_Action.START : OperateRequest_Action.STOP }, md, opts, cb),
    );
    requireSuccess(res.status, this.site('operate'));
  }

  instanceStatus(t: PluginTarget, appInstanceId: string, o?: CallOptions): Promise<InstanceStatus> {
    return this.unary<InstanceStatus>('instanceStatus', 'query', o, (md, opts, cb) => this.ext.instanceStatus({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appInstanceId }, md, opts, cb));
  }

  /** The instance's status, then its changes (and workload events when asked) until `signal` aborts. */
  watchInstance(t: PluginTarget, appInstanceId: string, o?: CallOptions & { includeEvents?: boolean; heartbeatMs?: number }): AsyncGenerator<WatchInstanceEvent> {
    const call = this.ext.watchInstance({ accessToken: t.accessToken, tenantId: t.tenantId, hostIp: t.hostIp, appInstanceId, includeEvents: o?.includeEvents ?? false, heartbeatMs: o?.heartbeatMs ?? 0 }, this.metadata(o), { deadline: deadlineFor(this.deadlines, 'watch') });
    return this.serverStream<WatchInstanceEvent>('watchInstance', call, o?.signal);
  }

  // ---- the original VmImageManger service --------------------------------------------------------------------

  /**
   * Creates an image on the host's image service and answers the plugin's image id. With `properties.vmId` the image
   * is a snapshot of that VM (docs/vm-images.md); `properties.applcmImageId` makes a repeated create answer the same
   * image instead of a second one.
   */
  async createVmImage(t: PluginTarget, image: VmImageSpec, o?: CallOptions): Promise<string> {
    const res = await this.unary<{ response: string }>('createVmImage', 'lifecycle', o, (md, opts, cb) =>
      this.images.createVmImage(
        { accessToken: t.accessToken, hostIp: t.hostIp, tenantId: t.tenantId, image: { name: image.name, containerFormat: image.containerFormat ?? 'bare', diskFormat: image.diskFormat ?? 'qcow2', minRam: 0, minDisk: 0, properties: image.properties } },
        md,
        opts,
        cb,
      ),
    );
    return createdImageId(res.response, this.site('createVmImage'));
  }

  /** One image's status, size and checksum. An image the plugin does not hold is NOT_FOUND. */
  async queryVmImage(t: PluginTarget, imageId: string, o?: CallOptions): Promise<PluginImage> {
    const res = await this.unary<{ response: string }>('queryVmImage', 'query', o, (md, opts, cb) => this.images.queryVmImage({ accessToken: t.accessToken, hostIp: t.hostIp, tenantId: t.tenantId, imageId }, md, opts, cb));
    return pluginImage(res.response, this.site('queryVmImage'));
  }

  /** Deletes an image (idempotent: one already gone answers success). */
  async deleteVmImage(t: PluginTarget, imageId: string, o?: CallOptions): Promise<void> {
    const res = await this.unary<{ status: string }>('deleteVmImage', 'lifecycle', o, (md, opts, cb) => this.images.deleteVmImage({ accessToken: t.accessToken, hostIp: t.hostIp, tenantId: t.tenantId, imageId }, md, opts, cb));
    requireDeleted(res.status, this.site('deleteVmImage'));
  }

  /** The image file, in the chunks the plugin sends. */
  downloadVmImage(t: PluginTarget, imageId: string, o?: CallOptions): AsyncGenerator<Uint8Array> {
    const call = this.images.downloadVmImage({ accessToken: t.accessToken, hostIp: t.hostIp, tenantId: t.tenantId, imageId }, this.metadata(o), { deadline: deadlineFor(this.deadlines, 'transfer') });
    const messages = this.serverStream<DownloadVmImageResponse>('downloadVmImage', call, o?.signal);
    return (async function* () {
      for await (const m of messages) yield m.content;
    })();
  }

  // ---- the original resource-manager services (flavors, networks, security groups, servers, images) ------------

  /**
   * One call of the original resource services, answered as the plugin's JSON text (the original osplugin's
   * `{"data","retCode","message"}`, which the rescontroller routes pass on unchanged). A gRPC failure is a coded
   * DomainError as for every call.
   */
  async resource<K extends ResourceRpc>(rpc: K, t: PluginTarget, req: ResourceRequests[K], o?: CallOptions): Promise<string> {
    const { service, kind } = RESOURCE_RPCS[rpc];
    const client = this.resources[service];
    // The generated clients share one signature per unary method: (request, metadata, options, callback).
    const method = (client as Record<string, UnaryMethod>)[rpc]!;
    const res = await this.unary<{ response?: string; status?: string }>(rpc, kind, o, (md, opts, cb) => method.call(client, { accessToken: t.accessToken, hostIp: t.hostIp, tenantId: t.tenantId, ...req }, md, opts, cb));
    return res.response ?? res.status ?? '';
  }

  // ---- plumbing ------------------------------------------------------------------------------------------------

  private site(rpc: string): CallSite {
    return { vim: this.vim, endpoint: this.address, rpc };
  }

  private metadata(o?: CallOptions): Metadata {
    const md = new Metadata();
    if (o?.correlationId) md.set('x-correlation-id', o.correlationId);
    return md;
  }

  private waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.lcm.waitForReady(deadlineFor(this.deadlines, 'health'), (err) => {
        if (!err) return resolve();
        reject(new DomainError(ErrorCode.PLUGIN_UNAVAILABLE, `${this.vim} plugin (${this.address}) is unavailable: ${sanitizePluginText(err.message)}`, { vim: this.vim, rpc: 'health' }));
      });
    });
  }

  private async unary<Res>(rpc: string, kind: RpcKind, o: CallOptions | undefined, invoke: UnaryInvoke<Res>): Promise<Res> {
    if (kind !== 'lifecycle') return this.unaryNow(rpc, kind, o, invoke);
    // The deadline starts once the call has its slot: waiting is not the plugin's time.
    const release = await this.lifecycleSlots.acquire(o?.signal, o?.onQueued).catch(() => {
      throw cancelled(this.site(rpc));
    });
    try {
      return await this.unaryNow(rpc, kind, o, invoke);
    } finally {
      release();
    }
  }

  private unaryNow<Res>(rpc: string, kind: RpcKind, o: CallOptions | undefined, invoke: UnaryInvoke<Res>): Promise<Res> {
    const site = this.site(rpc);
    return new Promise<Res>((resolve, reject) => {
      if (o?.signal?.aborted) return reject(cancelled(site));
      const onAbort = () => call.cancel();
      const call = invoke(this.metadata(o), { deadline: deadlineFor(this.deadlines, kind) }, (err, res) => {
        o?.signal?.removeEventListener('abort', onAbort);
        if (err) return reject(o?.signal?.aborted ? cancelled(site) : pluginError(err, site));
        resolve(res);
      });
      o?.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A client stream: the metadata messages in the given order, then the body re-cut into chunks. Writes wait for
   * the channel to drain, so a slow plugin slows the reader instead of filling memory; when the plugin answers
   * early (an error), writing stops at once and the source is not read further.
   */
  private clientStream<Req, Res>(
    rpc: string,
    kind: RpcKind,
    o: CallOptions | undefined,
    open: (md: Metadata, options: Partial<GrpcCallOptions>, cb: (err: ServiceError | null, res: Res) => void) => ClientWritableStream<Req>,
    head: Req[],
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    wrap: (chunk: Uint8Array) => Req,
    onProgress?: (bytes: number) => void,
  ): Promise<Res> {
    const site = this.site(rpc);
    return new Promise<Res>((resolve, reject) => {
      if (o?.signal?.aborted) return reject(cancelled(site));
      const answered = new AbortController();
      let sourceError: Error | undefined;
      const onAbort = () => call.cancel();
      const call = open(this.metadata(o), { deadline: deadlineFor(this.deadlines, kind) }, (err, res) => {
        answered.abort();
        o?.signal?.removeEventListener('abort', onAbort);
        if (sourceError) return reject(sourceError);
        if (err) return reject(o?.signal?.aborted ? cancelled(site) : pluginError(err, site));
        resolve(res);
      });
      o?.signal?.addEventListener('abort', onAbort, { once: true });
      const write = async (msg: Req): Promise<void> => {
        if (!call.write(msg)) await once(call, 'drain', { signal: answered.signal });
      };
      const pump = async () => {
        for (const m of head) await write(m);
        let sent = 0;
        for await (const chunk of rechunk(body, this.chunkBytes)) {
          if (answered.signal.aborted) return;
          await write(wrap(chunk));
          sent += chunk.length;
          onProgress?.(sent);
        }
        call.end();
      };
      pump().catch((e: unknown) => {
        if (answered.signal.aborted) return; // the answer (or its error) already settled the call
        // Reading the source failed: cut the stream so the plugin discards what it got, and report the cause.
        sourceError = e instanceof DomainError ? e : new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `reading the ${rpc} source failed: ${(e as Error).message}`);
        call.cancel();
      });
    });
  }

  private async *serverStream<T>(rpc: string, call: AsyncIterable<unknown> & { cancel(): void }, signal: AbortSignal | undefined): AsyncGenerator<T> {
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const m of call) yield m as T;
    } catch (e) {
      if (signal?.aborted) return;
      throw pluginError(e, this.site(rpc));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }
}

const isUnimplemented = (e: unknown): boolean => e instanceof DomainError && e.details.grpcCode === status[status.UNIMPLEMENTED];

const cancelled = (site: CallSite): DomainError =>
  new DomainError(ErrorCode.PLUGIN_ERROR, `${site.rpc} on the ${site.vim} plugin was cancelled by the caller`, { vim: site.vim, rpc: site.rpc, grpcCode: 'CANCELLED' });
