// The node's own capacity, as the kubelet (cAdvisor) measures it, read from the probe's facts, so allocatable can be
// computed with no cluster at all.
import type { Parsed } from '../../cluster/quantity-math.ts';
import { capacityCmd, capacityPaths } from '../../facts/requirements-capacity.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { commandOutput, readFile } from '../host/evidence.ts';

export { capacityPaths };

export interface CapacityReading {
  /** Bytes for memory and storage, millicores for CPU. */
  readonly value: bigint;
  readonly source: string;
}

/** MemTotal (what cAdvisor's MemoryCapacity is) and the hugepages the kubelet subtracts from allocatable memory. */
export function memoryCapacity(facts: NodeFacts): Parsed<CapacityReading & { readonly hugepages: bigint }> {
  const f = readFile(facts, capacityPaths.meminfo);
  if (f.kind === 'unknown') return { ok: false, error: f.reason };
  if (f.kind === 'missing') return { ok: false, error: `${capacityPaths.meminfo} does not exist` };
  const field = (name: string): bigint | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)(?:\\s+kB)?\\s*$`, 'm').exec(f.text);
    return m ? BigInt(m[1] ?? '0') : undefined;
  };
  const total = field('MemTotal');
  if (total === undefined) return { ok: false, error: `${capacityPaths.meminfo} has no MemTotal line` };
  const pages = field('HugePages_Total') ?? 0n;
  const size = field('Hugepagesize') ?? 0n;
  return { ok: true, value: { value: total * 1024n, hugepages: pages * size * 1024n, source: `${capacityPaths.meminfo} MemTotal` } };
}

/** "0-3,6,8-9" → 7: the online CPUs, as cAdvisor counts cores for capacity. */
export function cpuCapacity(facts: NodeFacts): Parsed<CapacityReading> {
  const f = readFile(facts, capacityPaths.cpuOnline);
  if (f.kind === 'unknown') return { ok: false, error: f.reason };
  if (f.kind === 'missing') return { ok: false, error: `${capacityPaths.cpuOnline} does not exist` };
  let count = 0n;
  for (const part of f.text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return { ok: false, error: `${capacityPaths.cpuOnline} is not a CPU list: "${f.text.trim()}"` };
    const lo = BigInt(m[1] ?? '0');
    const hi = m[2] !== undefined ? BigInt(m[2]) : lo;
    if (hi < lo) return { ok: false, error: `${capacityPaths.cpuOnline} has a descending range "${part}"` };
    count += hi - lo + 1n;
  }
  return { ok: true, value: { value: count * 1000n, source: `${capacityPaths.cpuOnline} (${f.text.trim()})` } };
}

/** statfs of the kubelet root directory: block size × blocks. */
export function ephemeralCapacity(facts: NodeFacts, kubeletRootDir: string): Parsed<CapacityReading> {
  const display = `stat -f -c '%S %b' ${kubeletRootDir}`;
  const out = commandOutput(facts, capacityCmd.rootfs, display);
  if (!out.ok) return { ok: false, error: out.reason };
  const m = /^(\d+)\s+(\d+)\s*$/.exec(out.stdout.trim());
  if (!m) return { ok: false, error: `\`${display}\` printed "${out.stdout.trim()}", not "<block size> <blocks>"` };
  return { ok: true, value: { value: BigInt(m[1] ?? '0') * BigInt(m[2] ?? '0'), source: `statfs ${kubeletRootDir}` } };
}
