// HOST-1.4.x: kernel parameters the node needs, as running now (/proc/sys) and as `sysctl --system` leaves them.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { cmd, paths, sysctlConf, sysctlDirs } from '../../facts/requirements.ts';
import { securityPaths } from '../../facts/requirements-security.ts';
import { parseKernelConfig } from '../../parse/kernel-config.ts';
import { parseKernelRelease } from '../../parse/kernel-release.ts';
import { sysctlKeyToPath, sysctlPathToKey } from '../../parse/sysctl.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { commandOutput, exists, readFile, sameSysctlValue } from './evidence.ts';
import { persistedKernelValue, sysctlSystemPlan, where, type Assignment, type SysctlSystemPlan } from './sysctl-system.ts';
import { aliasGroup, aliasNote } from './sysctl-aliases.ts';
import { bootKernelValue } from './sysctl-boot.ts';
import { defaultIsWanted, describeDefault, nodeKernelDefaults, type BootEvidence, type KernelDefault } from './sysctl-kernel-defaults.ts';
import type { Evaluator } from './types.ts';

const procPath = (key: string): string => `/proc/sys/${sysctlKeyToPath(key)}`;

type Runtime = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** The running value, or why there is none; absent net.bridge.* keys mean br_netfilter is not loaded. */
export function runtimeValue(facts: NodeFacts, key: string): Runtime {
  const s = facts.sysctls[key];
  if (s === undefined) return { ok: false, reason: `${key} was not read by the probe` };
  if (s.state === 'unreadable') return { ok: false, reason: `${procPath(key)} is unreadable: ${s.error}` };
  if (s.state === 'present') return { ok: true, value: s.value.trim() };
  if (key.startsWith('net.bridge.')) {
    const dir = exists(facts, paths.bridgeSysctlDir);
    const detail = dir === false ? `${paths.bridgeSysctlDir} does not exist` : `${procPath(key)} does not exist`;
    return { ok: false, reason: `net.bridge.* keys are absent (${detail}): br_netfilter is not loaded — run \`modprobe br_netfilter\` (HOST-1.3.2)` };
  }
  return { ok: false, reason: `${procPath(key)} does not exist: this kernel does not have ${key}` };
}

function runtimeCheck(key: string): Evaluator {
  return (facts, profile) => {
    const source = procPath(key);
    const want = profile.sysctls[key];
    if (want === undefined) return skip({ expected: 'not required', actual: 'not checked', source }, `The profile's sysctls do not list ${key}.`);
    const expected = `${key} = ${want}`;
    const r = runtimeValue(facts, key);
    if (!r.ok) return error({ expected, actual: 'unknown', source }, `Cannot read ${key}: ${r.reason}.`);
    const actual = `${key} = ${r.value}`;
    if (!sameSysctlValue(r.value, want)) {
      return fail({ expected, actual, source }, `${key} is ${r.value}, not ${want}. Set it now with \`sysctl -w ${key}=${want}\` and persist it (HOST-1.4.4).`);
    }
    return pass({ expected, actual, source });
  };
}

export const bridgeIptables: Evaluator = runtimeCheck('net.bridge.bridge-nf-call-iptables');
export const bridgeIp6tables: Evaluator = runtimeCheck('net.bridge.bridge-nf-call-ip6tables');
export const ipForward: Evaluator = runtimeCheck('net.ipv4.ip_forward');

interface PersistedCheck {
  readonly ok: boolean;
  readonly actual: string;
  readonly problem?: string;
  /** Set when no file sets the key and nothing more specific needs saying: the line to add. */
  readonly missingLine?: string;
  /** With kernel defaults: what the key holds at boot when no file sets it, and where the kernel sets that. */
  readonly bootDefault?: string;
  /** Said about a key that is right though no file sets it (its kernel default is the value wanted). */
  readonly note?: string;
  readonly source?: string;
}

/**
 * One key against the sysctl --system model: which file wins, and which file spoils a good value. Given the node's
 * `bootDefaults`, a key no file sets is judged by what the kernel initialises it to (sysctl-kernel-defaults.ts):
 * right when that is the value wanted, otherwise wrong naming that default.
 */
