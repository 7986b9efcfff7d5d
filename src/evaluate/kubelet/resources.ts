// KUBELET-3.4.1–3.4.5: reservations, eviction thresholds and the pod cap, compared as quantities, percentages
// and durations (1Gi = 1024Mi, 1m30s = 90s), never as strings.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { parseDuration } from '../../kubelet/duration.ts';
import { describeWinner } from '../../kubelet/effective.ts';
import type { Typed } from '../../kubelet/fields.ts';
import { parseQuantity, parseThreshold, sameThreshold } from '../../kubelet/quantity.ts';
import { error, type Verdict } from '../verdict.ts';
import { configSource, effective, settingVerdict } from './evidence.ts';

type Kind = 'quantity' | 'threshold' | 'duration';

/** Equal as typed values; undefined when either side does not parse (the text says which). */
function sameValue(kind: Kind, a: string, b: string): boolean | string {
  if (kind === 'quantity') {
    const x = parseQuantity(a);
    const y = parseQuantity(b);
    if (!x.ok) return x.error;
    if (!y.ok) return y.error;
    return x.nano === y.nano;
  }
  if (kind === 'threshold') {
    const x = parseThreshold(a);
    const y = parseThreshold(b);
    if (!x.ok) return x.error;
    if (!y.ok) return y.error;
    return sameThreshold(x.value, y.value);
  }
  const x = parseDuration(a);
  const y = parseDuration(b);
  if (!x.ok) return x.error;
  if (!y.ok) return y.error;
  return x.ns === y.ns;
}

/** Problems of a map setting against the profile's keys (extra keys are allowed). */
function mapProblems(v: Typed | undefined, want: Readonly<Record<string, string>>, kind: Kind): string[] {
  const have = v?.type === 'map' ? v.value : {};
  const out: string[] = [];
  for (const [k, w] of Object.entries(want)) {
    const h = have[k];
    if (h === undefined) {
      out.push(`${k} is not set (want ${w})`);
      continue;
    }
    const same = sameValue(kind, h, w);
    if (typeof same === 'string') out.push(`${k}: ${same}`);
    else if (!same) out.push(`${k} is ${h}, want ${w}`);
  }
  return out;
}

const mapCheck = (field: 'systemReserved' | 'kubeReserved' | 'evictionHard', kind: Kind, consequence: string) => (facts: NodeFacts, profile: Profile): Verdict => {
  const want = profile.kubelet[field];
  const expected = `${field} ${Object.entries(want).map(([k, v]) => `${k}=${v}`).join(', ')}`;
  return settingVerdict(facts, field, expected, (v) => {
    const p = mapProblems(v, want, kind);
    return p.length === 0 ? null : `${p.join('; ')}. ${consequence}`;
  });
};

export const evaluateSystemReserved = mapCheck('systemReserved', 'quantity', 'Without it the node\'s OS daemons compete with pods for memory and CPU.');
export const evaluateKubeReserved = mapCheck('kubeReserved', 'quantity', 'Without it the kubelet and containerd compete with pods for memory and CPU.');
export const evaluateEvictionHard = mapCheck('evictionHard', 'threshold', 'The kernel OOM killer, not the kubelet, then decides what dies under pressure.');

export function evaluateEvictionSoft(facts: NodeFacts, profile: Profile): Verdict {
  const want = profile.kubelet.evictionSoft;
  const grace = profile.kubelet.evictionSoftGracePeriod;
  const expected = `evictionSoft ${Object.entries(want).map(([k, v]) => `${k}=${v}`).join(', ')}; grace periods ${Object.entries(grace).map(([k, v]) => `${k}=${v}`).join(', ')}`;
  const soft = settingVerdict(facts, 'evictionSoft', expected, (v) => {
    const p = mapProblems(v, want, 'threshold');
    return p.length === 0 ? null : p.join('; ');
  });
  if (soft.status === 'error') return soft;
  const eff = effective(facts);
  const graceSetting = eff.setting('evictionSoftGracePeriod');
  const softSetting = eff.setting('evictionSoft');
  if (graceSetting.error) return { ...soft, status: 'fail', message: `${soft.message} ${graceSetting.error}`.trim() };
  const gp = mapProblems(graceSetting.value, grace, 'duration');
  // The kubelet refuses any soft threshold without a grace period, profile-listed or not.
  const signals = softSetting.value?.type === 'map' ? Object.keys(softSetting.value.value) : [];
  const have = graceSetting.value?.type === 'map' ? graceSetting.value.value : {};
  for (const s of signals) if (have[s] === undefined && grace[s] === undefined) gp.push(`${s} has a soft threshold but no grace period: the kubelet refuses to start`);
  const actual = `${soft.actual}; evictionSoftGracePeriod = ${describeWinner(graceSetting)}`;
  if (soft.status === 'pass' && gp.length === 0) return { ...soft, actual };
  const message = [soft.status === 'fail' ? soft.message : '', gp.length ? `evictionSoftGracePeriod: ${gp.join('; ')}.` : ''].filter(Boolean).join(' ');
  return { ...soft, status: 'fail', actual, message };
}

export function evaluateMaxPods(facts: NodeFacts, profile: Profile): Verdict {
  const want = profile.kubelet.maxPods;
  if (!Number.isInteger(want)) return error({ expected: `maxPods = ${want}`, actual: 'unknown', source: configSource(effective(facts)) }, 'the profile maxPods is not an integer');
  return settingVerdict(facts, 'maxPods', `maxPods = ${want}`, (v) => (v?.type === 'int' && v.value === want ? null : `the profile caps pods at ${want}`));
}
