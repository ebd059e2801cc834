/**
 * The original's password policy for edge `key`/`newkey` headers (applcm-original.md §3.4): 8–16 bytes and at least
 * two of four classes. Kept exactly, quirks included, so that every key the original accepted is accepted here and
 * no other: its "special" class is the Go character class `['~!@#$%^&()-_=+\|[{}\];:'",<.>/?]`, where `)-_` is a
 * range (0x29–0x5F), so digits, upper-case letters and `*+,-./:;<=>?@[\]^_` also count as special.
 */
const CLASSES: readonly RegExp[] = [/\d/, /[a-z]/, /[A-Z]/, /['~!@#$%^&(-_=+\\|[{}\];:'",<.>/?]/];

export const EDGE_KEY_MIN_BYTES = 8;
export const EDGE_KEY_MAX_BYTES = 16;

/** How many of the original's four character classes `key` has. */
export function keyClasses(key: string): number {
  return CLASSES.filter((c) => c.test(key)).length;
}

/** True when `key` satisfies the original's policy. */
export function meetsEdgeKeyPolicy(key: string): boolean {
  const bytes = Buffer.byteLength(key, 'utf8');
  return bytes >= EDGE_KEY_MIN_BYTES && bytes <= EDGE_KEY_MAX_BYTES && keyClasses(key) >= 2;
}

/** The rule in words, for configuration errors (never with the key itself). */
export const EDGE_KEY_POLICY_TEXT = `${EDGE_KEY_MIN_BYTES}-${EDGE_KEY_MAX_BYTES} bytes with at least two of: digit, lower-case letter, upper-case letter, special character`;
