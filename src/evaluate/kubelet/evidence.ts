// Shared reading of kubelet evidence: the effective configuration (computed once per facts object), the runner
// and /configz seams, and the verdict for "this effective setting must satisfy that".
import type { NodeFacts } from '../../facts/types.ts';
import type { FileFact } from '../../facts/types.ts';
import { effectiveConfig, describeDisagreement, describeWinner, type EffectiveConfig, type Setting } from '../../kubelet/effective.ts';
import type { Typed } from '../../kubelet/fields.ts';
import { bitsBeyond, formatMode } from '../../parse/mode.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';

export type { RunnerFacts } from '../../facts/types.ts';
export const runnerFacts = (facts: NodeFacts) => facts.runner;

const cache = new WeakMap<NodeFacts, EffectiveConfig>();
export function effective(facts: NodeFacts): EffectiveConfig {
  const hit = cache.get(facts);
  if (hit) return hit;
  const configz = facts.configz;
  const eff = effectiveConfig(facts, configz ? { configz } : {});
  cache.set(facts, eff);
  return eff;
}

/** Where a setting was read, as a verdict's source. */
export function settingSource(eff: EffectiveConfig, s: Setting): string {
  if (s.winner.kind === 'cmdline') return `cmdline (${eff.commandLine?.source ?? 'unknown'})`;
  if (s.winner.kind === 'default') {
    const file = eff.configFile ? `no key in ${eff.configFile.path}` : 'no --config file';
    return `default (${file}, no --${s.flag ?? s.field} flag)`;
  }
  return s.winner.label;
}

export const configSource = (eff: EffectiveConfig): string =>
  eff.configz ? 'configz' : [eff.commandLine?.source ?? 'no kubelet command line', eff.configFile?.path].filter(Boolean).join(' + ');

/**
 * A setting judged by `judge`: it returns null when the value is compliant, else the sentence saying why not.
 * Unusable evidence is an error; a value the kubelet would refuse is a failure.
 */
export function settingVerdict(facts: NodeFacts, field: string, expected: string, judge: (v: Typed | undefined) => string | null, fix = ''): Verdict {
  const eff = effective(facts);
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const s = eff.setting(field);
  const source = settingSource(eff, s);
  const layers = describeDisagreement(s);
  if (s.error !== undefined) return fail({ expected, actual: s.winner.raw, source }, [s.error, layers].filter(Boolean).join(' '));
  const actual = `${field} = ${describeWinner(s)}`;
  const why = judge(s.value);
  // Reports print no message for a pass, so an overridden layer travels in `actual` where JUnit and the console show it.
  if (why === null) return pass({ expected, actual: layers ? `${actual}. ${layers}` : actual, source }, layers);
  return fail({ expected, actual, source }, [`${field} is ${describeWinner(s)}: ${why}`, layers, fix].filter(Boolean).join(' '));
}

/** "mode 0600 or stricter, root:root" for one stat'ed file: null when it complies, else the problem. */
export function permProblem(path: string, f: FileFact, allowed: number): string | null {
  if (f.state !== 'present') return null;
  const problems: string[] = [];
  const extraBits = bitsBeyond(f.mode, allowed);
  if (extraBits !== 0) problems.push(`mode ${formatMode(f.mode)} grants ${formatMode(extraBits)} beyond ${formatMode(allowed)}`);
  if (f.uid !== 0 || f.gid !== 0) problems.push(`owner ${f.uid}:${f.gid}, not root:root (0:0)`);
  return problems.length ? `${path}: ${problems.join(', ')}` : null;
}

export const describePerm = (f: FileFact): string => (f.state === 'present' ? `${formatMode(f.mode)} ${f.uid}:${f.gid}` : f.state);
