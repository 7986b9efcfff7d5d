// SEC-4.2.1–4.2.4: the profiles the profile lists are installed safely, parse and resolve, deny by default, and
// let a modern libc start. Each check reads every listed profile and reports the first one that fails.
import { seccompProfilePath, securityCmd } from '../../facts/requirements-security.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { bitsBeyond, formatMode, parseMode } from '../../parse/mode.ts';
import type { Profile } from '../../profile/schema.ts';
import { archOfUname } from '../../seccomp/arches.ts';
import { describeAnswer, deniesByDefault, libcReadiness, type FilterContext } from '../../seccomp/policy.ts';
import { runcEnosysStub } from '../../seccomp/enosys-stub.ts';
import { changesMeaning } from '../../seccomp/oci-decode.ts';
import type { SeccompProfile } from '../../seccomp/profile.ts';
import { runtimeView } from '../../seccomp/runtime-view.ts';
import { cmd } from '../../facts/requirements.ts';
import { parseRuncVersion } from '../../parse/version.ts';
import { commandOutput, readFile } from '../host/evidence.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';

interface Installed {
  readonly path: string;
  readonly text: string;
}

type Loaded = { readonly ok: true; readonly installed: Installed[]; readonly missing: string[] } | { readonly ok: false; readonly verdict: Verdict };

const listed = (profile: Profile): string => profile.seccomp.profiles.map((p) => seccompProfilePath(profile, p)).join(', ');

/** The text of every listed profile, or the verdict when one cannot be read or none is installed. */
function load(facts: NodeFacts, profile: Profile, expected: string): Loaded {
  const installed: Installed[] = [];
  const missing: string[] = [];
  for (const rel of profile.seccomp.profiles) {
    const path = seccompProfilePath(profile, rel);
    const f = readFile(facts, path);
    if (f.kind === 'unknown') return { ok: false, verdict: error({ expected, actual: 'unknown', source: path }, f.reason) };
    if (f.kind === 'missing') missing.push(path);
    else installed.push({ path, text: f.text });
  }
  if (installed.length === 0) {
    return { ok: false, verdict: skip({ expected, actual: 'not installed', source: listed(profile) }, `nothing to judge: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed (SEC-4.2.1).`) };
  }
  return { ok: true, installed, missing };
}

function nativeArch(facts: NodeFacts): string | undefined {
  const m = commandOutput(facts, securityCmd.unameMachine, 'uname -m');
  return m.ok ? archOfUname(m.stdout) : undefined;
}

const missingNote = (missing: string[]): string => (missing.length ? ` (${missing.join(', ')} not installed, SEC-4.2.1)` : '');

export function profilesInstalled(facts: NodeFacts, profile: Profile): Verdict {
  const allowed = parseMode(profile.seccomp.mode);
  const expected = `${listed(profile)}: regular files owned by root, mode ${formatMode(allowed)} or stricter`;
  const source = `stat ${listed(profile)}`;
  const problems: string[] = [];
  const seen: string[] = [];
  for (const rel of profile.seccomp.profiles) {
    const path = seccompProfilePath(profile, rel);
    const f = facts.files[path];
    if (f === undefined) return error({ expected, actual: 'unknown', source }, `the probe did not read ${path}`);
    if (f.state === 'unreadable') return error({ expected, actual: 'unknown', source }, `${path} could not be examined: ${f.error}`);
    if (f.state === 'missing') {
      problems.push(`${path} is missing: install the profile's copy with \`install -D -o root -g root -m ${formatMode(allowed)} ${rel.split('/').pop()} ${path}\``);
      seen.push(`${rel}: missing`);
      continue;
    }
    seen.push(`${rel}: ${f.type}, uid ${f.uid}, mode ${formatMode(f.mode)}`);
    if (f.type !== 'file') problems.push(`${path} is a ${f.type}, not a file`);
    if (f.uid !== 0) problems.push(`${path} is owned by uid ${f.uid}, not root: \`chown root:root ${path}\``);
    const extra = bitsBeyond(f.mode, allowed);
    if (extra !== 0) problems.push(`${path} has mode ${formatMode(f.mode)}, which grants ${formatMode(extra)} beyond ${formatMode(allowed)}: \`chmod ${formatMode(allowed)} ${path}\``);
  }
  const actual = seen.join('; ');
  return problems.length === 0 ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `${problems.join('; ')}. A profile others can write changes what every pod using it may do.`);
}

