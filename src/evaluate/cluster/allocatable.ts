// RES-6.1.1–6.1.4: allocatable = capacity − systemReserved − kubeReserved − hard eviction threshold, computed as
// the kubelet does (pkg/kubelet/cm GetNodeAllocatableReservation: memory and ephemeral-storage take the eviction
// threshold, cpu does not; memory also loses hugepages), from the node's own capacity and the kubelet's effective
// settings, so it works with no cluster; with one, status.allocatable must agree. The message shows the sum.
import { capacityPaths, cpuCapacity, ephemeralCapacity, memoryCapacity, type CapacityReading } from './node-capacity.ts';
import {
  formatBytes,
  formatMilli,
  parseThresholdText,
  parseTolerance,
  quantityMilli,
  quantityValue,
  thresholdBytes,
  toleranceAround,
  within,
  type Parsed,
} from '../../cluster/quantity-math.ts';
import { kubeletReservations, type Reservations } from '../../cluster/reservations.ts';
import type { ClusterFacts, NodeObject } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { noClusterReason, type ClusterCheckProfile } from './evidence.ts';

type Resource = 'memory' | 'cpu' | 'ephemeral-storage';
type Unit = 'bytes' | 'milli';

interface Term {
  /** As configured ("1Gi", "10%"), shown in the sum. */
  readonly text: string;
  readonly value: bigint;
  /** What the term is: "systemReserved", "evictionHard memory.available". */
  readonly what: string;
}

interface Sum {
  readonly capacity: CapacityReading;
  readonly terms: readonly Term[];
  readonly result: bigint;
}

const unitOf = (r: Resource): Unit => (r === 'cpu' ? 'milli' : 'bytes');
const parseIn = (unit: Unit, text: string): Parsed<bigint> => (unit === 'milli' ? quantityMilli(text) : quantityValue(text));
const show = (unit: Unit, v: bigint): string => (unit === 'milli' ? formatMilli(v) : formatBytes(v));

/** The capacity and result in the largest binary unit dividing both, so the sum reads 16384Mi − … = 14348Mi. */
function showPair(unit: Unit, a: bigint, b: bigint): [string, string] {
  if (unit === 'milli') return [formatMilli(a), formatMilli(b)];
  const steps = [['Gi', 2n ** 30n], ['Mi', 2n ** 20n], ['Ki', 2n ** 10n]] as const;
  for (const [suffix, size] of steps) {
    if (a % size === 0n && b % size === 0n) return [`${a / size}${suffix}`, `${b / size}${suffix}`];
  }
  // No common unit (a percentage threshold leaves odd bytes): the capacity as the kubelet prints it (Ki), the result in bytes.
  const own = steps.slice(1).find(([, size]) => a % size === 0n);
  return [own ? `${a / own[1]}${own[0]}` : String(a), String(b)];
}

export function describeSum(unit: Unit, s: Sum): string {
  const [cap, res] = showPair(unit, s.capacity.value, s.result);
  const approx = unit === 'bytes' && s.result >= 2n ** 30n && s.result % 2n ** 30n !== 0n ? ` (≈${(Number(s.result) / 2 ** 30).toFixed(1)}Gi)` : '';
  return `${[cap, ...s.terms.map((t) => t.text)].join(' − ')} = ${res}${approx}`;
}

const evictionSignal: Partial<Record<Resource, string>> = { memory: 'memory.available', 'ephemeral-storage': 'nodefs.available' };

/** The kubelet's reservation terms for one resource, each parsed; a term the kubelet could not parse is an error. */
function terms(r: Resource, res: Pick<Reservations, 'systemReserved' | 'kubeReserved' | 'evictionHard'>, capacity: bigint, hugepages: bigint): Parsed<Term[]> {
  const unit = unitOf(r);
  const out: Term[] = [];
  for (const field of ['systemReserved', 'kubeReserved'] as const) {
    const text = res[field][r];
    if (text === undefined) {
      out.push({ text: '0', value: 0n, what: `${field}.${r} (unset)` });
      continue;
    }
    const v = parseIn(unit, text);
    if (!v.ok) return { ok: false, error: `${field}.${r}: ${v.error}` };
    out.push({ text, value: v.value, what: `${field}.${r}` });
  }
  const signal = evictionSignal[r];
  if (signal) {
    const text = res.evictionHard[signal];
    if (text === undefined) out.push({ text: '0', value: 0n, what: `evictionHard ${signal} (unset)` });
    else {
      const t = parseThresholdText(text);
      if (!t.ok) return { ok: false, error: `evictionHard ${signal}: ${t.error}` };
      const bytes = thresholdBytes(t.value, capacity);
      out.push({ text: t.value.kind === 'percent' ? `${text} (${formatBytes(bytes)})` : text, value: bytes, what: `evictionHard ${signal}` });
    }
  }
  if (r === 'memory' && hugepages > 0n) out.push({ text: formatBytes(hugepages), value: hugepages, what: 'hugepages' });
  return { ok: true, value: out };
}

