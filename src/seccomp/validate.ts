// SEC-4.2.2's judgement of a profile's text: it parses, every action, operator and architecture is one a runtime
// knows, and every syscall name exists where the profile says it applies. The first bad entry is reported with its
// JSON path, in document order, because runc silently drops names it cannot resolve.
import { archFamilies, existsOn, goArchOf, isKnownArch, isKnownSyscall } from './arches.ts';
import { isOneOf, knownActions, knownFlags, knownOperators } from './actions.ts';
import { parseJson } from './json.ts';
import type { ArchMapEntry, RuleFilter, RuleName, SeccompArg, SeccompProfile, SeccompRule } from './profile.ts';
import { syscallTableSource } from './syscall-tables.generated.ts';

export interface ValidateOptions {
  /** The node's native SCMP_ARCH_*: what a profile that lists no architectures filters. */
  readonly nativeArch?: string;
  /** false: judge structure and actions only, so SEC-4.2.3/4.2.4 still read a profile whose names SEC-4.2.2 fails. */
  readonly checkNames?: boolean;
}

export type Validation =
  | {
      readonly ok: true;
      readonly profile: SeccompProfile;
      readonly checkedAgainst: string;
      /** Names that exist only on architectures the profile does not filter (skipped there by runtimes). */
      readonly foreignNames: readonly string[];
    }
  | { readonly ok: false; readonly path: string; readonly message: string };

class Bad extends Error {
  readonly path: string;
  constructor(path: string, detail: string) {
    super(`${path} ${detail}`);
    this.path = path;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));
const join = (p: string, key: string | number): string => (typeof key === 'number' ? `${p}[${key}]` : p === '' ? key : `${p}.${key}`);

function uint(v: unknown, path: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Bad(path, `is ${show(v)}, not ${what}`);
  return v;
}

function strings(v: unknown, path: string, check?: (s: string, p: string) => void): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Bad(path, `is ${show(v)}, not a list`);
  return v.map((s, i) => {
    const p = join(path, i);
    if (typeof s !== 'string') throw new Bad(p, `is ${show(s)}, not a string`);
    check?.(s, p);
    return s;
  });
}

const arch = (s: string, p: string): void => {
  if (!isKnownArch(s)) throw new Bad(p, `${show(s)} is not a known architecture (SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...)`);
};

function action(v: unknown, path: string): string {
  if (!isOneOf(knownActions, v)) throw new Bad(path, `${show(v)} is not a known action (${knownActions.join(', ')})`);
  return v;
}

function filter(v: unknown, path: string): RuleFilter {
  if (v === undefined || v === null) return { arches: [], caps: [] };
  if (!isObj(v)) throw new Bad(path, `is ${show(v)}, not an object`);
  const minKernel = v.minKernel;
  if (minKernel !== undefined && (typeof minKernel !== 'string' || !/^\d+\.\d+(\.\d+)?$/.test(minKernel))) throw new Bad(join(path, 'minKernel'), `is ${show(minKernel)}, not a kernel version such as "4.8"`);
  return { arches: strings(v.arches, join(path, 'arches')), caps: strings(v.caps, join(path, 'caps')), ...(minKernel ? { minKernel } : {}) };
}

function args(v: unknown, path: string): SeccompArg[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Bad(path, `is ${show(v)}, not a list`);
  return v.map((a, i) => {
    const p = join(path, i);
    if (!isObj(a)) throw new Bad(p, `is ${show(a)}, not an object`);
    const index = uint(a.index, join(p, 'index'), 'an argument index 0-5');
    if (index > 5) throw new Bad(join(p, 'index'), `is ${index}, but syscalls have arguments 0-5`);
    if (!isOneOf(knownOperators, a.op)) throw new Bad(join(p, 'op'), `${show(a.op)} is not a known operator (${knownOperators.join(', ')})`);
    const value = uint(a.value ?? 0, join(p, 'value'), 'an unsigned integer');
    const valueTwo = a.valueTwo === undefined ? undefined : uint(a.valueTwo, join(p, 'valueTwo'), 'an unsigned integer');
    return { index, value, op: a.op, ...(valueTwo === undefined ? {} : { valueTwo }) };
  });
}

