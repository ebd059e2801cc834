import fs from 'node:fs/promises';
import path from 'node:path';
import { isDomainError } from '../../errors.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../packages/archive-limits.js';
import { inspectChartTgz } from '../../packages/chart-archive.js';
import { ZipArchive } from '../../packages/zip-archive.js';
import type { PackageRecord } from './k8s-store.js';

/** Charts live here in EdgeGallery packages, directly or below one top folder. */
const CHART_ENTRY = /(^|\/)Artifacts\/Deployment\/Charts\/[^/]+\.(tgz|tar\.gz)$/i;

/**
 * Finds the Helm chart in a stored CSAR and writes it next to it as chart.tgz, after the package subsystem's checks
 * (zip entry names, sizes, ratios and CRCs; the chart tgz's paths, links and Chart.yaml). A CSAR without a usable
 * chart is still stored (the controller distributes packages without knowing their VIM); the reason is kept and
 * instantiate reports it.
 */
export async function extractChart(csarFile: string, dir: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Pick<PackageRecord, 'chart' | 'chartError'>> {
  let zip: ZipArchive | undefined;
  try {
    zip = await ZipArchive.open(csarFile, limits);
    const entry = zip.names().find((n) => CHART_ENTRY.test(n));
    if (!entry) return { chartError: 'the package has no Helm chart under Artifacts/Deployment/Charts/' };
    const tgz = await zip.read(entry, limits.maxNestedArchiveBytes);
    const info = await inspectChartTgz(tgz, limits, 1, entry);
    const file = path.join(dir, 'chart.tgz');
    await fs.writeFile(file, tgz, { mode: 0o600 });
    return { chart: { name: info.name, version: info.version, file, ...(info.valuesYaml !== undefined ? { valuesYaml: info.valuesYaml } : {}) } };
  } catch (e) {
    if (isDomainError(e)) return { chartError: `the package's chart cannot be used: ${e.message}` };
    return { chartError: `the package is not a readable CSAR: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    zip?.close();
  }
}
