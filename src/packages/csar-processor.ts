import type { ArchiveLimits } from './archive-limits.js';
import { inspectChartTgz } from './chart-archive.js';
import { parseCsar } from './csar-parser.js';
import type { OnboardedContent, PackageProcessor } from './parsed-package.js';
import { ZipArchive } from './zip-archive.js';
import type { StreamChecked } from './zip-stream-scanner.js';

/**
 * Validates a stored CSAR end to end (central directory checks, every entry inflated with sizes and CRCs checked,
 * nested archives opened under the same caps) and parses it into the typed AppD.
 */
export class CsarProcessor implements PackageProcessor {
  constructor(
    private readonly limits: ArchiveLimits,
    private readonly strictIntegrity: boolean,
  ) {}

  async process(file: string, streamChecked?: StreamChecked): Promise<OnboardedContent> {
    const zip = await ZipArchive.open(file, this.limits, 0);
    try {
      await zip.verifyAll(streamChecked);
      const parsed = await parseCsar(
        zip,
        {
          openNestedZip: (buf: Buffer, depth: number) => ZipArchive.fromBuffer(buf, this.limits, depth),
          inspectChart: (buf: Buffer, depth: number) => inspectChartTgz(buf, this.limits, depth),
        },
        { limits: this.limits, strictIntegrity: this.strictIntegrity },
      );
      const a = parsed.appd;
      return {
        name: a.name,
        version: a.version,
        provider: a.provider,
        description: a.description,
        type: a.type,
        appd: a as unknown as Record<string, unknown>,
        integrity: parsed.integrity as unknown as Record<string, unknown>,
        artifacts: parsed.artifacts as unknown as Record<string, unknown>[],
      };
    } finally {
      zip.close();
    }
  }
}