export function checkPersisted(plan: SysctlSystemPlan, key: string, want: string, systemd = false, bootDefaults?: Readonly<Record<string, KernelDefault>>): PersistedCheck {
  const r = persistedKernelValue(plan, key);
  const path = sysctlKeyToPath(key);
  const names = aliasGroup(path).paths;
  /** A write through the other name of the same variable says so, with the kernel table that makes it one. */
  const at = (a: Assignment): string => (a.setting.path === path || a.setting.isGlob ? where(a) : `${where(a)}, ${aliasNote(a.setting.path, path)},`);
  const shadowedGood = plan.shadowed.flatMap((s) =>
    s.settings
      .filter((x) => names.includes(x.path) && x.value !== null && sameSysctlValue(x.value, want))
      .map((x) => `${s.shadow.file.path} line ${x.line} sets it to ${want} but is hidden by ${s.shadow.by} (same file name, higher precedence)`),
  );
  const hiddenNote = shadowedGood.length > 0 ? `; ${shadowedGood.join('; ')}` : '';
  if (r.value === null || !r.winner) {
    const fine = bootDefaults ? defaultIsWanted(key, want, bootDefaults) : undefined;
    if (fine) {
      return {
        ok: true,
        actual: `${key} not set by any file (kernel default ${fine.value})`,
        note: `no file applied by sysctl --system sets ${key}, so it keeps the kernel default at boot, ${describeDefault(fine)}, which is the value wanted ("${key} = ${want}" in /etc/sysctl.d/k8s.conf would only pin it)`,
      };
    }
    const known = bootDefaults?.[key];
    const bootDefault = known ? describeDefault(known) : undefined;
    const actual = `${key} not set by any file${known ? ` (kernel default ${known.value})` : ''}`;
    if (!r.excludedBy && hiddenNote === '') return { ok: false, actual, missingLine: `${key} = ${want}`, ...(bootDefault ? { bootDefault } : {}) };
    const why = r.excludedBy ? ` (${where(r.excludedBy)} excludes it from glob settings)` : '';
    return {
      ok: false,
      actual,
      problem: `${key}: no file applied by sysctl --system sets it${why}, so it keeps the kernel default at boot${bootDefault ? `, ${bootDefault}, not ${want}` : ''}${hiddenNote} — add "${key} = ${want}" to /etc/sysctl.d/k8s.conf`,
    };
  }
  const winner = r.winner;
  const via = winner.setting.path !== path && !winner.setting.isGlob ? ` via ${sysctlPathToKey(winner.setting.path)}` : '';
  const actual = `${key} = ${r.value} (${where(winner)}${via})`;
  if (sameSysctlValue(r.value, want)) {
    const boot = systemd ? bootKernelValue(plan, key) : undefined;
    if (boot?.modelled && boot.winner && boot.value !== null && !sameSysctlValue(boot.value, want)) {
      const repeat = [...r.writes].reverse().find((a) => a !== boot.winner && a.setting.path === winner.setting.path);
      return {
        ok: false,
        actual: `${actual}; at boot ${key} = ${boot.value} (${where(boot.winner)})`,
        problem:
          `${key}: sysctl --system leaves ${want}, but at boot systemd-sysctl applies ${at(boot.winner)} = ${boot.value} last — it writes each name once, ` +
          `at the place its value was first assigned, so ${repeat ? `${where(repeat)} repeating an earlier value does not move it after` : 'the later same-value line does not move it after'} ` +
          `${where(boot.winner)}${r.alias ? ` (one variable in the kernel: ${r.alias.kernelSource})` : ''} — remove the line in ${boot.winner.file}`,
        source: boot.winner.file,
      };
    }
    return { ok: true, actual, source: winner.file };
  }
  const good = [...r.writes].reverse().find((a) => a.setting.value !== null && sameSysctlValue(a.setting.value, want));
  const aliasWhy = r.alias && winner.setting.path !== path ? ` (one variable in the kernel: ${r.alias.kernelSource})` : '';
  const override = good
    ? `${at(winner)} sets ${r.value} and overrides ${at(good)} which sets ${want} (applied later: files run in lexical order of name, ${sysctlConf} last)${aliasWhy} — change or remove the line in ${winner.file}`
    : `${at(winner)} sets ${r.value}${aliasWhy} — change it to ${want}, or add "${key} = ${want}" in a file that sorts after it (note ${sysctlConf} is applied last)`;
  return { ok: false, actual, problem: `${key}: ${override}${hiddenNote}`, source: winner.file };
}

interface PersistedResult {
  readonly verdict: Verdict;
  /** Keys right after a reboot only through their kernel default, said so (also inside a failing verdict's message). */
  readonly notes: readonly string[];
}

