// What a kernel variable holds at boot when no sysctl.d file sets it: the kernel's own initial value, or what the
// node's kernel config or boot command line makes it. HOST-1.4.5 uses it so a key that no file sets but that already
// starts at what the kubelet wants is not counted as wrong.
import { kernelParams } from '../../parse/kernel-cmdline.ts';
import { configValue, type KernelConfig } from '../../parse/kernel-config.ts';
import { compareKernel, type KernelVersion } from '../../parse/kernel-release.ts';
import { sameSysctlValue } from './evidence.ts';

export interface KernelDefault {
  /** The value the variable is initialised to in the upstream source. */
  readonly value: string;
  /** Where in the kernel tree that initial value is set. */
  readonly from: string;
  /** A build option that changes the initial value: the node's kernel may differ from `value`. */
  readonly buildOption?: string;
}

/**
 * The initial values of protectKernelDefaults' six keys (the kubelet's setupKernelTunables,
 * pkg/kubelet/cm/container_manager_linux.go, checks exactly these). Read from the kernel source:
 * mm/util.c `sysctl_overcommit_memory = OVERCOMMIT_GUESS` (0); mm/oom_kill.c `int sysctl_panic_on_oom;` (0);
 * kernel/panic.c `panic_timeout = CONFIG_PANIC_TIMEOUT` (Kconfig default 0) and
 * `panic_on_oops = IS_ENABLED(CONFIG_PANIC_ON_OOPS)` (CONFIG_PANIC_ON_OOPS_VALUE before 6.x; 0 unless =y);
 * security/keys/key.c `key_quota_root_maxkeys = 1000000`, `key_quota_root_maxbytes = 25000000` (since 3.17).
 */
export const kernelDefaults: Readonly<Record<string, KernelDefault>> = {
  'vm.overcommit_memory': { value: '0', from: 'mm/util.c, OVERCOMMIT_GUESS' },
  'vm.panic_on_oom': { value: '0', from: 'mm/oom_kill.c' },
  'kernel.panic': { value: '0', from: 'kernel/panic.c, CONFIG_PANIC_TIMEOUT', buildOption: 'CONFIG_PANIC_TIMEOUT' },
  'kernel.panic_on_oops': { value: '0', from: 'kernel/panic.c, CONFIG_PANIC_ON_OOPS', buildOption: 'CONFIG_PANIC_ON_OOPS' },
  'kernel.keys.root_maxkeys': { value: '1000000', from: 'security/keys/key.c' },
  'kernel.keys.root_maxbytes': { value: '25000000', from: 'security/keys/key.c' },
};

/** The boot value a build option gives, from its line in the node's kernel config (undefined: not decided by it). */
const fromBuildOption: Readonly<Record<string, (line: string) => string | undefined>> = {
  // int, Kconfig default 0; "not set" cannot happen for an int the kernel has, but means the default.
  CONFIG_PANIC_TIMEOUT: (line) => (line === 'not set' ? '0' : /^-?\d+$/.test(line) ? line : undefined),
  // bool: IS_ENABLED() is 1 for y, 0 otherwise.
  CONFIG_PANIC_ON_OOPS: (line) => (line === 'y' ? '1' : line === 'not set' || line === 'n' ? '0' : undefined),
};

/** What the node was booted with, as far as the probe read it. */
export interface BootEvidence {
  readonly config?: KernelConfig;
  /** /proc/cmdline. */
  readonly cmdline?: string;
  /** The running kernel's release: `sysctl.*` boot parameters exist from Linux 5.8 (fs/proc/proc_sysctl.c). */
  readonly release?: KernelVersion;
}

/** Kernel parameters older than `sysctl.*` that set one of the keys (kernel/panic.c: core_param panic, early_param oops). */
const legacyParams: Readonly<Record<string, (value: string | undefined) => readonly [string, string] | undefined>> = {
  panic: (v) => (v !== undefined && /^-?\d+$/.test(v) ? ['kernel.panic', v] : undefined),
  oops: (v) => (v === 'panic' ? ['kernel.panic_on_oops', '1'] : undefined),
};

/**
 * The values the six keys start with on this node before any sysctl.d file: the kernel's initial value, unless the
 * node's kernel config decides it (CONFIG_PANIC_TIMEOUT=10 makes kernel.panic start at 10), unless the command line
 * sets it — `panic=`/`oops=panic` while parameters are parsed, then `sysctl.KEY=` (Linux ≥ 5.8), the last word of
 * each kind winning. A build-dependent default the config did not decide stays unvouched.
 */
export function nodeKernelDefaults(boot: BootEvidence): Readonly<Record<string, KernelDefault>> {
  const fromCmdline = new Map<string, KernelDefault>();
  const sysctlParams = boot.release !== undefined && compareKernel(boot.release, [5, 8, 0]) >= 0;
  const params = boot.cmdline === undefined ? [] : kernelParams(boot.cmdline);
  for (const p of params) {
    const set = legacyParams[p.name]?.(p.value);
    if (set) fromCmdline.set(set[0], { value: set[1], from: `kernel command line ${p.name}=${p.value ?? ''}, /proc/cmdline` });
  }
  // sysctl.* is applied after the parameters above (do_sysctl_args in kernel_init), so it wins over them.
  for (const p of sysctlParams ? params : []) {
    const key = /^sysctl\.(.+)$/.exec(p.name)?.[1]?.replace(/\//g, '.');
    if (key && key in kernelDefaults && p.value !== undefined) fromCmdline.set(key, { value: p.value, from: `kernel command line ${p.name}=${p.value}, /proc/cmdline` });
  }
  return Object.fromEntries(
    Object.entries(kernelDefaults).map(([key, d]): [string, KernelDefault] => {
      const cmdline = fromCmdline.get(key);
      if (cmdline) return [key, cmdline];
      const line = d.buildOption && boot.config ? configValue(boot.config, d.buildOption) : undefined;
      const value = d.buildOption && line !== undefined ? fromBuildOption[d.buildOption]?.(line) : undefined;
      if (!d.buildOption || value === undefined) return [key, d];
      const said = line === 'not set' ? `${d.buildOption} not set` : `${d.buildOption}=${line}`;
      return [key, { value, from: `${d.from.split(',')[0] ?? d.from}, ${said} in ${boot.config?.source ?? 'the kernel config'}` }];
    }),
  );
}

/**
 * What a key left unset by every file holds after a reboot, in words: "the kernel default 0 (mm/util.c, …)", or
 * for a build-dependent default "0 unless the kernel is built otherwise (CONFIG_PANIC_TIMEOUT)".
 */
export function describeDefault(d: KernelDefault): string {
  return d.buildOption ? `${d.value} (${d.from}; a kernel built with another ${d.buildOption} differs)` : `${d.value} (${d.from})`;
}

/**
 * Whether a key that no file sets is still right after a reboot: only when its default is fixed in the source
 * (no build option changes it) and equals what is wanted. A build-dependent default is not vouched for.
 */
export function defaultIsWanted(key: string, want: string, defaults: Readonly<Record<string, KernelDefault>> = kernelDefaults): KernelDefault | undefined {
  const d = defaults[key];
  return d && d.buildOption === undefined && sameSysctlValue(d.value, want) ? d : undefined;
}
