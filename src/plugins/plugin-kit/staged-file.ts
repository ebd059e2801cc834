import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StoredFile } from './kit-types.js';

/**
 * An upload written to a temporary file and moved into place only when complete, so a stream that breaks off
 * leaves nothing behind and a replaced package is swapped atomically.
 */
export class StagedFile {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  private constructor(
    private readonly tmpPath: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async open(tmpDir: string): Promise<StagedFile> {
    const tmpPath = path.join(tmpDir, `${randomUUID()}.part`);
    return new StagedFile(tmpPath, await fs.open(tmpPath, 'wx', 0o600));
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    await this.handle.write(chunk);
  }

  /** Moves the file to `dest` (replacing what is there). */
  async commit(dest: string): Promise<StoredFile> {
    await this.handle.close();
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.rename(this.tmpPath, dest);
    return { bytes: this.bytes, sha256: this.hash.digest('hex'), path: dest };
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmpPath, { force: true });
  }
}
