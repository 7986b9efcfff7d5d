// runc's -ENOSYS stub (libcontainer/seccomp/patchbpf, every runc since 1.0.0-rc93): before the profile's own filter,
// a syscall numbered above the highest one the profile names on that architecture gets ENOSYS, not the default action,
// so a libc can tell "too new for this filter" from "denied" and fall back (glibc's clone3 → clone).
import semver, { type SemVer } from 'semver';
import { allowingActions, ENOSYS, isOneOf } from './actions.ts';
import { syscallNumber } from './arches.ts';
import type { SeccompProfile } from './profile.ts';

export interface EnosysStub {
  /** Architecture → the highest syscall number the profile names there, for the architectures the stub covers. */
  readonly highest: ReadonlyMap<string, { readonly name: string; readonly number: number }>;
  /** Why the stub is or is not there, for verdict messages. */
  readonly why: string;
}

/** runc adds the native architecture even when the profile does not list it from 1.1.15 and 1.2.0 ("implied native architecture"). */
export const addsNativeArch = (runc: SemVer): boolean => semver.gte(runc, '1.2.0') || (runc.major === 1 && runc.minor === 1 && runc.patch >= 15);

/**
 * The stub runc builds for this profile, on a node of `nativeArch` running `runc` (undefined: unknown, assumed 1.x
 * without the implied native architecture). Undefined when runc adds no stub.
 */
export function runcEnosysStub(profile: SeccompProfile, nativeArch: string | undefined, runc: SemVer | undefined): EnosysStub | undefined {
  // generatePatch: no stub when defaultErrnoRet is already ENOSYS or the default lets calls through (ALLOW, LOG, TRACE).
  if (profile.defaultErrnoRet === ENOSYS) return undefined;
  if (isOneOf(allowingActions, profile.defaultAction) || profile.defaultAction === 'SCMP_ACT_TRACE') return undefined;
  const arches = new Set(profile.architectures);
  const implied = runc !== undefined && addsNativeArch(runc) && nativeArch !== undefined;
  if (implied) arches.add(nativeArch);
  const highest = new Map<string, { name: string; number: number }>();
  for (const arch of arches) {
    let best: { name: string; number: number } | undefined;
    for (const rule of profile.syscalls) {
      for (const { name } of rule.names) {
        const n = syscallNumber(name, arch);
        if (n !== undefined && (best === undefined || n > best.number)) best = { name, number: n };
      }
    }
    // findLastSyscalls: an architecture where no named syscall exists gets no stub section.
    if (best && best.number > 0) highest.set(arch, best);
  }
  if (highest.size === 0) return undefined;
  const version = runc ? `runc ${runc.version}` : 'runc (version unknown)';
  const scope = implied ? `the listed architectures and the native ${nativeArch}` : 'the architectures the profile lists';
  return { highest, why: `${version} answers ENOSYS for syscalls above the highest one the profile names on ${scope}` };
}

/** ENOSYS when the stub answers `name` on `arch` before the filter runs, else undefined. */
export function stubAnswers(stub: EnosysStub | undefined, name: string, arch: string | undefined): { readonly above: string; readonly number: number; readonly highest: number } | undefined {
  if (!stub || arch === undefined) return undefined;
  const top = stub.highest.get(arch);
  const n = syscallNumber(name, arch);
  if (!top || n === undefined || n <= top.number) return undefined;
  return { above: top.name, number: n, highest: top.number };
}
