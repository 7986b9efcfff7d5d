// Kubernetes quantity arithmetic for allocatable checks: the kubelet's own rounding, and the forms people read
// (14348Mi, 3300m), on top of src/kubelet/quantity.ts's parser (values in nano-units, as bigint).
import { parseQuantity, parseThreshold, type Threshold } from '../kubelet/quantity.ts';

const NANO = 1_000_000_000n;
const binarySteps: readonly [string, bigint][] = [
  ['Ei', 2n ** 60n],
  ['Pi', 2n ** 50n],
  ['Ti', 2n ** 40n],
  ['Gi', 2n ** 30n],
  ['Mi', 2n ** 20n],
  ['Ki', 2n ** 10n],
];

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A whole count (bytes, pods) of a quantity, rounded up as resource.Quantity.Value() does. */
export function quantityValue(text: string): Parsed<bigint> {
  const q = parseQuantity(text);
  if (!q.ok) return q;
  const whole = q.nano / NANO;
  return { ok: true, value: q.nano % NANO > 0n ? whole + 1n : whole };
}

/** Millicores of a CPU quantity ("4" → 4000, "3300m" → 3300), rounded up as MilliValue() does. */
export function quantityMilli(text: string): Parsed<bigint> {
  const q = parseQuantity(text);
  if (!q.ok) return q;
  const step = 1_000_000n;
  const whole = q.nano / step;
  return { ok: true, value: q.nano % step > 0n ? whole + 1n : whole };
}

/** Bytes with the largest binary suffix that divides them exactly: 14348Mi, 16Gi, 1023Ki, 1000. */
export function formatBytes(bytes: bigint): string {
  if (bytes === 0n) return '0';
  const neg = bytes < 0n;
  const n = neg ? -bytes : bytes;
  for (const [suffix, size] of binarySteps) if (n % size === 0n) return `${neg ? '-' : ''}${n / size}${suffix}`;
  return `${neg ? '-' : ''}${n}`;
}

/** Millicores as the API prints CPU: whole cores bare ("4"), otherwise milli ("3300m"). */
export function formatMilli(milli: bigint): string {
  return milli % 1000n === 0n ? String(milli / 1000n) : `${milli}m`;
}

/**
 * A percentage threshold of a capacity, as the kubelet computes it: the percent is parsed to float32 and divided
 * by 100 in float32 (pkg/kubelet/eviction/helpers.go parsePercentage), then int64(float64(capacity) ×
 * float64(pct)) (pkg/kubelet/eviction/api/types.go GetThresholdQuantity) truncates toward zero.
 */
export function percentOfCapacity(capacity: bigint, percent: number): bigint {
  const pct = Math.fround(Math.fround(percent) / 100);
  return BigInt(Math.trunc(Number(capacity) * pct));
}

/** An eviction threshold's size against a capacity: the quantity itself, or its share of the capacity. */
export function thresholdBytes(t: Threshold, capacity: bigint): bigint {
  if (t.kind === 'percent') return percentOfCapacity(capacity, t.percent);
  const whole = t.nano / NANO;
  return t.nano % NANO > 0n ? whole + 1n : whole;
}

export function parseThresholdText(text: string): Parsed<Threshold> {
  const t = parseThreshold(text);
  return t.ok ? { ok: true, value: t.value } : t;
}

/** A tolerance around a target: an absolute quantity ("0.5Gi") or a share of the target ("5%"). */
export type Tolerance = { readonly kind: 'absolute'; readonly value: bigint; readonly text: string } | { readonly kind: 'percent'; readonly percent: number; readonly text: string };

export function parseTolerance(text: string, unit: 'bytes' | 'milli'): Parsed<Tolerance> {
  const s = text.trim();
  if (s.endsWith('%')) {
    const p = Number(s.slice(0, -1));
    if (s.length === 1 || !Number.isFinite(p) || p < 0) return { ok: false, error: `"${text}" is not a percentage such as 5%` };
    return { ok: true, value: { kind: 'percent', percent: p, text: s } };
  }
  const v = unit === 'bytes' ? quantityValue(s) : quantityMilli(s);
  if (!v.ok) return v;
  if (v.value < 0n) return { ok: false, error: `"${text}" is negative` };
  return { ok: true, value: { kind: 'absolute', value: v.value, text: s } };
}

/** The largest distance from the target the tolerance allows (a percent of the target, truncated). */
export function toleranceAround(target: bigint, t: Tolerance): bigint {
  if (t.kind === 'absolute') return t.value;
  // Exact in integers: target × percent / 100, with the percent scaled to 1e-6.
  const scaled = BigInt(Math.round(t.percent * 1_000_000));
  return (target * scaled) / 100_000_000n;
}

export const within = (actual: bigint, target: bigint, slack: bigint): boolean => (actual > target ? actual - target : target - actual) <= slack;
