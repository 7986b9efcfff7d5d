// Builds replayable NodeFacts for unit tests: a compliant node by default, then one drift at a time.
import type { CommandFact, DirFact, FileFact, NodeFacts, SysctlFact } from '../../src/facts/types.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const file = (content: string, mode = 0o644, uid = 0, gid = 0): FileFact => ({
  state: 'present',
  type: 'file',
  mode,
  uid,
  gid,
  size: Buffer.byteLength(content),
  content,
});
export const socket = (mode: number, uid = 0, gid = 0): FileFact => ({ state: 'present', type: 'socket', mode, uid, gid, size: 0 });
export const directory = (mode = 0o755): FileFact => ({ state: 'present', type: 'directory', mode, uid: 0, gid: 0, size: 4096 });
export const missing: FileFact = { state: 'missing' };
export const ran = (stdout: string, exitCode = 0, stderr = ''): CommandFact => ({ state: 'ran', exitCode, stdout, stderr });
export const notFound: CommandFact = { state: 'not-found', stderr: 'sh: 1: command not found' };
export const sysctl = (value: string): SysctlFact => ({ state: 'present', value });

const containerdConfigV2 = `version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".containerd]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            SystemdCgroup = true
`;

/** A node in the documented state of the guide and the default profile. */
export function compliantFacts(): NodeFacts {
  const files: Record<string, FileFact> = {
    '/etc/hostname': file('worker-01\n'),
    '/etc/hosts': file('127.0.0.1 localhost\n10.0.0.10 control-plane\n10.0.0.20 worker-01\n'),
    '/etc/os-release': file('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'),
    '/usr/lib/os-release': missing,
    '/proc/swaps': file('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n', 0o444),
    '/etc/fstab': file('UUID=1234 / ext4 defaults 0 1\n#/swap.img\tnone\tswap\tsw\t0\t0\n'),
    '/etc/systemd/zram-generator.conf': missing,
    '/run/systemd/zram-generator.conf': missing,
    '/usr/local/lib/systemd/zram-generator.conf': missing,
    '/usr/lib/systemd/zram-generator.conf': missing,
    '/proc/filesystems': file('nodev\tsysfs\nnodev\tproc\nnodev\toverlay\n\text4\n', 0o444),
    '/proc/modules': file('br_netfilter 32768 0 - Live 0x0000000000000000\noverlay 151552 0 - Live 0x0000000000000000\n', 0o444),
    '/sys/module/overlay': directory(),
    '/sys/module/br_netfilter': directory(),
    '/proc/sys/net/bridge': directory(0o555),
    '/etc/modules-load.d/k8s.conf': file('overlay\nbr_netfilter\n'),
    '/etc/modules': missing,
    '/etc/sysctl.d/k8s.conf': file(
      'net.bridge.bridge-nf-call-iptables  = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward                 = 1\n',
    ),
    '/etc/sysctl.d/90-kubelet.conf': file(
      'vm.overcommit_memory = 1\nvm.panic_on_oom = 0\nkernel.panic = 10\nkernel.panic_on_oops = 1\nkernel.keys.root_maxkeys = 1000000\nkernel.keys.root_maxbytes = 25000000\n',
    ),
    '/etc/sysctl.conf': file('# /etc/sysctl.conf - Configuration file for setting system variables\n'),
    '/etc/containerd/config.toml': file(containerdConfigV2),
    '/run/containerd/containerd.sock': socket(0o660),
  };
  const dirs: Record<string, DirFact> = {
    '/etc/modules-load.d': { state: 'present', entries: ['k8s.conf'] },
    '/run/modules-load.d': { state: 'missing' },
    '/usr/local/lib/modules-load.d': { state: 'missing' },
    '/usr/lib/modules-load.d': { state: 'present', entries: [] },
    '/lib/modules-load.d': { state: 'present', entries: [] },
    '/etc/sysctl.d': { state: 'present', entries: ['90-kubelet.conf', 'k8s.conf'] },
    '/run/sysctl.d': { state: 'missing' },
    '/usr/local/lib/sysctl.d': { state: 'missing' },
    '/usr/lib/sysctl.d': { state: 'present', entries: [] },
    '/lib/sysctl.d': { state: 'present', entries: [] },
  };
  const commands: Record<string, CommandFact> = {
    hostname: ran('worker-01\n'),
    'uname-r': ran('6.8.0-45-generic\n'),
    'kernel-config': ran('# source: /boot/config-6.8.0-45-generic\nCONFIG_MODULES=y\nCONFIG_OVERLAY_FS=m\nCONFIG_BRIDGE_NETFILTER=m\nCONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n'),
    'modules-builtin': ran('# source: /lib/modules/6.8.0-45-generic/modules.builtin\nkernel/fs/ext4/ext4.ko\n'),
    'swap-units': ran(''),
    'swap-unit-files': ran(''),
    'containerd-is-active': ran('active\n'),
    'containerd-is-enabled': ran('enabled\n'),
    'containerd-journal': ran(''),
    'containerd-version': ran('containerd containerd.io 2.1.5 fcd43222d6b07379a4be9786bda52438f0dd16a1\n'),
    'ctr-version': ran('Client:\n  Version:  2.1.5\n  Revision: fcd43222\n  Go version: go1.24.9\n\nServer:\n  Version:  2.1.5\n  Revision: fcd43222\n  UUID: 5c1c9c1b-1111-2222-3333-444455556666\n'),
    'runc-version': ran('runc version 1.3.3\ncommit: v1.3.3-0-gd842d771\nspec: 1.2.1\ngo: go1.24.9\nlibseccomp: 2.5.5\n'),
  };
  const sysctls: Record<string, SysctlFact> = {
    'net.bridge.bridge-nf-call-iptables': sysctl('1'),
    'net.bridge.bridge-nf-call-ip6tables': sysctl('1'),
    'net.ipv4.ip_forward': sysctl('1'),
    'vm.overcommit_memory': sysctl('1'),
    'vm.panic_on_oom': sysctl('0'),
    'kernel.panic': sysctl('10'),
    'kernel.panic_on_oops': sysctl('1'),
    'kernel.keys.root_maxkeys': sysctl('1000000'),
    'kernel.keys.root_maxbytes': sysctl('25000000'),
  };
  return {
    format: 'nodegate-facts/1',
    node: 'worker-01',
    target: 'test:compliant',
    gatheredAt: '2026-11-27T00:00:00.000Z',
    probe: { roundTrips: 1, durationMs: 1, uid: 0, sudo: false },
    systemd: true,
    files,
    dirs,
    commands,
    sysctls,
  };
}

/** A copy of the facts with some parts replaced: one drift per test. */
export function drift(
  base: NodeFacts,
  change: {
    files?: Record<string, FileFact>;
    dirs?: Record<string, DirFact>;
    commands?: Record<string, CommandFact>;
    sysctls?: Record<string, SysctlFact>;
    systemd?: boolean;
  },
): NodeFacts {
  const next: Mutable<NodeFacts> = { ...base };
  next.files = { ...base.files, ...change.files };
  next.dirs = { ...base.dirs, ...change.dirs };
  next.commands = { ...base.commands, ...change.commands };
  next.sysctls = { ...base.sysctls, ...change.sysctls };
  if (change.systemd !== undefined) next.systemd = change.systemd;
  return next;
}
