/**
 * Caps applied while reading an archive (the CSAR, its nested APPD zip, its chart .tgz). Sizes are counted
 * while inflating, never trusted from headers.
 */
export interface ArchiveLimits {
  /** Entries per archive (the original allowed 1024). */
  maxEntries: number;
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Inflated bytes of all entries of one archive together. */
  maxTotalBytes: number;
  /** Archives inside archives: the CSAR is depth 0, its APPD zip or chart tgz depth 1. */
  maxDepth: number;
  /** Inflated / compressed ratio above which an entry is treated as a bomb (only for entries over 1 MiB). */
  maxRatio: number;
  /** Bytes of a descriptor read into memory (TOSCA.meta, manifest, service templates, SwImageDesc, Chart.yaml). */
  maxDescriptorBytes: number;
  /** Bytes of a nested archive (APPD zip, chart tgz) read into memory. */
  maxNestedArchiveBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 4096,
  maxEntryBytes: 8 * 1024 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  maxDepth: 2,
  maxRatio: 200,
  maxDescriptorBytes: 4 * 1024 * 1024,
  maxNestedArchiveBytes: 64 * 1024 * 1024,
};