export function profilesValid(facts: NodeFacts, profile: Profile): Verdict {
  const expected = 'JSON that containerd decodes without dropping rules or conditions; known actions and architectures; every syscall name exists on the listed architectures';
  const l = load(facts, profile, expected);
  if (!l.ok) return l.verdict;
  const native = nativeArch(facts);
  const notes: string[] = [];
  for (const { path, text } of l.installed) {
    const v = runtimeView(text, native ? { nativeArch: native } : {});
    if (!v.ok) {
      const consequence =
        v.stage === 'decode'
          ? 'containerd decodes a localhost/ profile into the OCI seccomp structure and fails, so every pod using it fails to start'
          : 'runc skips names it cannot resolve and refuses unknown actions, so the profile does not do what it says';
      return fail({ expected, actual: `invalid: ${v.message}`, source: path }, `${path}: ${v.message}. ${consequence}.`);
    }
    // Capability conditions first: a rule meant for CAP_SYS_ADMIN holders now applying to every pod is the escape.
    const lost = v.dropped.filter(changesMeaning).sort((a, b) => Number(b.detail.includes('caps [')) - Number(a.detail.includes('caps [')));
    if (lost.length > 0) {
      const shown = lost.slice(0, 4).map((d) => `${d.path}: ${d.detail}`);
      if (lost.length > 4) shown.push(`${lost.length - 4} more (see actual)`);
      return fail(
        { expected, actual: `containerd drops ${lost.length} field${lost.length === 1 ? '' : 's'} that change the filter: ${v.dropped.filter(changesMeaning).map((d) => d.path).join(', ')}`, source: path },
        `${path}: containerd decodes localhost/ profiles into the OCI seccomp structure, which has no Docker "name", "includes" or "excludes": ${shown.join('; ')}. Write every rule with "names", and keep capability-gated rules out of profiles for pods that do not hold those capabilities.`,
      );
    }
    const names = v.profile.syscalls.reduce((n, r) => n + r.names.length, 0);
    const ignored = v.dropped.length ? `; containerd ignores ${v.dropped.map((d) => d.path).join(', ')}${v.dropped.some((d) => d.path === 'archMap') ? ' (without archMap only the native architecture is filtered)' : ''}` : '';
    notes.push(`${path}: ${v.profile.syscalls.length} rules, ${names} names, ${v.checkedAgainst}${v.foreignNames.length ? `; ${v.foreignNames.length} names exist only on other architectures and are skipped there (${v.foreignNames.slice(0, 5).join(', ')}${v.foreignNames.length > 5 ? ', ...' : ''})` : ''}${ignored}`);
  }
  return pass({ expected, actual: 'valid', source: l.installed.map((i) => i.path).join(', ') }, `${notes.join('; ')}${missingNote(l.missing)}`);
}

/** Profiles as the runtime loads them, for the policy checks; a bad syscall name is SEC-4.2.2's to report, not a reason to stop here. */
function models(facts: NodeFacts, profile: Profile, expected: string): { ok: true; parsed: Array<{ path: string; v: { profile: SeccompProfile } }>; missing: string[] } | { ok: false; verdict: Verdict } {
  const l = load(facts, profile, expected);
  if (!l.ok) return l;
  const parsed: Array<{ path: string; v: { profile: SeccompProfile } }> = [];
  for (const { path, text } of l.installed) {
    const v = runtimeView(text, { checkNames: false });
    if (!v.ok) return { ok: false, verdict: skip({ expected, actual: 'invalid profile', source: path }, `${path} cannot be judged: ${v.message} (SEC-4.2.2).`) };
    parsed.push({ path, v });
  }
  return { ok: true, parsed, missing: l.missing };
}

