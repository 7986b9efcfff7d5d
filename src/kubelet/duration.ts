// Go time.Duration syntax ("4h0m0s", "1m30s", "0s", "-1.5h") as nanoseconds, so durations compare as numbers.

const unitNs: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

export type DurationResult = { readonly ok: true; readonly ns: bigint } | { readonly ok: false; readonly error: string };

/** time.ParseDuration: a sign, then number+unit pairs; a bare "0" is the only unitless value. */
export function parseDuration(text: string): DurationResult {
  const s = text.trim();
  const bad = (): DurationResult => ({ ok: false, error: `"${text}" is not a Go duration such as 4h0m0s` });
  if (s === '0' || s === '+0' || s === '-0') return { ok: true, ns: 0n };
  const m = /^([+-]?)((?:\d*\.?\d+|\d+\.)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return bad();
  let total = 0n;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const unit = unitNs[part[3] ?? ''];
    if (unit === undefined) return bad();
    const whole = BigInt(part[1] || '0');
    const frac = part[2] ?? '';
    const fracNs = frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += whole * unit + fracNs;
  }
  return { ok: true, ns: m[1] === '-' ? -total : total };
}

/** Go's Duration.String(): "4h0m0s", "1m30s", "0s", "500ms". */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let n = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  if (n < 1_000_000_000n) {
    if (n < 1_000n) return `${sign}${n}ns`;
    if (n < 1_000_000n) return `${sign}${trim(n, 1_000n)}µs`;
    return `${sign}${trim(n, 1_000_000n)}ms`;
  }
  const h = n / 3_600_000_000_000n;
  n -= h * 3_600_000_000_000n;
  const m = n / 60_000_000_000n;
  n -= m * 60_000_000_000n;
  const s = trim(n, 1_000_000_000n);
  if (h > 0n) return `${sign}${h}h${m}m${s}s`;
  if (m > 0n) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function trim(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const rest = n % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
