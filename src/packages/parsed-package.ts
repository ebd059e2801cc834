import type { StreamChecked } from './zip-stream-scanner.js';

/** What onboarding keeps of a parsed package: the descriptor's headline fields and three JSON documents. */
export interface OnboardedContent {
  name: string;
  version: string;
  provider: string;
  description: string;
  type: 'CONTAINER' | 'VM';
  appd: Record<string, unknown>;
  integrity: Record<string, unknown>;
  artifacts: Record<string, unknown>[];
}

/** Validates and parses a stored package file; throws INVALID_PACKAGE naming what is wrong. */
export interface PackageProcessor {
  /** `streamChecked`: stored entries already CRC-checked while the file streamed in (not read again). */
  process(file: string, streamChecked?: StreamChecked): Promise<OnboardedContent>;
}