/** Which sets of architectures a rule's names must exist on, and whether each set or just one must have them. */
interface Scope {
  readonly families: readonly (readonly string[])[];
  /** each: the listed architectures are filtered at once; any: archMap entries are alternatives, one per node. */
  readonly mode: 'each' | 'any';
  readonly described: string;
}

function scopeOf(profile: Pick<SeccompProfile, 'architectures' | 'archMap'>, nativeArch: string | undefined): Scope {
  if (profile.architectures.length > 0) {
    return { families: archFamilies(profile.architectures), mode: 'each', described: `each listed architecture (${profile.architectures.join(', ')})` };
  }
  if (profile.archMap.length > 0) {
    return { families: profile.archMap.map((e) => [e.architecture, ...e.subArchitectures]), mode: 'any', described: 'at least one archMap entry' };
  }
  if (nativeArch) return { families: [[nativeArch]], mode: 'each', described: `the node's own architecture (${nativeArch}), as no architectures are listed` };
  return { families: [], mode: 'any', described: 'libseccomp (no architectures are listed and the node\'s is unknown)' };
}

/** Docker-format arch conditions select families by their native architecture's GOARCH name. */
function applies(rule: Pick<SeccompRule, 'includes' | 'excludes'>, family: readonly string[]): boolean {
  const go = goArchOf(family[0] ?? '');
  if (rule.includes.arches.length > 0 && (go === undefined || !rule.includes.arches.includes(go))) return false;
  if (go !== undefined && rule.excludes.arches.includes(go)) return false;
  return true;
}

/**
 * Names that exist on x86_64 or aarch64 (where Kubernetes nodes run) must exist where the rule applies: a profile
 * that lists one there and not here was written for another architecture. Names that exist on neither (recv, send,
 * socketcall, sync_file_range2, the *_time64 family) are 32-bit or exotic-ABI entries that containerd's and
 * Docker's own profiles carry for their other architectures; runtimes skip them where absent, so they are counted.
 */
const mainstream = (name: string): boolean => existsOn(name, 'SCMP_ARCH_X86_64') || existsOn(name, 'SCMP_ARCH_AARCH64');

function checkName(n: RuleName, rule: SeccompRule, scope: Scope, skipped: Set<string>): void {
  if (!isKnownSyscall(n.name)) {
    throw new Bad(n.path, `${show(n.name)} is not a syscall on any architecture (libseccomp ${syscallTableSource.tag} syscall table)`);
  }
  const families = scope.families.filter((f) => applies(rule, f));
  if (families.length === 0) return;
  const has = (f: readonly string[]): boolean => f.some((a) => existsOn(n.name, a));
  if (scope.mode === 'each') {
    const lacking = families.find((f) => !has(f));
    if (!lacking) return;
    if (mainstream(n.name)) throw new Bad(n.path, `${show(n.name)} does not exist on ${lacking.join(' or ')}`);
    skipped.add(n.name);
  } else if (!families.some(has)) {
    if (mainstream(n.name)) throw new Bad(n.path, `${show(n.name)} does not exist on any architecture the profile applies to (${families.flat().join(', ')})`);
    skipped.add(n.name);
  }
}

function rule(v: unknown, path: string, hasListener: boolean): SeccompRule {
  if (!isObj(v)) throw new Bad(path, `is ${show(v)}, not an object`);
  let names: RuleName[];
  if (v.names !== undefined) names = strings(v.names, join(path, 'names')).map((name, i) => ({ name, path: join(join(path, 'names'), i) }));
  else if (typeof v.name === 'string') names = [{ name: v.name, path: join(path, 'name') }];
  else throw new Bad(path, 'has no "names"');
  if (names.length === 0) throw new Bad(join(path, 'names'), 'is empty');
  const act = action(v.action, join(path, 'action'));
  if (act === 'SCMP_ACT_NOTIFY' && !hasListener) throw new Bad(join(path, 'action'), 'is SCMP_ACT_NOTIFY, which needs a top-level "listenerPath"');
  let errnoRet: number | undefined;
  if (v.errnoRet !== undefined && v.errnoRet !== null) {
    errnoRet = uint(v.errnoRet, join(path, 'errnoRet'), 'an errno number');
    if (act !== 'SCMP_ACT_ERRNO' && act !== 'SCMP_ACT_TRACE') throw new Bad(join(path, 'errnoRet'), `is set, but only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return it (action is ${act})`);
  }
  return {
    path,
    names,
    action: act,
    args: args(v.args, join(path, 'args')),
    includes: filter(v.includes, join(path, 'includes')),
    excludes: filter(v.excludes, join(path, 'excludes')),
    ...(errnoRet === undefined ? {} : { errnoRet }),
  };
}

