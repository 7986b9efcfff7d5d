// Sysctl keys that are one kernel variable under two names: writing either sets both, so a reboot keeps the last write.
import { sysctlPathToKey } from '../../parse/sysctl.ts';

export interface SysctlAlias {
  /** Paths under /proc/sys whose ctl_table entries point .data at the same variable. */
  readonly paths: readonly string[];
  /** Where the kernel declares it, for messages and for a reviewer checking the table. */
  readonly kernelSource: string;
}

/**
 * Every pair found in the kernel's sysctl tables (torvalds/linux) whose entries share one `.data` pointer. Keys that
 * only *propagate* a write (conf.all.forwarding also sets conf.default.forwarding and every interface's, but only
 * when the value changes — inet_forward_change / addrconf_fixup_forwarding) are not aliases: the other key can be
 * set on its own afterwards, and the propagation depends on the value before the write.
 */
export const sysctlAliases: readonly SysctlAlias[] = [
  {
    paths: ['net/ipv4/ip_forward', 'net/ipv4/conf/all/forwarding'],
    kernelSource:
      'net/ipv4/devinet.c: ctl_forward_entry "ip_forward" has .data = &ipv4_devconf.data[IPV4_DEVCONF_FORWARDING - 1], the "all" devconf\'s forwarding, with devinet_sysctl_forward as the handler of both',
  },
  {
    paths: ['net/netfilter/nf_conntrack_max', 'net/nf_conntrack_max'],
    kernelSource:
      'net/netfilter/nf_conntrack_standalone.c: nf_ct_sysctl_table[NF_SYSCTL_CT_MAX] and nf_ct_netfilter_table "nf_conntrack_max" both have .data = &nf_conntrack_max',
  },
];

/** The paths that name the same variable as `path`, itself first; just `[path]` when it has no alias. */
export function aliasGroup(path: string): { readonly paths: readonly string[]; readonly alias?: SysctlAlias } {
  const alias = sysctlAliases.find((a) => a.paths.includes(path));
  if (!alias) return { paths: [path] };
  return { paths: [path, ...alias.paths.filter((p) => p !== path)], alias };
}

/** "net.ipv4.conf.all.forwarding (the same kernel variable as net.ipv4.ip_forward)". */
export function aliasNote(writtenPath: string, askedPath: string): string {
  return `${sysctlPathToKey(writtenPath)} (the same kernel variable as ${sysctlPathToKey(askedPath)})`;
}
