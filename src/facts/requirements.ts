// What the static HOST and RT checks need from a node, as data the probe script is compiled from.
import type { Profile } from '../profile/schema.ts';
import { unitStateScript } from '../kubelet/systemd-state.ts';

/** Read a file: stat it and keep its text (or only a hash when `secret`). */
export interface FileRequest {
  readonly kind: 'file';
  readonly path: string;
  readonly secret?: boolean;
}
/** Stat only (sockets, /sys entries): type, mode, owner, no content. */
export interface StatRequest {
  readonly kind: 'stat';
  readonly path: string;
}
/** List a directory's entries matching a glob and read each as a FileRequest. */
export interface DirRequest {
  readonly kind: 'dir';
  readonly path: string;
  readonly glob: string;
}
/** Run a fixed program with quoted arguments. */
export interface CommandRequest {
  readonly kind: 'command';
  readonly name: string;
  readonly argv: readonly string[];
  readonly timeoutSeconds?: number;
  /** Only meaningful where systemd is PID 1; elsewhere recorded as skipped instead of run. */
  readonly needsSystemd?: boolean;
  /** Only run when this unix socket exists; a client dialing a missing socket just waits out its timeout. */
  readonly needsSocket?: string;
}
/**
 * Run a snippet of POSIX sh authored in this repository (never built from profile or node values):
 * for evidence whose path is only known on the node, such as /boot/config-$(uname -r).
 */
export interface ScriptRequest {
  readonly kind: 'script';
  readonly name: string;
  readonly script: string;
  /** A program the snippet relies on: when the node lacks it, the output is recorded as not-found. */
  readonly requires?: string;
}
/** Read the runtime value of a sysctl from /proc/sys. */
export interface SysctlRequest {
  readonly kind: 'sysctl';
  readonly key: string;
}

export type ProbeRequest = FileRequest | StatRequest | DirRequest | CommandRequest | ScriptRequest | SysctlRequest;

/** Names under which command and script outputs land in NodeFacts.commands. */
export const cmd = {
  hostname: 'hostname',
  unameRelease: 'uname-r',
  kernelConfig: 'kernel-config',
  modulesBuiltin: 'modules-builtin',
  swapUnits: 'swap-units',
  swapUnitFiles: 'swap-unit-files',
  containerdActive: 'containerd-is-active',
  containerdEnabled: 'containerd-is-enabled',
  containerdJournal: 'containerd-journal',
  /** Kernel OOM kills this boot (RES-6.3.1's diagnosis under MemoryPressure). */
  kernelOomJournal: 'kernel-oom-journal',
  containerdState: 'containerd-unit-state',
  containerdVersion: 'containerd-version',
  ctrVersion: 'ctr-version',
  runcVersion: 'runc-version',
} as const;

/** systemd-sysctl's search path, highest precedence first; /etc/sysctl.conf is applied last by sysctl --system. */
export const sysctlDirs = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const;
export const sysctlConf = '/etc/sysctl.conf';
/** systemd-modules-load's search path, highest precedence first; Debian's /etc/modules is read too. */
export const modulesLoadDirs = [
  '/etc/modules-load.d',
  '/run/modules-load.d',
  '/usr/local/lib/modules-load.d',
  '/usr/lib/modules-load.d',
  '/lib/modules-load.d',
] as const;
export const etcModules = '/etc/modules';
/** zram-generator's main config, in the order it looks for the first that exists (src/config.rs locate_fragments). */
export const zramGeneratorConfigs = [
  '/run/systemd/zram-generator.conf',
  '/etc/systemd/zram-generator.conf',
  '/usr/local/lib/systemd/zram-generator.conf',
  '/usr/lib/systemd/zram-generator.conf',
] as const;

export const paths = {
  hostname: '/etc/hostname',
  hosts: '/etc/hosts',
  osRelease: '/etc/os-release',
  osReleaseFallback: '/usr/lib/os-release',
  fstab: '/etc/fstab',
  swaps: '/proc/swaps',
  filesystems: '/proc/filesystems',
  procModules: '/proc/modules',
  sysModule: (name: string) => `/sys/module/${name}`,
  bridgeSysctlDir: '/proc/sys/net/bridge',
} as const;

/**
 * Kernel config keys the checks read from /boot/config-$(uname -r) or /proc/config.gz. CONFIG_PANIC_TIMEOUT and
 * CONFIG_PANIC_ON_OOPS set kernel.panic's and kernel.panic_on_oops' values at boot (HOST-1.4.5).
 */
export const kernelConfigKeys = ['CONFIG_MODULES', 'CONFIG_OVERLAY_FS', 'CONFIG_BRIDGE_NETFILTER', 'CONFIG_SECCOMP', 'CONFIG_SECCOMP_FILTER', 'CONFIG_PANIC_TIMEOUT', 'CONFIG_PANIC_ON_OOPS'] as const;

/** Kernel config symbol of each module the profile may list, to tell built-in from loadable. */
export const moduleConfigSymbol: Readonly<Record<string, string>> = {
  overlay: 'CONFIG_OVERLAY_FS',
  br_netfilter: 'CONFIG_BRIDGE_NETFILTER',
};