/** The node's architecture and runc, which decide runc's ENOSYS stub in front of each profile. */
function filterContext(facts: NodeFacts, p: SeccompProfile): FilterContext & { runcNote: string } {
  const arch = nativeArch(facts);
  const r = facts.commands[cmd.runcVersion];
  const runc = r?.state === 'ran' && r.exitCode === 0 ? parseRuncVersion(r.stdout) : undefined;
  const stub = runcEnosysStub(p, arch, runc?.version);
  return { ...(stub ? { stub } : {}), ...(arch ? { arch } : {}), runcNote: stub ? stub.why : '' };
}

export function profilesDenyByDefault(facts: NodeFacts, profile: Profile): Verdict {
  const expected = 'defaultAction SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD or SCMP_ACT_TRAP';
  const m = models(facts, profile, expected);
  if (!m.ok) return m.verdict;
  const source = m.parsed.map((p) => p.path).join(', ');
  const actual = m.parsed.map((p) => `${p.path}: ${p.v.profile.defaultAction}`).join('; ');
  const bad = m.parsed.find((p) => !deniesByDefault(p.v.profile));
  if (!bad) return pass({ expected, actual, source }, missingNote(m.missing).trim());
  const what = bad.v.profile.defaultAction === 'SCMP_ACT_LOG' ? 'runs (and is only logged)' : 'runs';
  return fail({ expected, actual, source }, `${bad.path} has defaultAction ${bad.v.profile.defaultAction}: every syscall it does not list ${what}, so the profile is an allow-all with exceptions. Set "defaultAction": "SCMP_ACT_ERRNO".`);
}

export function profilesRunModernLibc(facts: NodeFacts, profile: Profile): Verdict {
  const expected = 'allows openat, newfstatat, getdents64, rseq, getrandom, epoll_pwait; clone3 allowed or ENOSYS';
  const m = models(facts, profile, expected);
  if (!m.ok) return m.verdict;
  const source = m.parsed.map((p) => p.path).join(', ');
  const failures: string[] = [];
  const actuals: string[] = [];
  for (const { path, v } of m.parsed) {
    const ctx = filterContext(facts, v.profile);
    const r = libcReadiness(v.profile, ctx);
    const parts: string[] = [];
    if (r.missing.length > 0) {
      const names = r.missing.map((x) => {
        const why = x.legacyAllowed.length ? `it allows only the older ${x.legacyAllowed.join(', ')}` : x.answer.from.startsWith("runc's ENOSYS stub") ? "ENOSYS from runc's stub" : '';
        return why ? `${x.name} (${why})` : x.name;
      });
      parts.push(`does not allow ${names.join(', ')}`);
    }
    if (!r.clone3Ok) parts.push(`answers clone3 with ${describeAnswer(r.clone3)}, which glibc ≥ 2.34 does not retry with clone (it falls back only on ENOSYS): pthread_create, fork and posix_spawn fail`);
    actuals.push(`${path}: ${parts.length === 0 ? 'ready' : `missing ${r.missing.map((x) => x.name).join(', ') || 'nothing'}`}; clone3 ${describeAnswer(r.clone3)}`);
    if (parts.length > 0) failures.push(`${path} ${parts.join('; it ')}`);
  }
  const actual = actuals.join('; ');
  if (failures.length === 0) return pass({ expected, actual, source }, missingNote(m.missing).trim());
  return fail({ expected, actual, source }, `${failures.join('. ')}. Workloads built on current glibc or musl fail at start or on first thread; allow the calls${m.parsed.every(({ v }) => libcReadiness(v.profile, filterContext(facts, v.profile)).clone3Ok) ? '' : ' and add {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}'}.`);
}