function persistedResult(facts: NodeFacts, wanted: Readonly<Record<string, string>>, what: string, withKernelDefaults = false): PersistedResult {
  const plan = sysctlSystemPlan(facts);
  const expected = Object.entries(wanted).map(([k, v]) => `${k} = ${v}`).join(', ');
  const bootDefaults = withKernelDefaults ? nodeKernelDefaults(bootEvidence(facts)) : undefined;
  const keyed = Object.entries(wanted).map(([k, v]) => ({ key: k, c: checkPersisted(plan, k, v, facts.systemd, bootDefaults) }));
  const checks = keyed.map(({ c }) => c);
  const files = [...new Set(checks.flatMap((c) => (c.source ? [c.source] : [])))];
  const source = files.length > 0 ? files.join(', ') : [...sysctlDirs, sysctlConf].join(', ');
  const actual = checks.map((c) => c.actual).join(', ');
  const problems = checks.flatMap((c) => (c.problem ? [c.problem] : []));
  const notes = checks.flatMap((c) => (c.note ? [c.note] : []));
  const missing = keyed.filter(({ c }) => c.missingLine);
  if (missing.length > 0) {
    const names = missing.map(({ key }) => key).join(', ');
    const defaults = missing.every(({ c }) => c.bootDefault) ? ` (${missing.map(({ key, c }) => `${key} ${c.bootDefault ?? ''}`).join('; ')}), not the value${missing.length === 1 ? '' : 's'} wanted` : '';
    problems.push(
      `no file applied by sysctl --system sets ${names}, so ${missing.length === 1 ? 'it keeps' : 'they keep'} the kernel default at boot${defaults} — add to /etc/sysctl.d/k8s.conf: ${missing.map(({ c }) => `"${c.missingLine ?? ''}"`).join(', ')}`,
    );
  }
  const wrong = keyed.filter(({ c }) => !c.ok).map(({ key }) => key);
  if (plan.unknown.length > 0) {
    return { verdict: error({ expected, actual, source }, `Cannot compute what sysctl --system applies for ${what}: ${plan.unknown.join('; ')}.`), notes };
  }
  const right = notes.length > 0 ? ` Right after reboot all the same: ${notes.join('; ')}.` : '';
  if (problems.length > 0) return { verdict: fail({ expected, actual, source }, `${wrong.length} of ${checks.length} ${what} would be wrong after reboot (${wrong.join(', ')}): ${problems.join('. ')}.${right}`), notes };
  return { verdict: pass({ expected, actual, source }, right.trim()), notes };
}

/** What the node was booted with, as far as the probe read it (what it could not read decides nothing). */
function bootEvidence(facts: NodeFacts): BootEvidence {
  const kc = commandOutput(facts, cmd.kernelConfig, 'kernel-config probe', (c) => c === 0 || c === 1);
  const cmdline = readFile(facts, securityPaths.cmdline);
  const uname = commandOutput(facts, cmd.unameRelease, 'uname -r');
  const release = uname.ok ? parseKernelRelease(uname.stdout) : undefined;
  return { ...(kc.ok ? { config: parseKernelConfig(kc.stdout) } : {}), ...(cmdline.kind === 'text' ? { cmdline: cmdline.text } : {}), ...(release ? { release } : {}) };
}

export const sysctlsPersisted: Evaluator = (facts, profile) => persistedResult(facts, profile.sysctls, 'sysctls').verdict;

export const kernelDefaultsSet: Evaluator = (facts, profile: Profile) => {
  const wanted = profile.kernelDefaults;
  const expected = Object.entries(wanted).map(([k, v]) => `${k} = ${v}`).join(', ') + ' (running and persisted)';
  if (!profile.kubelet.protectKernelDefaults) {
    return skip(
      { expected, actual: 'not checked', source: 'profile kubelet.protectKernelDefaults' },
      'The profile sets kubelet.protectKernelDefaults to false, so the kubelet does not require these kernel defaults.',
    );
  }
  const runtimeProblems: string[] = [];
  const runtimeUnknown: string[] = [];
  const runtimeActual: string[] = [];
  for (const [key, want] of Object.entries(wanted)) {
    const r = runtimeValue(facts, key);
    if (!r.ok) {
      runtimeUnknown.push(r.reason);
      runtimeActual.push(`${key} = unknown`);
    } else {
      runtimeActual.push(`${key} = ${r.value}`);
      if (!sameSysctlValue(r.value, want)) runtimeProblems.push(`${key} is ${r.value} now, not ${want} (\`sysctl -w ${key}=${want}\`)`);
    }
  }
  // A key no file sets keeps the kernel's initial value at boot: right when that is what the kubelet wants.
  const { verdict: persisted, notes } = persistedResult(facts, wanted, 'kernel defaults', true);
  const actual = `running: ${runtimeActual.join(', ')}; persisted: ${persisted.actual}`;
  const source = `/proc/sys, ${persisted.source}`;
  const problems = [...runtimeProblems, ...(persisted.status === 'fail' ? [persisted.message.replace(/\.$/, '')] : [])];
  const trap = 'With protectKernelDefaults on, the kubelet refuses to start while any of these differ.';
  if (problems.length > 0) {
    const unverified = runtimeUnknown.length > 0 || persisted.status === 'error' ? ` Also unverified: ${[...runtimeUnknown, ...(persisted.status === 'error' ? [persisted.message] : [])].join('; ')}.` : '';
    // A failing persisted verdict already carries the notes; with only runtime problems they are added here.
    const right = persisted.status !== 'fail' && notes.length > 0 ? ` Right after reboot all the same: ${notes.join('; ')}.` : '';
    return fail({ expected, actual, source }, `${problems.join('. ')}. ${trap}${unverified}${right}`);
  }
  if (runtimeUnknown.length > 0 || persisted.status === 'error') {
    return error({ expected, actual, source }, [...runtimeUnknown, ...(persisted.status === 'error' ? [persisted.message] : [])].join('; '));
  }
  return pass({ expected, actual, source }, persisted.message);
};
