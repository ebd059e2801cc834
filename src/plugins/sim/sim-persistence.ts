import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { isPackageId } from '../plugin-kit/identity.js';
import { STARTED_EVENT } from './instance-lifecycle.js';
import { hostDir, hostsDir, imagePath, packagePath, tmpDir } from './sim-paths.js';
import { hostKey } from '../plugin-kit/host-keys.js';
import { type HostState, type SimImage, type SimInstance, type SimStore, type StoredFile } from './sim-store.js';

/**
 * Keeps the simulator's state across restarts. `save` is called after every change of a (tenant, host); the
 * in-memory store stays the truth while the plugin runs.
 */
export interface SimPersistence {
  /** Writes the (tenant, host) state as it is now; resolves once it is on disk. */
  save(tenantId: string, hostIp: string): Promise<void>;
  /** Waits for every write asked for so far (stop()). */
  flush(): Promise<void>;
}

/** The default temp data dir is thrown away on stop, so nothing is written. */
export const noPersistence: SimPersistence = {
  save: () => Promise.resolve(),
  flush: () => Promise.resolve(),
};

// On disk, below the data dir:
//   hosts/<tenant uuid>/<host ipv4>/state.json  packages index, instances, images (JSON, 0600)
//   hosts/<tenant uuid>/<host ipv4>/config      the configuration as uploaded (0600; it holds credentials)
//   packages/<tenant>/<host>/<package id>, images/<tenant>/<host>/<image id>   the files
//   tmp/                                        uploads in progress
// The hosts/ directories are 0700. Every name is a validated UUID, IPv4 address or package id (sim-paths.ts).
const STATE_FILE = 'state.json';
const CONFIG_FILE = 'config';
/** Suffix of a file being written (`<name>.<uuid>.tmp`), renamed over `<name>` once complete. */
const TEMP_SUFFIX = '.tmp';
/** A state file that could not be read is kept aside under this suffix, for someone to look at, and not loaded. */
const CORRUPT_SUFFIX = '.corrupt';
const STATE_VERSION = 1;

const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const fileSchema = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const stringMap = z.record(z.string(), z.string());
const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  tenantId: z.string(),
  hostIp: z.string(),
  packages: z.record(z.string().refine(isPackageId), fileSchema),
  instances: z.array(
    z.object({
      appInstanceId: z.string().regex(LOWER_UUID),
      appPackageId: z.string().refine(isPackageId),
      parameters: stringMap,
      state: z.enum(['RUNNING', 'DEPLOYING', 'DEGRADED', 'FAILED', 'STOPPED']),
      reason: z.string(),
      restarts: z.number().int().nonnegative(),
      events: z.array(z.object({ type: z.string(), reason: z.string(), message: z.string(), at: z.string() })),
    }),
  ),
  images: z.array(
    z.object({
      imageId: z.string().regex(LOWER_UUID),
      name: z.string(),
      containerFormat: z.string(),
      diskFormat: z.string(),
      minRam: z.number(),
      minDisk: z.number(),
      properties: stringMap,
      createdAt: z.string(),
      file: fileSchema.optional(),
    }),
  ),
});
type StateFile = z.infer<typeof stateSchema>;

/** The host's state as written, or undefined when nothing is left to keep. Paths are not stored: they follow from the ids. */
function stateJson(tenantId: string, hostIp: string, h: HostState): string | undefined {
  if (!h.config && h.packages.size === 0 && h.instances.size === 0 && h.images.size === 0) return undefined;
  const file = (f: StoredFile) => ({ bytes: f.bytes, sha256: f.sha256 });
  const state: StateFile = {
    version: STATE_VERSION,
    tenantId,
    hostIp,
    packages: Object.fromEntries([...h.packages].map(([id, f]) => [id, file(f)])),
    instances: [...h.instances.values()].map((i) => ({
      appInstanceId: i.appInstanceId,
      appPackageId: i.appPackageId,
      parameters: i.parameters,
      state: i.state,
      reason: i.reason,
      restarts: i.restarts,
      events: i.events,
    })),
    images: [...h.images.values()].map((img) => ({
      imageId: img.imageId,
      name: img.name,
      containerFormat: img.containerFormat,
      diskFormat: img.diskFormat,
      minRam: img.minRam,
      minDisk: img.minDisk,
      properties: img.properties,
      createdAt: img.createdAt,
      ...(img.file ? { file: file(img.file) } : {}),
    })),
  };
  return JSON.stringify(state);
}

