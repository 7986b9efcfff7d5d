// What the node's seccomp profile says a syscall gets (unshare(2) for the denial, httpd's own for the workload), read
// from the profile's JSON as runc applies it: the first unconditional rule naming the syscall, else the default
// action; ERRNO without errnoRet is EPERM in runc.

export type UnshareExpectation =
  | { readonly kind: 'errno'; readonly errno: number; readonly from: string }
  | { readonly kind: 'signal'; readonly action: string; readonly from: string }
  | { readonly kind: 'allowed'; readonly from: string }
  | { readonly kind: 'unreadable'; readonly reason: string };

interface ProfileRule {
  readonly names?: unknown;
  readonly name?: unknown;
  readonly action?: unknown;
  readonly errnoRet?: unknown;
  readonly args?: unknown;
}

const EPERM = 1;

function fromAction(action: string, errnoRet: unknown, from: string): UnshareExpectation {
  if (action === 'SCMP_ACT_ERRNO') return { kind: 'errno', errno: typeof errnoRet === 'number' ? errnoRet : EPERM, from };
  if (/^SCMP_ACT_(KILL|KILL_PROCESS|KILL_THREAD|TRAP)$/.test(action)) return { kind: 'signal', action, from };
  return { kind: 'allowed', from };
}

/** What the profile answers unshare(2) with. */
export const unshareExpectation = (profileText: string): UnshareExpectation => syscallExpectation(profileText, 'unshare');

/** What the profile answers one syscall with. */
export function syscallExpectation(profileText: string, syscall: string): UnshareExpectation {
  let json: unknown;
  try {
    json = JSON.parse(profileText);
  } catch (err) {
    return { kind: 'unreadable', reason: `the profile is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof json !== 'object' || json === null) return { kind: 'unreadable', reason: 'the profile is not a JSON object' };
  const p = json as { defaultAction?: unknown; defaultErrnoRet?: unknown; syscalls?: unknown };
  if (typeof p.defaultAction !== 'string') return { kind: 'unreadable', reason: 'the profile has no defaultAction' };
  const rules = Array.isArray(p.syscalls) ? (p.syscalls as ProfileRule[]) : [];
  for (const [i, rule] of rules.entries()) {
    const names = Array.isArray(rule.names) ? rule.names : typeof rule.name === 'string' ? [rule.name] : [];
    if (!names.includes(syscall)) continue;
    if (Array.isArray(rule.args) && rule.args.length > 0) {
      return { kind: 'unreadable', reason: `syscalls[${i}] allows or denies ${syscall} only for some arguments; nodegate tests an unconditional rule` };
    }
    if (typeof rule.action !== 'string') return { kind: 'unreadable', reason: `syscalls[${i}] has no action` };
    return fromAction(rule.action, rule.errnoRet, `syscalls[${i}] ${rule.action}`);
  }
  return fromAction(p.defaultAction, p.defaultErrnoRet, `defaultAction ${p.defaultAction}`);
}

/** strerror(3) texts (glibc and busybox print the same) for the errnos a profile plausibly returns. */
const errnoText: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  13: 'Permission denied',
  22: 'Invalid argument',
  38: 'Function not implemented',
  95: 'Operation not supported',
};

export const errnoMessage = (errno: number): string | undefined => errnoText[errno];

/**
 * The syscalls busybox httpd makes while serving one request and busybox nc makes fetching it, as strace(1) showed
 * for Debian 12's busybox-static 1.35 (`strace -f busybox httpd -f -p 127.0.0.1:PORT`, then `nc` with a GET).
 * alarm(2) is left out: httpd arms a header timeout with it and ignores its result, so a denial changes nothing.
 */
export const httpSyscalls = [
  'accept', 'bind', 'brk', 'chdir', 'clone', 'close', 'connect', 'dup2', 'execve', 'exit_group', 'listen', 'lseek',
  'mprotect', 'newfstatat', 'openat', 'poll', 'read', 'rt_sigaction', 'sendfile', 'setsockopt', 'shutdown', 'socket',
  'write',
] as const;

/** Which of httpd's and nc's syscalls the profile does not allow, each with the rule that decides it. */
export function deniedHttpSyscalls(profileText: string): string[] {
  const denied: string[] = [];
  for (const name of httpSyscalls) {
    const e = syscallExpectation(profileText, name);
    if (e.kind === 'errno' || e.kind === 'signal') denied.push(`${name} (${e.from})`);
  }
  return denied;
}
