import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a plugin's file (0600, its directory 0700: records and host configurations hold credentials) through a temp
 * file renamed into place, so a crash leaves the old file or the new one, never half of one. The temp name is unique
 * per write, so two writes never share it.
 */
export async function writePrivate(file: string, content: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** Writes a plugin's record as writePrivate does. */
export function writeJson(file: string, value: unknown): Promise<void> {
  return writePrivate(file, JSON.stringify(value, null, 2));
}

/** A plugin's record, or undefined when there is none. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