/** Writes `data` to `file` through a temp file in the same directory and a rename: readers see the old or the new. */
async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
  try {
    const fh = await fs.open(tmp, 'wx', 0o600);
    try {
      await fh.chmod(0o600); // whatever the umask
      await fh.writeFile(data);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** Size of the regular file at `p`, undefined when there is none. */
async function fileSize(p: string): Promise<number | undefined> {
  try {
    const st = await fs.lstat(p);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** Removes every file below `dir` not in `keep`, and directories left empty; true when `dir` itself is empty. */
async function sweep(dir: string, keep: ReadonlySet<string>): Promise<boolean> {
  let empty = true;
  for (const e of await listDir(dir)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (await sweep(p, keep)) await fs.rmdir(p).catch(() => undefined);
      else empty = false;
    } else if (keep.has(p)) {
      empty = false;
    } else {
      await fs.rm(p, { force: true }).catch(() => {
        empty = false;
      });
    }
  }
  return empty;
}

interface HostQueue {
  /** The last write asked for. */
  tail: Promise<void>;
  /** A write that has not started yet: it will take the state as it is then, so later saves join it. */
  pending?: Promise<void>;
}

/** One JSON state file and one config file per (tenant, host), each replaced atomically on every change. */
export class DiskPersistence implements SimPersistence {
  /** Writes per host run one after the other, so an older state can never overwrite a newer one. */
  private readonly queues = new Map<string, HostQueue>();
  /** The config buffer last written per host: the config file is rewritten only when it changed. */
  private readonly configOnDisk = new Map<string, Buffer>();
  /** Host directories known to exist with mode 0700. */
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly dataDir: string,
    private readonly store: SimStore,
  ) {}

  save(tenantId: string, hostIp: string): Promise<void> {
    const t = tenantId.toLowerCase();
    const key = hostKey(t, hostIp);
    let q = this.queues.get(key);
    if (!q) {
      q = { tail: Promise.resolve() };
      this.queues.set(key, q);
    }
    if (q.pending) return q.pending;
    const queue = q;
    const next = queue.tail.then(
      () => this.write(queue, t, hostIp),
      () => this.write(queue, t, hostIp),
    );
    queue.pending = next;
    queue.tail = next;
    const idle = (): void => {
      if (this.queues.get(key) === queue && queue.tail === next) this.queues.delete(key);
    };
    next.then(idle, idle);
    return next;
  }

  async flush(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()].map((q) => q.tail));
  }

  /** Loads every (tenant, host) below the data dir, then removes files no state refers to and leftover temp files. */
  async load(): Promise<void> {
    const root = hostsDir(this.dataDir);
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    await fs.chmod(root, 0o700);
    await fs.rm(tmpDir(this.dataDir), { recursive: true, force: true });
    await fs.mkdir(tmpDir(this.dataDir), { recursive: true });
    const keep = new Set<string>();
    const loaded: Array<[string, string]> = [];
    for (const tenant of await listDir(root)) {
      if (!tenant.isDirectory() || !LOWER_UUID.test(tenant.name)) continue;
      for (const host of await listDir(path.join(root, tenant.name))) {
        if (!host.isDirectory() || !isIPv4(host.name)) continue;
        try {
          if (await this.loadHost(tenant.name, host.name, keep)) loaded.push([tenant.name, host.name]);
        } catch {
          // Whatever went wrong with one host must not keep the plugin from serving the others.
        }
      }
    }
    await sweep(path.join(this.dataDir, 'packages'), keep);
    await sweep(path.join(this.dataDir, 'images'), keep);
    // Writes back what loading corrected (a DEPLOYING instance now RUNNING, entries whose file is gone).
    await Promise.allSettled(loaded.map(([t, ip]) => this.save(t, ip)));
  }

  /** Loads one host's config and state; true when there was anything. Package and image files it keeps go to `keep`. */
  private async loadHost(tenantId: string, hostIp: string, keep: Set<string>): Promise<boolean> {
    const dir = hostDir(this.dataDir, tenantId, hostIp);
    for (const e of await listDir(dir)) {
      if (e.name.endsWith(TEMP_SUFFIX)) await fs.rm(path.join(dir, e.name), { force: true });
    }
    await fs.chmod(dir, 0o700);
    let config: Buffer | undefined;
    try {
      config = await fs.readFile(path.join(dir, CONFIG_FILE));
    } catch {
      config = undefined; // none, or unreadable: the host then has no configuration
    }
    const state = await this.readState(dir, tenantId, hostIp);
    if (!config && !state) return false;
    this.madeDirs.add(dir);
    const h = this.store.host(tenantId, hostIp);
    if (config) {
      h.config = config;
      this.configOnDisk.set(hostKey(tenantId, hostIp), config);
    }
    if (!state) return true;

    /** The stored file when it is still there with the size recorded. */
    const present = async (p: string, f: { bytes: number; sha256: string }): Promise<StoredFile | undefined> => {
      if ((await fileSize(p)) !== f.bytes) return undefined;
      keep.add(p);
      return { bytes: f.bytes, sha256: f.sha256, path: p };
    };
    for (const [id, f] of Object.entries(state.packages)) {
      const file = await present(packagePath(this.dataDir, tenantId, hostIp, id), f);
      if (file) h.packages.set(id, file);
    }
    for (const { file: f, ...meta } of state.images) {
      const img: SimImage = { ...meta, properties: { ...meta.properties } };
      if (f) img.file = await present(imagePath(this.dataDir, tenantId, hostIp, img.imageId), f);
      h.images.set(img.imageId, img);
    }
    for (const i of state.instances) {
      const inst: SimInstance = { ...i, tenantId, hostIp, parameters: { ...i.parameters }, events: [...i.events] };
      // Its deploy step was pending when the plugin went down: it has finished by now.
      if (inst.state === 'DEPLOYING') {
        inst.state = 'RUNNING';
        inst.reason = '';
        inst.events.push({ ...STARTED_EVENT, at: new Date().toISOString() });
      }
      h.instances.set(inst.appInstanceId, inst);
    }
    return true;
  }

  /** The host's state file, or undefined when there is none or it cannot be used (then it is set aside). */
  private async readState(dir: string, tenantId: string, hostIp: string): Promise<StateFile | undefined> {
    const file = path.join(dir, STATE_FILE);
    try {
      const state = stateSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (state.tenantId !== tenantId || state.hostIp !== hostIp) throw new Error(`${file} names another host`);
      return state;
    } catch (e) {
      if (!isMissing(e)) await fs.rename(file, file + CORRUPT_SUFFIX).catch(() => undefined);
      return undefined;
    }
  }

  private async write(queue: HostQueue, tenantId: string, hostIp: string): Promise<void> {
    // Take the state now, before the first await: saves asked for from here on need a write of their own.
    queue.pending = undefined;
    const key = hostKey(tenantId, hostIp);
    const dir = hostDir(this.dataDir, tenantId, hostIp);
    const h = this.store.find(tenantId, hostIp);
    const json = h && stateJson(tenantId, hostIp, h);
    const config = h?.config;
    const configFile = path.join(dir, CONFIG_FILE);
    if (json === undefined) {
      // Nothing left for this host: no files either.
      await fs.rm(path.join(dir, STATE_FILE), { force: true });
      await fs.rm(configFile, { force: true });
      this.configOnDisk.delete(key);
      this.madeDirs.delete(dir);
      await fs.rmdir(dir).catch(() => undefined);
      return;
    }
    if (!this.madeDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.chmod(dir, 0o700);
      this.madeDirs.add(dir);
    }
    if (config !== this.configOnDisk.get(key)) {
      if (config) {
        await writeAtomically(configFile, config);
        this.configOnDisk.set(key, config);
      } else {
        await fs.rm(configFile, { force: true });
        this.configOnDisk.delete(key);
      }
    }
    await writeAtomically(path.join(dir, STATE_FILE), json);
  }
}
