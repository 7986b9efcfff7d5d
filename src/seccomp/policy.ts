// What a validated profile does to particular syscalls: SEC-4.2.3's default and SEC-4.2.4's modern-libc needs.
import { allowingActions, defaultErrno, denyingDefaults, ENOSYS, errnoName, isOneOf } from './actions.ts';
import { stubAnswers, type EnosysStub } from './enosys-stub.ts';
import type { SeccompProfile, SeccompRule } from './profile.ts';

/**
 * What glibc ≥ 2.34 and musl call on every start or every directory listing, with the legacy call a profile
 * written for older libcs allows instead. clone3 is judged apart: ENOSYS makes glibc fall back to clone.
 */
export const modernLibcSyscalls: ReadonlyArray<{ readonly name: string; readonly legacy: readonly string[] }> = [
  { name: 'openat', legacy: ['open'] },
  { name: 'newfstatat', legacy: ['stat', 'lstat', 'fstat'] },
  { name: 'getdents64', legacy: ['getdents'] },
  { name: 'rseq', legacy: [] },
  { name: 'getrandom', legacy: [] },
  { name: 'epoll_pwait', legacy: ['epoll_wait'] },
];

export { ENOSYS } from './actions.ts';

/** How the filter answers one syscall, for a container without added capabilities. */
export interface Answer {
  readonly action: string;
  readonly errno?: number;
  /** Where that came from: the rule's JSON path, or "defaultAction". */
  readonly from: string;
  /** The allowing rule only matches some argument values. */
  readonly conditional: boolean;
}

/**
 * Rules gated on a capability (Docker's includes.caps) do not apply to a pod that drops ALL — in Docker's reading.
 * A profile as containerd loads it (oci-decode.ts) has no includes left, so there every rule applies.
 */
const appliesUnprivileged = (r: SeccompRule): boolean => r.includes.caps.length === 0;

/** Where the filter runs: runc's ENOSYS stub and the node's architecture, when known. */
export interface FilterContext {
  readonly stub?: EnosysStub;
  readonly arch?: string;
}

export function answerFor(profile: SeccompProfile, name: string, ctx: FilterContext = {}): Answer {
  // The stub runs before the filter: a call numbered above every named one never reaches the rules or the default.
  const above = stubAnswers(ctx.stub, name, ctx.arch);
  if (above) return { action: 'SCMP_ACT_ERRNO', errno: ENOSYS, from: `runc's ENOSYS stub (${name} is ${above.number} on ${ctx.arch}, above ${above.above} = ${above.highest}, the highest the profile names)`, conditional: false };
  const rules = profile.syscalls.filter((r) => appliesUnprivileged(r) && r.names.some((n) => n.name === name));
  const allow = rules.find((r) => isOneOf(allowingActions, r.action));
  const deny = rules.find((r) => !isOneOf(allowingActions, r.action) && r.args.length === 0);
  // An unconditional denial beats a conditional allow; otherwise the allow is the answer for the calls libc makes.
  const rule = deny && (!allow || allow.args.length > 0) ? deny : (allow ?? rules[0]);
  if (rule) {
    const errno = rule.action === 'SCMP_ACT_ERRNO' ? (rule.errnoRet ?? profile.defaultErrnoRet ?? defaultErrno) : undefined;
    return { action: rule.action, from: rule.path, conditional: rule.args.length > 0, ...(errno === undefined ? {} : { errno }) };
  }
  const errno = profile.defaultAction === 'SCMP_ACT_ERRNO' ? (profile.defaultErrnoRet ?? defaultErrno) : undefined;
  return { action: profile.defaultAction, from: 'defaultAction', conditional: false, ...(errno === undefined ? {} : { errno }) };
}

export const isAllowed = (a: Answer): boolean => isOneOf(allowingActions, a.action);

export function describeAnswer(a: Answer): string {
  if (isAllowed(a)) return a.conditional ? `allowed for some arguments (${a.from})` : `allowed (${a.from})`;
  if (a.errno !== undefined) return `${errnoName(a.errno)} (${a.action} from ${a.from})`;
  return `${a.action} (${a.from})`;
}

export const deniesByDefault = (profile: SeccompProfile): boolean => isOneOf(denyingDefaults, profile.defaultAction);

export interface LibcReadiness {
  readonly missing: ReadonlyArray<{ readonly name: string; readonly answer: Answer; readonly legacyAllowed: readonly string[] }>;
  readonly clone3: Answer;
  readonly clone3Ok: boolean;
}

export function libcReadiness(profile: SeccompProfile, ctx: FilterContext = {}): LibcReadiness {
  const missing = modernLibcSyscalls
    .map(({ name, legacy }) => ({ name, answer: answerFor(profile, name, ctx), legacyAllowed: legacy.filter((l) => isAllowed(answerFor(profile, l, ctx))) }))
    .filter((m) => !isAllowed(m.answer));
  const clone3 = answerFor(profile, 'clone3', ctx);
  return { missing, clone3, clone3Ok: isAllowed(clone3) || clone3.errno === ENOSYS };
}
