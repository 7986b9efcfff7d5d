// The action, comparison and flag names a runtime accepts in a seccomp profile (OCI runtime-spec config-linux,
// which Docker's and containerd's loaders share), and what each action does to the calling process.

export const knownActions = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;

export const knownOperators = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;

export const knownFlags = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] as const;

/** Default actions that refuse what the profile does not list (SEC-4.2.3); LOG and ALLOW let it through. */
export const denyingDefaults = ['SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP'] as const;

/** Actions that let the call run. */
export const allowingActions = ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG'] as const;

/** The errno glibc and musl treat as "this kernel or filter does not know the call". */
export const ENOSYS = 38;

/** runc answers SCMP_ACT_ERRNO with EPERM when neither errnoRet nor defaultErrnoRet says otherwise. */
export const defaultErrno = 1;

const errnoNames: Readonly<Record<number, string>> = { 1: 'EPERM', 13: 'EACCES', 38: 'ENOSYS', 22: 'EINVAL' };
export const errnoName = (n: number): string => errnoNames[n] ?? `errno ${n}`;

export const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
