// Models what `sysctl --system` (procps-ng 4) leaves for a key: its file order, its glob rules, its last-wins writes.
import type { NodeFacts } from '../../facts/types.ts';
import { sysctlConf, sysctlDirs } from '../../facts/requirements.ts';
import { parseSysctlConf, sysctlKeyToPath, type SysctlSetting } from '../../parse/sysctl.ts';
import { collectConfDirs, resolveEntry, type ShadowedFile } from '../../facts/conf-dirs.ts';
import { aliasGroup, type SysctlAlias } from './sysctl-aliases.ts';

export interface Assignment {
  /** The file as a person sees it (with its symlink target when it is one). */
  readonly file: string;
  readonly setting: SysctlSetting;
}

export interface SysctlSystemPlan {
  /** Files in the order sysctl --system applies them (its "* Applying" lines), /etc/sysctl.conf last. */
  readonly applied: readonly { readonly path: string; readonly display: string }[];
  readonly assignments: readonly Assignment[];
  /** Settings of files hidden by a same-named file earlier in the search path. */
  readonly shadowed: readonly { readonly shadow: ShadowedFile; readonly settings: readonly SysctlSetting[] }[];
  readonly unknown: readonly string[];
}

export function sysctlSystemPlan(facts: NodeFacts): SysctlSystemPlan {
  const dirs = collectConfDirs(facts, sysctlDirs);
  const unknown = [...dirs.unknown];
  const applied: { path: string; display: string }[] = [];
  const assignments: Assignment[] = [];
  const apply = (path: string, display: string, text: string | null): void => {
    applied.push({ path, display });
    if (text === null) return;
    for (const setting of parseSysctlConf(text).settings) assignments.push({ file: display, setting });
  };
  for (const f of dirs.files) apply(f.path, f.display, f.text);
  // procps applies /etc/sysctl.conf only when stat() says it is a regular file, even if 99-sysctl.conf already did.
  const conf = facts.files[sysctlConf];
  if (conf === undefined || conf.state === 'unreadable') {
    unknown.push(conf === undefined ? `${sysctlConf} was not gathered by the probe` : `${sysctlConf} is unreadable: ${conf.error}`);
  } else if (conf.state === 'present' && conf.type === 'file') {
    const r = resolveEntry(facts, '/etc', 'sysctl.conf');
    if (r.unknown) unknown.push(r.unknown);
    else if (r.file && !r.file.masked) apply(sysctlConf, sysctlConf, r.file.text);
  }
  const shadowed = dirs.shadowed.map((shadow) => ({
    shadow,
    settings: shadow.file.text === null ? [] : parseSysctlConf(shadow.file.text).settings,
  }));
  return { applied, assignments, shadowed, unknown };
}

/** Shell glob to a regex; `crossSlash` is fnmatch(3) without FNM_PATHNAME, otherwise glob(3) per component. */
export function globRegex(pattern: string, crossSlash: boolean): RegExp {
  const any = crossSlash ? '.' : '[^/]';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += `${any}*`;
    else if (c === '?') re += any;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface PersistedValue {
  /** What the key is left at; null when no file sets it (the kernel default survives). */
  readonly value: string | null;
  readonly winner?: Assignment;
  /** Every assignment that reached the key, in the order applied. */
  readonly writes: readonly Assignment[];
  /** A `-key` line that keeps globs off this key, when that is why nothing sets it. */
  readonly excludedBy?: Assignment;
}

/**
 * procps' write_setting_list(): explicit keys are written in order (last wins); a glob writes only to keys
 * that no setting names explicitly and no `-pattern` excludes, wherever those appear in the list.
 */
export function persistedValue(plan: SysctlSystemPlan, key: string): PersistedValue {
  const path = sysctlKeyToPath(key);
  const explicit = plan.assignments.filter((a) => !a.setting.globExclude && !a.setting.isGlob && a.setting.path === path);
  if (explicit.length > 0) {
    const winner = explicit[explicit.length - 1];
    return { value: winner?.setting.value ?? null, winner, writes: explicit };
  }
  const excludedBy = plan.assignments.find(
    (a) => a.setting.globExclude && (a.setting.path === path || globRegex(a.setting.path, true).test(path)),
  );
  if (excludedBy) return { value: null, writes: [], excludedBy };
  const globs = plan.assignments.filter((a) => !a.setting.globExclude && a.setting.isGlob && globRegex(a.setting.path, false).test(path));
  const winner = globs[globs.length - 1];
  return winner ? { value: winner.setting.value, winner, writes: globs } : { value: null, writes: [] };
}

export const where = (a: Assignment): string => `${a.file} line ${a.setting.line}`;

export interface KernelPersistedValue extends PersistedValue {
  /** Set when the kernel variable has another name: the alias table row that made the other name count. */
  readonly alias?: SysctlAlias;
}

/**
 * What the kernel variable behind `key` is left at by sysctl --system: every write to any of its names, in the order
 * procps' write_setting_list() performs them (list order; a glob writes a name only when no line names it explicitly
 * and no `-pattern` excludes it), the last one winning. A later `net.ipv4.conf.all.forwarding = 0` undoes an earlier
 * `net.ipv4.ip_forward = 1`.
 */
export function persistedKernelValue(plan: SysctlSystemPlan, key: string): KernelPersistedValue {
  const path = sysctlKeyToPath(key);
  const group = aliasGroup(path);
  if (!group.alias) return persistedValue(plan, key);
  const explicit = new Set(plan.assignments.filter((a) => !a.setting.isGlob).map((a) => a.setting.path));
  const excluded = (p: string): boolean =>
    plan.assignments.some((a) => a.setting.globExclude && (a.setting.path === p || globRegex(a.setting.path, true).test(p)));
  const writes = plan.assignments.filter((a) => {
    if (a.setting.globExclude) return false;
    if (!a.setting.isGlob) return group.paths.includes(a.setting.path);
    return group.paths.some((p) => globRegex(a.setting.path, false).test(p) && !explicit.has(p) && !excluded(p));
  });
  const winner = writes[writes.length - 1];
  if (winner) return { value: winner.setting.value, winner, writes, alias: group.alias };
  const own = persistedValue(plan, key);
  return { ...own, alias: group.alias };
}
