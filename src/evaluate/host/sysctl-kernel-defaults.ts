// What a kernel variable holds at boot when no sysctl.d file sets it: the kernel's own initial value. HOST-1.4.5
// uses it so a key that no file sets but whose default already is what the kubelet wants is not counted as wrong.
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
export function defaultIsWanted(key: string, want: string): KernelDefault | undefined {
  const d = kernelDefaults[key];
  return d && d.buildOption === undefined && sameSysctlValue(d.value, want) ? d : undefined;
}
