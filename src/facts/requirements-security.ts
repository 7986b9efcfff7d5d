// What the static SEC checks need from a node, as probe requests; the kernel config itself comes from
// hostAndRuntimeRequests (command `kernel-config`), which SEC-4.1.1 shares.
import type { Profile } from '../profile/schema.ts';
import type { ProbeRequest } from './requirements.ts';

export const securityCmd = {
  unameMachine: 'uname-m',
} as const;

export const securityPaths = {
  /** The probe's own `cat` reports its seccomp mode here; the line exists only when the kernel has CONFIG_SECCOMP. */
  procStatus: '/proc/self/status',
  apparmorEnabled: '/sys/module/apparmor/parameters/enabled',
  apparmorProfiles: '/sys/kernel/security/apparmor/profiles',
  /** Active LSMs in order, to say why AppArmor is off. */
  lsm: '/sys/kernel/security/lsm',
  cmdline: '/proc/cmdline',
  /** containerd's runc v2 shim keeps one directory per running CRI container here. */
  criTasks: '/run/containerd/io.containerd.runtime.v2.task/k8s.io',
} as const;

/** Where the profile expects each seccomp profile on the node. */
export const seccompProfilePath = (profile: Profile, relative: string): string => `${profile.seccomp.root.replace(/\/+$/, '')}/${relative}`;

export function securityRequests(profile: Profile): ProbeRequest[] {
  return [
    { kind: 'command', name: securityCmd.unameMachine, argv: ['uname', '-m'] },
    { kind: 'file', path: securityPaths.procStatus },
    { kind: 'file', path: securityPaths.apparmorEnabled },
    { kind: 'file', path: securityPaths.apparmorProfiles },
    { kind: 'file', path: securityPaths.lsm },
    { kind: 'file', path: securityPaths.cmdline },
    { kind: 'dir', path: securityPaths.criTasks, glob: '*' },
    ...profile.seccomp.profiles.map((p): ProbeRequest => ({ kind: 'file', path: seccompProfilePath(profile, p) })),
  ];
}
