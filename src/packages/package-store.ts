import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const KEY_RE = /^[0-9a-f]{32}$/;

/**
 * Package files on disk, under `<dataDir>/packages` (stored) and `<dataDir>/tmp` (uploads in flight). File names
 * are generated keys, never derived from client input; both folders are on one file system so that committing an
 * upload is an atomic rename.
 */
export class PackageStore {
  readonly packagesDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.packagesDir = path.join(dataDir, 'packages');
    this.tmpDir = path.join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.packagesDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** A fresh temp path for an upload in flight. */
  tempPath(): string {
    return path.join(this.tmpDir, `${randomUUID().replaceAll('-', '')}.part`);
  }

  newKey(): string {
    return randomUUID().replaceAll('-', '');
  }

  pathOf(storageKey: string): string {
    if (!KEY_RE.test(storageKey)) throw new Error(`invalid storage key ${storageKey}`);
    return path.join(this.packagesDir, `${storageKey}.csar`);
  }

  /** Moves a finished upload into the store. */
  async commit(tempPath: string, storageKey: string): Promise<string> {
    const dest = this.pathOf(storageKey);
    await fs.rename(tempPath, dest);
    return dest;
  }

  async remove(storageKey: string): Promise<void> {
    await fs.rm(this.pathOf(storageKey), { force: true });
  }

  async removeTemp(tempPath: string): Promise<void> {
    if (path.dirname(tempPath) !== this.tmpDir) throw new Error('not a temp path of this store');
    await fs.rm(tempPath, { force: true });
  }

  /** Removes temp files older than `olderThanMs` (uploads cut short by a crash). */
  async sweepTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await fs.readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      const st = await fs.stat(p).catch(() => null);
      if (st && st.mtimeMs < cutoff) {
        await fs.rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