function archMap(v: unknown): ArchMapEntry[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Bad('archMap', `is ${show(v)}, not a list`);
  return v.map((e, i) => {
    const p = join('archMap', i);
    if (!isObj(e)) throw new Bad(p, `is ${show(e)}, not an object`);
    if (typeof e.architecture !== 'string') throw new Bad(join(p, 'architecture'), `is ${show(e.architecture)}, not an architecture name`);
    arch(e.architecture, join(p, 'architecture'));
    return { architecture: e.architecture, subArchitectures: strings(e.subArchitectures, join(p, 'subArchitectures'), arch) };
  });
}

function model(doc: unknown, options: ValidateOptions): { profile: SeccompProfile; scope: Scope; skipped: Set<string> } {
  if (!isObj(doc)) throw new Bad('(document)', `is ${Array.isArray(doc) ? 'a list' : show(doc)}, not a JSON object`);
  const defaultAction = action(doc.defaultAction, 'defaultAction');
  const listenerPath = typeof doc.listenerPath === 'string' && doc.listenerPath !== '' ? doc.listenerPath : undefined;
  if (defaultAction === 'SCMP_ACT_NOTIFY') throw new Bad('defaultAction', 'is SCMP_ACT_NOTIFY, which runtimes refuse as a default (the supervisor would receive every syscall)');
  const defaultErrnoRet = doc.defaultErrnoRet === undefined || doc.defaultErrnoRet === null ? undefined : uint(doc.defaultErrnoRet, 'defaultErrnoRet', 'an errno number');
  const architectures = strings(doc.architectures, 'architectures', arch);
  const map = archMap(doc.archMap);
  if (architectures.length > 0 && map.length > 0) throw new Bad('archMap', 'is set together with "architectures": runtimes accept one or the other');
  const flags = strings(doc.flags, 'flags', (s, p) => {
    if (!isOneOf(knownFlags, s)) throw new Bad(p, `${show(s)} is not a known flag (${knownFlags.join(', ')})`);
  });
  const scope = scopeOf({ architectures, archMap: map }, options.nativeArch);
  if (doc.syscalls !== undefined && doc.syscalls !== null && !Array.isArray(doc.syscalls)) throw new Bad('syscalls', `is ${show(doc.syscalls)}, not a list`);
  const rawRules: unknown[] = Array.isArray(doc.syscalls) ? doc.syscalls : [];
  const syscalls: SeccompRule[] = [];
  const skipped = new Set<string>();
  for (const [i, raw] of rawRules.entries()) {
    const r = rule(raw, join('syscalls', i), listenerPath !== undefined);
    if (options.checkNames !== false) for (const n of r.names) checkName(n, r, scope, skipped);
    syscalls.push(r);
  }
  const profile: SeccompProfile = {
    defaultAction,
    architectures,
    archMap: map,
    flags,
    syscalls,
    ...(defaultErrnoRet === undefined ? {} : { defaultErrnoRet }),
    ...(listenerPath === undefined ? {} : { listenerPath }),
  };
  return { profile, scope, skipped };
}

/** Validates a profile's text; on failure the message starts with the JSON path of the first bad entry. */
export function validateSeccompProfile(text: string, options: ValidateOptions = {}): Validation {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, path: '', message: `JSON does not parse at line ${parsed.line}, column ${parsed.column}: ${parsed.reason}` };
  return validateSeccompDocument(parsed.value, options);
}

/** The same over an already parsed document, such as `.Spec.linux.seccomp` of `ctr c info`. */
export function validateSeccompDocument(doc: unknown, options: ValidateOptions = {}): Validation {
  try {
    const { profile, scope, skipped } = model(doc, options);
    return { ok: true, profile, checkedAgainst: `syscall names checked on ${scope.described} against libseccomp ${syscallTableSource.tag}`, foreignNames: [...skipped] };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, path: e.path, message: e.message };
    throw e;
  }
}
