// What systemd-sysctl (the boot path on systemd nodes) leaves in a kernel variable that has two sysctl names.
import { sysctlConf } from '../../facts/requirements.ts';
import { sysctlKeyToPath } from '../../parse/sysctl.ts';
import { aliasGroup } from './sysctl-aliases.ts';
import { globRegex, type Assignment, type SysctlSystemPlan } from './sysctl-system.ts';

export type BootValue =
  | { readonly modelled: true; readonly value: string | null; readonly winner?: Assignment }
  | { readonly modelled: false; readonly reason: string };

/**
 * systemd-sysctl (src/sysctl/sysctl.c parse_file) keeps one entry per name in an ordered hashmap: an assignment of a
 * different value removes the earlier entry and appends the new one, but an assignment of the *same* value
 * ("if (streq_ptr(value, existing->value)) continue") keeps the entry where it first appeared; apply_all() then
 * writes in map order. For one name this changes nothing; for two names of one variable it can: `ip_forward = 1`
 * (10-k8s.conf), `conf.all.forwarding = 0` (50-x.conf), `ip_forward = 1` again (99-sysctl.conf) leaves 1 after
 * `sysctl --system` but 0 after a boot. undefined when the key has no second name. systemd-sysctl reads only the
 * sysctl.d directories (Debian and Ubuntu reach /etc/sysctl.conf through 99-sysctl.conf), so procps' trailing
 * /etc/sysctl.conf pass is left out.
 */
export function bootKernelValue(plan: SysctlSystemPlan, key: string): BootValue | undefined {
  const group = aliasGroup(sysctlKeyToPath(key));
  if (!group.alias) return undefined;
  const settings = plan.assignments.filter((a) => a.file !== sysctlConf);
  const reaches = (a: Assignment): boolean =>
    (a.setting.isGlob || a.setting.globExclude) && group.paths.some((p) => globRegex(a.setting.path, a.setting.globExclude).test(p));
  if (settings.some(reaches)) {
    return { modelled: false, reason: 'a glob or exclusion line reaches one of its names, and systemd-sysctl orders globs apart from names' };
  }
  const order = new Map<string, Assignment>();
  for (const a of settings) {
    if (a.setting.value === null || a.setting.isGlob) continue;
    const existing = order.get(a.setting.path);
    if (existing?.setting.value === a.setting.value) continue;
    order.delete(a.setting.path);
    order.set(a.setting.path, a);
  }
  let winner: Assignment | undefined;
  for (const [path, a] of order) if (group.paths.includes(path)) winner = a;
  return winner ? { modelled: true, value: winner.setting.value, winner } : { modelled: true, value: null };
}
