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
  process(file: string): Promise<OnboardedContent>;
}
