import { status } from '@grpc/grpc-js';
import type {
  AppLCMServer,
  DeletePackageRequest,
  DeletePackageResponse,
  InstantiateRequest,
  InstantiateResponse,
  QueryKPIRequest,
  QueryKPIResponse,
  QueryPackageStatusRequest,
  QueryPackageStatusResponse,
  QueryRequest,
  QueryResponse,
  RemoveCfgRequest,
  RemoveCfgResponse,
  TerminateRequest,
  TerminateResponse,
  UploadCfgRequest,
  UploadCfgResponse,
  UploadPackageRequest,
  UploadPackageResponse,
  WorkloadEventsRequest,
  WorkloadEventsResponse,
} from '../../generated/proto/lcmservice.js';
import { callIds, CONFIG_FRAMING, PACKAGE_FRAMING, SUCCESS } from './applcm-calls.js';
import { checkPackageId, checkUuid } from './identity.js';
import type { StoredFile } from './kit-types.js';
import { RpcError } from './rpc-error.js';
import { admit, type ShellContext } from './shell-context.js';
import { stageUpload } from './staged-upload.js';
import { MAX_CONFIG_BYTES, readFramedUpload } from './stream-framing.js';

export interface InstantiateInput {
  tenantId: string;
  hostIp: string;
  appInstanceId: string;
  appPackageId: string;
  parameters: Record<string, string>;
}

/** A package stream that completed, as its handler is given it. */
export interface ReceivedPackage {
  tenantId: string;
  hostIp: string;
  appPackageId: string;
  /** Moves the staged file to `dest` (replacing what is there); until then a failure discards it. */
  commit(dest: string): Promise<StoredFile>;
}

type Maybe<T> = T | Promise<T>;

/**
 * What a plugin does for each AppLCM call once the call passed the checks every plugin makes the same way (the
 * token, the identity fields, the instance and package ids, the host's configuration where the VIM is needed).
 */
export interface AppLcmHandlers {
  /** FAILED_PRECONDITION unless the host's configuration was uploaded: without one a real plugin cannot reach the VIM. */
  needsConfig(tenantId: string, hostIp: string): Maybe<unknown>;
  instantiate(r: InstantiateInput): Maybe<void>;
  /** Idempotent: an instance that is not there is terminated. */
  terminate(tenantId: string, hostIp: string, appInstanceId: string): Maybe<void>;
  /** The instance as the original plugin's JSON (NOT_FOUND for one it does not hold). */
  query(tenantId: string, hostIp: string, appInstanceId: string): Maybe<string>;
  workloadEvents(tenantId: string, hostIp: string, appInstanceId: string): Maybe<string>;
  queryKpi(tenantId: string, hostIp: string): Maybe<string>;
  /** The package's distribution status (NOT_FOUND for one the host does not have). */
  packageStatus(tenantId: string, hostIp: string, packageId: string): Maybe<string>;
  config: {
    /** What refusals call the configuration ("kubeconfig", "rc file"). */
    name: string;
    /** Checks and stores a complete configuration (INVALID_ARGUMENT for one it cannot use). */
    put(tenantId: string, hostIp: string, content: Buffer): Promise<void>;
    remove(tenantId: string, hostIp: string): Promise<void>;
  };
  packages: {
    /** Where uploads in progress are staged. */
    tmpDir: string;
    /** Stores a package whose stream completed; a replaced one goes as the plugin needs. */
    put(p: ReceivedPackage): Promise<void>;
    /** Idempotent: a package that is not there is deleted. */
    remove(tenantId: string, hostIp: string, packageId: string): Promise<void>;
  };
}

