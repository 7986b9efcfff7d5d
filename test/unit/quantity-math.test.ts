// Kubernetes quantity parsing and the arithmetic the allocatable checks do, each case against what the
// Kubernetes documentation or source says.
import { describe, expect, test } from 'vitest';
import { formatBytes, formatMilli, parseTolerance, percentOfCapacity, quantityMilli, quantityValue, thresholdBytes, toleranceAround, within } from '../../src/cluster/quantity-math.ts';
import { parseQuantity, parseThreshold } from '../../src/kubelet/quantity.ts';

const bytes = (t: string): bigint => {
  const v = quantityValue(t);
  if (!v.ok) throw new Error(v.error);
  return v.value;
};

describe('quantities as the API reads them', () => {
  // kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-memory:
  // "the following represent roughly the same value: 128974848, 129e6, 129M, 128974848000m, 123Mi".
  test.each([
    ['128974848', 128974848n],
    ['129e6', 129000000n],
    ['129M', 129000000n],
    ['128974848000m', 128974848n],
    ['123Mi', 128974848n],
  ])('memory %s = %d bytes', (text, want) => expect(bytes(text)).toBe(want));

  // Same page: "400m" is 0.4 CPU, "0.1" is "100m"; whole numbers are cores.
  test.each([
    ['400m', 400n],
    ['0.1', 100n],
    ['4', 4000n],
    ['3300m', 3300n],
    ['3.3', 3300n],
  ])('cpu %s = %d millicores', (text, want) => expect(quantityMilli(text)).toEqual({ ok: true, value: want }));

  test('fractional binary suffixes and exponents: 1.5Gi, 1e3, 1.5e3 (apimachinery resource.Quantity accepts both forms)', () => {
    expect(bytes('1.5Gi')).toBe(1610612736n);
    expect(bytes('0.5Gi')).toBe(536870912n);
    expect(bytes('1e3')).toBe(1000n);
    expect(bytes('1.5e3')).toBe(1500n);
    expect(bytes('1k')).toBe(1000n);
    expect(bytes('1Ki')).toBe(1024n);
  });

  test('Value() rounds up a fraction of a unit (resource.Quantity.Value: "rounded up")', () => {
    expect(bytes('1500m')).toBe(2n);
    expect(quantityMilli('0.0001')).toEqual({ ok: true, value: 1n });
  });

  test('what the API refuses: capital K, a bare suffix, spaces inside', () => {
    for (const bad of ['1K', 'Mi', '1 Mi', '1.2.3', '1Gb']) expect(parseQuantity(bad).ok).toBe(false);
    expect(quantityValue('1K')).toEqual({ ok: false, error: '"1K" is not a quantity such as 500m, 1Gi or 100M' });
  });

  // kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#eviction-thresholds: a threshold
  // is a quantity ("memory.available<1Gi") or a percentage ("memory.available<10%").
  test('eviction thresholds: a quantity or a percentage of capacity', () => {
    expect(parseThreshold('500Mi')).toEqual({ ok: true, value: { kind: 'quantity', nano: 524288000n * 1_000_000_000n } });
    expect(parseThreshold('10%')).toEqual({ ok: true, value: { kind: 'percent', percent: 10 } });
    expect(parseThreshold('101%').ok).toBe(false);
  });
});

describe('the kubelet arithmetic', () => {
  // pkg/kubelet/eviction/helpers.go parsePercentage: float32(value)/100; pkg/kubelet/eviction/api/types.go
  // GetThresholdQuantity: int64(float64(capacity.Value()) * float64(percentage)). float32(0.1) is 0.10000000149…,
  // so 10% of 105089261568 bytes is 10508926313, 157 bytes more than the exact tenth (10508926156).
  test('a percentage threshold is float32 times capacity, truncated', () => {
    expect(percentOfCapacity(105089261568n, 10)).toBe(10508926313n);
    expect(105089261568n / 10n).toBe(10508926156n); // the exact tenth, which the kubelet does not use
    expect(thresholdBytes({ kind: 'percent', percent: 15 }, 100n * 2n ** 30n)).toBe(BigInt(Math.trunc(100 * 2 ** 30 * Math.fround(Math.fround(15) / 100))));
    expect(thresholdBytes({ kind: 'quantity', nano: 500n * 2n ** 20n * 1_000_000_000n }, 0n)).toBe(524288000n);
  });

  test('the guide\'s 16 GiB node: 16384Mi − 1Gi − 512Mi − 500Mi = 14348Mi', () => {
    const r = bytes('16384Mi') - bytes('1Gi') - bytes('512Mi') - bytes('500Mi');
    expect(formatBytes(r)).toBe('14348Mi');
    expect(formatBytes(bytes('16384Mi'))).toBe('16Gi');
    expect(formatBytes(1000n)).toBe('1000');
    expect(formatBytes(-2048n)).toBe('-2Ki');
  });

  test('cpu prints as the API prints it: whole cores bare, else millicores', () => {
    expect(formatMilli(4000n)).toBe('4');
    expect(formatMilli(3300n)).toBe('3300m');
  });

  test('tolerances: absolute (0.5Gi) or a share of the target (5%)', () => {
    const abs = parseTolerance('0.5Gi', 'bytes');
    const pct = parseTolerance('5%', 'bytes');
    if (!abs.ok || !pct.ok) throw new Error('tolerance did not parse');
    expect(toleranceAround(bytes('14Gi'), abs.value)).toBe(536870912n);
    expect(toleranceAround(bytes('14Gi'), pct.value)).toBe(751619276n);
    expect(within(bytes('14348Mi'), bytes('14Gi'), 536870912n)).toBe(true);
    expect(within(bytes('16284Mi'), bytes('14Gi'), 536870912n)).toBe(false);
    expect(parseTolerance('x%', 'bytes').ok).toBe(false);
    expect(parseTolerance('-1Gi', 'bytes')).toEqual({ ok: false, error: '"-1Gi" is negative' });
  });
});
