// Kubernetes resource quantities ("250m", "2500000n", "4", "32768Ki", "1.5Gi", "94580335255") as numbers.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity in base units (cores, bytes), or NaN when it is not one. */
export function parseQuantity(q: string | undefined): number {
  const m = /^([+-]?\d+(?:\.\d+)?)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec((q ?? '').trim());
  if (!m) return NaN;
  const n = Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1);
  const unit = m[3] ?? '';
  const f = BINARY[unit] ?? DECIMAL[unit];
  return f === undefined ? NaN : n * f;
}

export const millicores = (q: string | undefined): number => Math.round(parseQuantity(q) * 1000);
export const bytes = (q: string | undefined): number => Math.round(parseQuantity(q));
