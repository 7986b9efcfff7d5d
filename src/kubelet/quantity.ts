// Kubernetes resource quantities ("500m", "1Gi", "1e3") and eviction thresholds ("10%"), compared by value.

const binary: Readonly<Record<string, bigint>> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
/** Decimal suffixes as powers of ten. */
const decimal: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A quantity in nano-units: every suffix the API accepts is a whole number of nano-units. */
export type QuantityResult = { readonly ok: true; readonly nano: bigint } | { readonly ok: false; readonly error: string };

export function parseQuantity(text: string): QuantityResult {
  const s = text.trim();
  const m = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(s);
  if (!m) return { ok: false, error: `"${text}" is not a quantity such as 500m, 1Gi or 100M` };
  const [, sign, num = '0', bin, exp, dec] = m;
  const [whole = '0', frac = ''] = num.split('.');
  // value = digits × 10^(-frac.length) × multiplier, kept as nano-units (×10^9).
  const digits = BigInt(`${whole}${frac}` || '0');
  let pow10 = 9 - frac.length;
  let mult = 1n;
  if (bin) mult = binary[bin] ?? 1n;
  else if (exp) pow10 += Number(exp.slice(1));
  else pow10 += decimal[dec ?? ''] ?? 0;
  let nano = digits * mult;
  if (pow10 >= 0) nano *= 10n ** BigInt(pow10);
  else nano /= 10n ** BigInt(-pow10); // below a nano-unit: the API rounds up, but no setting here goes that fine
  return { ok: true, nano: sign === '-' ? -nano : nano };
}

export type Threshold = { readonly kind: 'quantity'; readonly nano: bigint } | { readonly kind: 'percent'; readonly percent: number };
export type ThresholdResult = { readonly ok: true; readonly value: Threshold } | { readonly ok: false; readonly error: string };

/** An eviction threshold value: a percentage of capacity or an absolute quantity. */
export function parseThreshold(text: string): ThresholdResult {
  const s = text.trim();
  if (s.endsWith('%')) {
    const p = Number(s.slice(0, -1));
    if (s.length === 1 || !Number.isFinite(p) || p < 0 || p > 100) return { ok: false, error: `"${text}" is not a percentage` };
    return { ok: true, value: { kind: 'percent', percent: p } };
  }
  const q = parseQuantity(s);
  return q.ok ? { ok: true, value: { kind: 'quantity', nano: q.nano } } : q;
}

export const sameThreshold = (a: Threshold, b: Threshold): boolean =>
  a.kind === 'percent' ? b.kind === 'percent' && a.percent === b.percent : b.kind === 'quantity' && a.nano === b.nano;
