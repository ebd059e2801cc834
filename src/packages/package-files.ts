/**
 * Read access to the files of a package, whatever holds them (the CSAR zip, a nested APPD zip). The CSAR
 * parser works only through this, so it never touches the file system or trusts an entry name as a path.
 */
export interface PackageFiles {
  /** Entry names (forward slashes, no leading slash), directories excluded. */
  names(): string[];
  has(name: string): boolean;
  /** Inflated size of an entry as declared (verified when read). */
  sizeOf(name: string): number;
  /** Reads a whole entry into memory; INVALID_PACKAGE when it is larger than `maxBytes` or corrupt. */
  read(name: string, maxBytes: number): Promise<Buffer>;
  /** SHA-256 (hex) of an entry's inflated bytes, streamed. */
  sha256(name: string): Promise<string>;
}