const kernelConfigScript = [
  'r=$(uname -r)',
  `keys='^(${kernelConfigKeys.join('|')})='`,
  // The symbols asked for: one grep did not print is "not set" only if it was asked (an older probe asked fewer).
  `echo "# keys: ${kernelConfigKeys.join(' ')}"`,
  'if [ -r "/boot/config-$r" ]; then echo "# source: /boot/config-$r"; grep -E "$keys" "/boot/config-$r";',
  'elif [ -r /proc/config.gz ]; then echo "# source: /proc/config.gz"; zcat /proc/config.gz | grep -E "$keys";',
  'else echo "# source: none"; fi',
].join('\n');

const modulesBuiltinScript = [
  'f="/lib/modules/$(uname -r)/modules.builtin"',
  'if [ -r "$f" ]; then echo "# source: $f"; cat "$f"; else echo "# source: none"; fi',
].join('\n');

/** Every request of the static HOST and RT checks for this profile, in probe order. */
export function hostAndRuntimeRequests(profile: Profile): ProbeRequest[] {
  const sysctlKeys = [...Object.keys(profile.sysctls), ...Object.keys(profile.kernelDefaults)];
  const socket = profile.containerd.socket.path;
  return [
    { kind: 'command', name: cmd.hostname, argv: ['hostname'] },
    { kind: 'command', name: cmd.unameRelease, argv: ['uname', '-r'] },
    { kind: 'file', path: paths.hostname },
    { kind: 'file', path: paths.hosts },
    { kind: 'file', path: paths.osRelease },
    { kind: 'file', path: paths.osReleaseFallback },
    { kind: 'file', path: paths.swaps },
    { kind: 'file', path: paths.fstab },
    { kind: 'command', name: cmd.swapUnits, argv: ['systemctl', 'list-units', '--type=swap', '--all', '--no-legend', '--plain', '--no-pager'], needsSystemd: true },
    // The pattern reaches PID 1, which then resolves only .swap files; --type alone filters after every unit file's
    // state was resolved (7 s of the VM lab's probe under TCG, against 0.2 s).
    { kind: 'command', name: cmd.swapUnitFiles, argv: ['systemctl', 'list-unit-files', '--type=swap', '--no-legend', '--no-pager', '*.swap'], needsSystemd: true },
    ...zramGeneratorConfigs.map((path): FileRequest => ({ kind: 'file', path })),
    { kind: 'file', path: paths.filesystems },
    { kind: 'file', path: paths.procModules },
    ...profile.modules.map((m): StatRequest => ({ kind: 'stat', path: paths.sysModule(m) })),
    { kind: 'stat', path: paths.bridgeSysctlDir },
    { kind: 'script', name: cmd.kernelConfig, script: kernelConfigScript },
    { kind: 'script', name: cmd.modulesBuiltin, script: modulesBuiltinScript },
    ...modulesLoadDirs.map((path): DirRequest => ({ kind: 'dir', path, glob: '*.conf' })),
    { kind: 'file', path: etcModules },
    ...sysctlKeys.map((key): SysctlRequest => ({ kind: 'sysctl', key })),
    ...sysctlDirs.map((path): DirRequest => ({ kind: 'dir', path, glob: '*.conf' })),
    { kind: 'file', path: sysctlConf },
    { kind: 'command', name: cmd.containerdActive, argv: ['systemctl', 'is-active', 'containerd'], needsSystemd: true },
    { kind: 'command', name: cmd.containerdEnabled, argv: ['systemctl', 'is-enabled', 'containerd'], needsSystemd: true },
    // NRestarts, ActiveEnterTimestamp and the node's clock: a crash-looping containerd reads "active" between restarts.
    { kind: 'script', name: cmd.containerdState, requires: 'systemctl', script: unitStateScript('containerd') },
    { kind: 'command', name: cmd.containerdJournal, argv: ['journalctl', '-u', 'containerd', '-n', '20', '--no-pager', '-o', 'short-iso'], needsSystemd: true },
    // The kernel's OOM-killer lines, last 20 this boot; an all-lowercase --grep is case-insensitive (journalctl(1)),
    // and with no match journalctl prints "-- No entries --" and exits 1.
    { kind: 'command', name: cmd.kernelOomJournal, argv: ['journalctl', '-k', '-n', '20', '--no-pager', '-o', 'short-iso', '--grep', 'oom-kill|out of memory|killed process'], needsSystemd: true },
    { kind: 'command', name: cmd.containerdVersion, argv: ['containerd', '--version'] },
    { kind: 'command', name: cmd.ctrVersion, argv: ['ctr', '--address', socket, '--connect-timeout', '2s', '--timeout', '3s', 'version'], timeoutSeconds: 6, needsSocket: socket },
    { kind: 'command', name: cmd.runcVersion, argv: ['runc', '--version'] },
    { kind: 'file', path: profile.containerd.configPath },
    { kind: 'stat', path: socket },
  ];
}
