// SEC-4.1.* and SEC-4.2.1–4.2.4 of the catalog (docs/catalog.md): seccomp and AppArmor as the node holds them.
import { checkIn, type CheckDeclaration } from './types.ts';

const security = checkIn('security');

export const securityChecks: readonly CheckDeclaration[] = [
  security({
    id: 'SEC-4.1.1',
    title: 'Kernel supports seccomp filters',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    remediation: 'Boot a kernel built with CONFIG_SECCOMP=y and CONFIG_SECCOMP_FILTER=y (every distribution kernel is).',
  }),
  security({
    id: 'SEC-4.1.2',
    title: 'AppArmor is enabled',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    remediation:
      'Remove apparmor=0 (and any lsm= list without apparmor) from the kernel command line, reboot, and load the profiles: `systemctl enable --now apparmor`.',
  }),
  security({
    id: 'SEC-4.1.3',
    title: "containerd's AppArmor profile confines containers",
    threat: 'container-escape',
    level: 'advisory',
    fix: 'manual',
    remediation:
      'Keep AppArmor enabled before containerd starts and do not disable it in the CRI config (disable_apparmor = false); containerd loads cri-containerd.apparmor.d in enforce mode for the first container.',
  }),
  security({
    id: 'SEC-4.2.1',
    title: 'Custom seccomp profile is installed',
    threat: 'container-escape',
    level: 'required',
    fix: 'auto',
    remediation:
      'Install each profile of seccomp.profiles under seccomp.root (default /var/lib/kubelet/seccomp/profiles/web-app.json), owned by root with mode 0644 or stricter: `install -o root -g root -m 0644 web-app.json /var/lib/kubelet/seccomp/profiles/`.',
  }),
  security({
    id: 'SEC-4.2.2',
    title: 'Seccomp profile is valid',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    remediation:
      'Fix the entry the message names: a known SCMP_ACT_* action, a known SCMP_ARCH_* architecture, and only syscall names that exist on every listed architecture (runc silently ignores the others).',
  }),
  security({
    id: 'SEC-4.2.3',
    title: 'Seccomp profile denies by default',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    remediation: 'Set "defaultAction" to SCMP_ACT_ERRNO (or a KILL/TRAP action) and allow only what the workload needs.',
  }),
  security({
    id: 'SEC-4.2.4',
    title: 'Seccomp profile can run a modern libc',
    threat: 'availability',
    level: 'advisory',
    fix: 'manual',
    remediation:
      'Allow openat, newfstatat, getdents64, rseq, getrandom and epoll_pwait, and allow clone3 or answer it with ENOSYS ({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}) so glibc ≥ 2.34 falls back to clone.',
  }),
];