function sum(capacity: CapacityReading, ts: readonly Term[]): Sum {
  const total = ts.reduce((a, t) => a + t.value, 0n);
  const result = capacity.value - total;
  // Negative allocatable is clamped to zero by the kubelet (getNodeAllocatableAbsoluteImpl).
  return { capacity, terms: ts, result: result < 0n ? 0n : result };
}

/** Capacity from the API's Node when the cluster read it (what the kubelet measured), else from the node's facts. */
function capacityOf(r: Resource, node: NodeFacts | undefined, api: NodeObject | undefined, rootDir: string): Parsed<CapacityReading & { hugepages: bigint }> {
  const unit = unitOf(r);
  if (api) {
    const text = api.capacity[r];
    if (text === undefined) return { ok: false, error: `the Node's status.capacity has no ${r}` };
    const v = parseIn(unit, text);
    if (!v.ok) return { ok: false, error: `status.capacity.${r}: ${v.error}` };
    let hugepages = 0n;
    if (r === 'memory') {
      for (const [k, q] of Object.entries(api.capacity)) {
        if (!k.startsWith('hugepages-')) continue;
        const h = quantityValue(q);
        if (h.ok) hugepages += h.value;
      }
    }
    return { ok: true, value: { value: v.value, source: `Node ${api.name} status.capacity.${r} (${text})`, hugepages } };
  }
  if (!node) return { ok: false, error: 'neither the node nor the cluster was observed' };
  if (r === 'memory') return memoryCapacity(node);
  const c = r === 'cpu' ? cpuCapacity(node) : ephemeralCapacity(node, rootDir);
  return c.ok ? { ok: true, value: { ...c.value, hugepages: 0n } } : c;
}

interface Target {
  readonly text: string;
  readonly value: bigint;
  readonly slack: bigint;
  readonly toleranceText: string;
}

function target(unit: Unit, text: string | null, tolerance: string): Parsed<Target | undefined> {
  if (text === null) return { ok: true, value: undefined };
  const v = parseIn(unit, text);
  if (!v.ok) return { ok: false, error: `profile allocatable target: ${v.error}` };
  const t = parseTolerance(tolerance, unit);
  if (!t.ok) return { ok: false, error: `profile tolerance: ${t.error}` };
  return { ok: true, value: { text, value: v.value, slack: toleranceAround(v.value, t.value), toleranceText: t.value.text } };
}

const checkName: Record<Resource, string> = { memory: 'memory', cpu: 'cpu', 'ephemeral-storage': 'ephemeral-storage' };