/** AppLCM (the original protocol) on the kit: the checks and stream handling every plugin shares, then `h`. */
export function appLcmService(ctx: ShellContext, h: AppLcmHandlers): AppLCMServer {
  const { runner } = ctx;

  /** The checks of a call about one instance. */
  const admitInstance = async (r: { accessToken: string; tenantId: string; hostIp: string; appInstanceId: string }): Promise<void> => {
    await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
    checkUuid(r.appInstanceId, 'appInstanceId');
  };

  return {
    instantiate: runner.unary<InstantiateRequest, InstantiateResponse>('instantiate', callIds('appInstanceId'), async (r) => {
      await admitInstance(r);
      checkPackageId(r.appPackageId);
      await h.needsConfig(r.tenantId, r.hostIp);
      await h.instantiate({ tenantId: r.tenantId, hostIp: r.hostIp, appInstanceId: r.appInstanceId, appPackageId: r.appPackageId, parameters: { ...r.parameters } });
      return SUCCESS;
    }),

    terminate: runner.unary<TerminateRequest, TerminateResponse>('terminate', callIds('appInstanceId'), async (r) => {
      await admitInstance(r);
      await h.needsConfig(r.tenantId, r.hostIp);
      await h.terminate(r.tenantId, r.hostIp, r.appInstanceId);
      return SUCCESS;
    }),

    query: runner.unary<QueryRequest, QueryResponse>('query', callIds('appInstanceId'), async (r) => {
      await admitInstance(r);
      return { response: await h.query(r.tenantId, r.hostIp, r.appInstanceId) };
    }),

    queryKpi: runner.unary<QueryKPIRequest, QueryKPIResponse>('queryKPI', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      return { response: await h.queryKpi(r.tenantId, r.hostIp) };
    }),

    queryPackageStatus: runner.unary<QueryPackageStatusRequest, QueryPackageStatusResponse>('queryPackageStatus', callIds('packageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.packageId);
      return { response: await h.packageStatus(r.tenantId, r.hostIp, r.packageId) };
    }),

    uploadConfig: runner.clientStream<UploadCfgRequest, UploadCfgResponse>('uploadConfig', async (messages, gate) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      const meta = await readFramedUpload(
        messages,
        CONFIG_FRAMING,
        async (m) => {
          gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp });
          await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
        },
        (chunk) => {
          gate.payload(chunk.length);
          size += chunk.length;
          if (size > MAX_CONFIG_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, `${h.config.name} exceeds ${MAX_CONFIG_BYTES} bytes`);
          chunks.push(chunk);
        },
      );
      // Only a stream that completed gets here: a cancelled or dropped one threw out of the read above.
      await h.config.put(meta.tenantId, meta.hostIp, Buffer.concat(chunks));
      return SUCCESS;
    }),

    removeConfig: runner.unary<RemoveCfgRequest, RemoveCfgResponse>('removeConfig', callIds(), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      await h.config.remove(r.tenantId, r.hostIp);
      return SUCCESS;
    }),

    workloadEvents: runner.unary<WorkloadEventsRequest, WorkloadEventsResponse>('workloadEvents', callIds('appInstanceId'), async (r) => {
      await admitInstance(r);
      return { response: await h.workloadEvents(r.tenantId, r.hostIp, r.appInstanceId) };
    }),

    uploadPackage: runner.clientStream<UploadPackageRequest, UploadPackageResponse>('uploadPackage', (messages, gate) =>
      stageUpload(
        messages,
        gate,
        PACKAGE_FRAMING,
        h.packages.tmpDir,
        async (m) => {
          gate.identify({ tenantId: m.tenantId, hostIp: m.hostIp, id: m.appPackageId });
          await admit(ctx, m.accessToken, m.tenantId, m.hostIp);
          checkPackageId(m.appPackageId);
          await h.needsConfig(m.tenantId, m.hostIp);
        },
        async (meta, commit) => {
          await h.packages.put({ tenantId: meta.tenantId, hostIp: meta.hostIp, appPackageId: meta.appPackageId, commit });
          return SUCCESS;
        },
      ),
    ),

    deletePackage: runner.unary<DeletePackageRequest, DeletePackageResponse>('deletePackage', callIds('appPackageId'), async (r) => {
      await admit(ctx, r.accessToken, r.tenantId, r.hostIp);
      checkPackageId(r.appPackageId);
      await h.packages.remove(r.tenantId, r.hostIp, r.appPackageId);
      return SUCCESS;
    }),
  };
}
