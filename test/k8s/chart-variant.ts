import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { ZipArchive } from '../../src/packages/zip-archive.js';
import { buildTar, yazlZip } from '../helpers/hostile-archives.js';
import { fixture } from '../helpers/package-client.js';

/** The files of a chart .tgz, in archive order. */
async function tgzFiles(tgz: Buffer): Promise<{ path: string; data: Buffer }[]> {
  const files: { path: string; data: Buffer }[] = [];
  const parser = new Parser({
    onReadEntry: (e: ReadEntry) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => {
        if (e.type === 'File') files.push({ path: e.path, data: Buffer.concat(chunks) });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    parser.end(zlib.gunzipSync(tgz));
  });
  return files;
}

/**
 * A copy of a fixture CSAR whose chart files are passed through `edit` (built in memory for a test, never stored in
 * the project): e.g. the etherpad chart without its fixed nodePort, so that two releases of it fit one cluster.
 */
export async function csarVariant(name: string, edit: (path: string, text: string) => string): Promise<Buffer> {
  const zip = await ZipArchive.open(fixture(name), DEFAULT_ARCHIVE_LIMITS);
  try {
    const out: { name: string; data: Buffer }[] = [];
    for (const entry of zip.entries) {
      if (entry.name.endsWith('/')) continue;
      let data = await zip.read(entry.name, 64 * 1024 * 1024);
      if (/Artifacts\/Deployment\/Charts\/[^/]+\.tgz$/.test(entry.name)) {
        const files = await tgzFiles(data);
        data = zlib.gzipSync(buildTar(files.map((f) => ({ path: f.path, data: Buffer.from(edit(f.path, f.data.toString('utf8'))) }))));
      }
      out.push({ name: entry.name, data });
    }
    return await yazlZip(out);
  } finally {
    zip.close();
  }
}