function evaluateResource(r: Resource, node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const unit = unitOf(r);
  const cp = profile.cluster;
  const targetText = r === 'memory' ? cp.allocatable.memory : r === 'cpu' ? cp.allocatable.cpu : null;
  const tolText = r === 'memory' ? cp.allocatable.memoryTolerance : cp.allocatable.cpuTolerance;
  const signal = evictionSignal[r];
  const formula = `capacity − systemReserved − kubeReserved${signal ? ` − evictionHard ${signal}` : ''}${r === 'memory' ? ' − hugepages' : ''}`;
  const tg = target(unit, targetText, tolText);
  const wantText = tg.ok && tg.value ? `, profile wants ≈${tg.value.text} ± ${tg.value.toleranceText}` : '';
  const expected = `allocatable ${checkName[r]} = ${formula}${wantText}${cluster ? `; status.allocatable within ${cp.allocatable.apiTolerance} of it` : ''}`;
  if (!tg.ok) return error({ expected, actual: 'unknown', source: 'profile' }, tg.error);
  const observed = nodeObjectIfAny(expected, node, cluster);
  if ('verdict' in observed) return observed.verdict;
  const api = observed.api;
  const res = kubeletReservations(node, cluster);
  const cap = capacityOf(r, node, api, cp.kubeletRootDir);
  const sourceParts = [cap.ok ? cap.value.source : r === 'memory' ? capacityPaths.meminfo : 'node capacity', `kubelet settings from ${res.ok ? res.value.source : 'unknown'}`];
  if (res.ok && res.value.configzNote) sourceParts.push(res.value.configzNote);
  const source = sourceParts.join('; ');
  if (!cap.ok) return error({ expected, actual: 'unknown', source }, `${checkName[r]} capacity unknown: ${cap.error}`);
  if (!res.ok) return error({ expected, actual: 'unknown', source }, res.error);

  const ts = terms(r, res.value, cap.value.value, cap.value.hugepages);
  if (!ts.ok) return fail({ expected, actual: 'the kubelet cannot parse its reservations', source }, `${ts.error}: the kubelet refuses to start with it`);
  const effective = sum(cap.value, ts.value);
  const arithmetic = describeSum(unit, effective);
  const problems: string[] = [];

  // The profile's own reservations on this node's capacity: what the documented state would leave.
  const profileTerms = terms(r, profile.kubelet, cap.value.value, cap.value.hugepages);
  if (profileTerms.ok) {
    const documented = sum(cap.value, profileTerms.value);
    if (documented.result !== effective.result) problems.push(`with the profile's reservations it would be ${describeSum(unit, documented)}: the kubelet reserves ${effective.result > documented.result ? 'less' : 'more'} than documented (see KUBELET-3.4.1–3.4.3)`);
  }
  if (tg.value && !within(effective.result, tg.value.value, tg.value.slack)) {
    problems.push(`${show(unit, effective.result)} is not within ${tg.value.toleranceText} of the profile's ≈${tg.value.text}`);
  }
  let actual = arithmetic;
  if (api) {
    const text = api.allocatable[r];
    const reported = text === undefined ? undefined : parseIn(unit, text);
    if (reported === undefined) problems.push(`the Node reports no status.allocatable.${r}`);
    else if (!reported.ok) return error({ expected, actual: 'unknown', source }, `status.allocatable.${r}: ${reported.error}`);
    else {
      actual += `; the API reports ${text}`;
      const tol = parseTolerance(cp.allocatable.apiTolerance, unit);
      if (!tol.ok) return error({ expected, actual, source }, `profile apiTolerance: ${tol.error}`);
      if (!within(reported.value, effective.result, toleranceAround(effective.result, tol.value))) {
        problems.push(`the API reports allocatable ${text} (${show(unit, reported.value)}), not the ${show(unit, effective.result)} the kubelet's settings give: the running kubelet does not apply them (restart it, see KUBELET-3.4.x and the /configz layer)`);
      }
    }
  }
  const wants = tg.value ? `, profile wants ≈${tg.value.text} ± ${tg.value.toleranceText}` : '';
  const sentence = (parts: string[]): string => {
    const text = parts.join('; ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const message = `${arithmetic}${wants}. ${problems.length ? sentence(problems) : `(${formula})`}`;
  return problems.length === 0 ? pass({ expected, actual, source }, message) : fail({ expected, actual, source }, message);
}

export const evaluateAllocatableMemory = (node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict => evaluateResource('memory', node, cluster, profile);
/**
 * What both halves of an allocatable check stand on: something observed, and, with a cluster, a readable Node —
 * a 403 on it is an error, never a pass on the node-side sum alone.
 */
function nodeObjectIfAny(expected: string, node: NodeFacts | undefined, cluster: ClusterFacts | undefined): { verdict: Verdict } | { api: NodeObject | undefined } {
  if (!node && !cluster) return { verdict: skip({ expected, actual: 'not observed', source: 'none' }, `neither the node nor a cluster was observed; ${noClusterReason}`) };
  if (!cluster) return { api: undefined };
  if (!cluster.nodeObject.ok) return { verdict: error({ expected, actual: 'unknown', source: `Node ${cluster.node}` }, cluster.nodeObject.failure.message) };
  return { api: cluster.nodeObject.value };
}

export const evaluateAllocatableCpu = (node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict => evaluateResource('cpu', node, cluster, profile);
export const evaluateAllocatableEphemeral = (node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict => evaluateResource('ephemeral-storage', node, cluster, profile);

/** RES-6.1.4: allocatable pods = the kubelet's maxPods = the profile's. */
export function evaluateAllocatablePods(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const want = profile.kubelet.maxPods;
  const expected = `allocatable pods = maxPods = ${want}`;
  const observed = nodeObjectIfAny(expected, node, cluster);
  if ('verdict' in observed) return observed.verdict;
  const api = observed.api;
  const res = kubeletReservations(node, cluster);
  if (!res.ok) return error({ expected, actual: 'unknown', source: api ? `Node ${api.name} status.allocatable.pods` : 'kubelet settings' }, res.error);
  const source = [`kubelet settings from ${res.value.source}`, ...(api ? [`Node ${api.name} status.allocatable.pods`] : []), ...(res.value.configzNote ? [res.value.configzNote] : [])].join('; ');
  const problems: string[] = [];
  if (res.value.maxPods !== want) problems.push(`the kubelet's maxPods is ${res.value.maxPods}, the profile's ${want} (KUBELET-3.4.5)`);
  let actual = `maxPods ${res.value.maxPods}`;
  if (api) {
    const text = api.allocatable['pods'];
    const v = text === undefined ? undefined : quantityValue(text);
    if (v === undefined) problems.push('the Node reports no status.allocatable.pods');
    else if (!v.ok) return error({ expected, actual, source }, `status.allocatable.pods: ${v.error}`);
    else {
      actual += `; the API reports ${text}`;
      if (v.value !== BigInt(res.value.maxPods)) problems.push(`the API reports ${text} allocatable pods, not the kubelet's maxPods ${res.value.maxPods}: the running kubelet does not use its configuration`);
    }
  }
  return problems.length === 0 ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `${problems.join('; ')}.`);
}
