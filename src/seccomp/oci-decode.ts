// A localhost/ seccomp profile as containerd decodes it: encoding/json into the OCI specs.LinuxSeccomp structure
// (contrib/seccomp WithProfile), so Docker-only fields are dropped and a type mismatch fails the container's creation.

/** A field Go's decoder skipped, and what losing it does. */
export interface DroppedField {
  /** JSON path, e.g. syscalls[3].includes */
  readonly path: string;
  /**
   * rule-lost: a rule left with no names (Docker's singular "name") — no rule at all; name-lost: a "name" next to
   * "names" — that syscall loses the rule; condition-lost: includes/excludes — the rule applies unconditionally;
   * ignored: anything else (comments, archMap).
   */
  readonly effect: 'rule-lost' | 'name-lost' | 'condition-lost' | 'ignored';
  readonly detail: string;
}

export type OciDecode =
  | {
      readonly ok: true;
      /** The OCI document containerd hands to runc, with canonical key names; rules without names removed. */
      readonly doc: Record<string, unknown>;
      /** Original index in `syscalls` of each rule kept in doc.syscalls. */
      readonly ruleIndex: readonly number[];
      readonly dropped: readonly DroppedField[];
    }
  | { readonly ok: false; readonly path: string; readonly message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

class DecodeError extends Error {
  readonly path: string;
  constructor(path: string, got: unknown, goType: string) {
    super(`${path}: Go's encoding/json cannot unmarshal ${jsonType(got)} into ${goType}`);
    this.path = path;
  }
}

type Kind = 'string' | 'uint' | 'uint64' | 'strings' | 'syscalls' | 'args';
const seccompFields: Readonly<Record<string, Kind>> = {
  defaultAction: 'string',
  defaultErrnoRet: 'uint',
  architectures: 'strings',
  flags: 'strings',
  listenerPath: 'string',
  listenerMetadata: 'string',
  syscalls: 'syscalls',
};
const syscallFields: Readonly<Record<string, Kind>> = { names: 'strings', action: 'string', errnoRet: 'uint', args: 'args' };
const argFields: Readonly<Record<string, Kind>> = { index: 'uint', value: 'uint64', valueTwo: 'uint64', op: 'string' };

/** encoding/json's field lookup: the exact tag first, else a case-insensitive match. */
function fieldFor(fields: Readonly<Record<string, Kind>>, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key;
  return Object.keys(fields).find((f) => f.toLowerCase() === key.toLowerCase());
}

const goTypes: Readonly<Record<Kind, string>> = { string: 'string', uint: 'uint', uint64: 'uint64', strings: '[]string', syscalls: '[]specs.LinuxSyscall', args: '[]specs.LinuxSeccompArg' };

function scalar(kind: Kind, v: unknown, path: string): unknown {
  if (v === null) return undefined;
  if (kind === 'string') {
    if (typeof v !== 'string') throw new DecodeError(path, v, goTypes[kind]);
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new DecodeError(path, v, goTypes[kind]);
  return v;
}

function struct(fields: Readonly<Record<string, Kind>>, v: unknown, path: string, dropped: DroppedField[], nested: (kind: Kind, x: unknown, p: string) => unknown): Obj {
  if (!isObj(v)) throw new DecodeError(path || '(document)', v, 'a struct');
  const out: Obj = {};
  for (const [key, x] of Object.entries(v)) {
    const p = path === '' ? key : `${path}.${key}`;
    const field = fieldFor(fields, key);
    if (field === undefined) {
      dropped.push({ path: p, effect: 'ignored', detail: `${JSON.stringify(key)} is not a field of the OCI structure` });
      continue;
    }
    const value = nested(fields[field] as Kind, x, p);
    if (value === undefined) delete out[field];
    else out[field] = value;
  }
  return out;
}

function list(v: unknown, path: string, kind: Kind, each: (x: unknown, p: string) => unknown): unknown[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) throw new DecodeError(path, v, goTypes[kind]);
  return v.map((x, i) => each(x, `${path}[${i}]`));
}

function describeFilter(f: unknown): string {
  if (!isObj(f)) return JSON.stringify(f);
  const parts: string[] = [];
  if (Array.isArray(f.caps) && f.caps.length) parts.push(`caps ${JSON.stringify(f.caps)}`);
  if (Array.isArray(f.arches) && f.arches.length) parts.push(`arches ${JSON.stringify(f.arches)}`);
  if (typeof f.minKernel === 'string') parts.push(`minKernel ${f.minKernel}`);
  return parts.join(', ') || 'nothing';
}

/** Classify what a syscall rule lost (Docker's name, includes, excludes), given the names it kept. */
function ruleLosses(raw: Obj, kept: Obj, path: string, dropped: DroppedField[]): void {
  const names = Array.isArray(kept.names) ? kept.names : [];
  for (const d of dropped.filter((x) => x.path.startsWith(`${path}.`) && x.effect === 'ignored')) {
    const key = d.path.slice(path.length + 1);
    const value = raw[key];
    const idx = dropped.indexOf(d);
    if (key.toLowerCase() === 'name') {
      dropped[idx] = names.length === 0
        ? { path: d.path, effect: 'rule-lost', detail: `only "name": ${JSON.stringify(value)} — the rule has no "names", so it is no rule` }
        : { path: d.path, effect: 'name-lost', detail: `"name": ${JSON.stringify(value)} is not merged into "names", so that syscall is not in the rule` };
    } else if ((key === 'includes' || key === 'excludes') && isObj(value) && describeFilter(value) !== 'nothing') {
      const what = key === 'includes' ? 'only when' : 'except when';
      const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ') || '(no names)';
      dropped[idx] = { path: d.path, effect: 'condition-lost', detail: `the rule's ${kept.action ?? '(no action)'} for ${shown} was meant to apply ${what} ${describeFilter(value)}; it applies to every container` };
    }
  }
}

/** Decode a parsed JSON document as containerd does before it hands the profile to runc. */
export function decodeAsOci(doc: unknown): OciDecode {
  const dropped: DroppedField[] = [];
  try {
    if (doc === null) return { ok: true, doc: {}, ruleIndex: [], dropped };
    const top = struct(seccompFields, doc, '', dropped, (kind, x, p) => {
      if (kind === 'strings') return list(x, p, kind, (s, q) => scalar('string', s, q));
      if (kind === 'syscalls') {
        return list(x, p, kind, (r, q) => {
          const kept = struct(syscallFields, r, q, dropped, (k, y, yp) => {
            if (k === 'strings') return list(y, yp, k, (s, sp) => scalar('string', s, sp));
            if (k === 'args') return list(y, yp, k, (a, ap) => struct(argFields, a, ap, dropped, (ak, z, zp) => scalar(ak, z, zp)));
            return scalar(k, y, yp);
          });
          ruleLosses(isObj(r) ? r : {}, kept, q, dropped);
          return kept;
        });
      }
      return scalar(kind, x, p);
    });
    const archMap = dropped.findIndex((d) => d.path === 'archMap');
    if (archMap >= 0) dropped[archMap] = { path: 'archMap', effect: 'ignored', detail: 'Docker\'s archMap is dropped: with no "architectures" the filter covers only the node\'s native architecture, and libseccomp\'s default bad-architecture action (KILL) answers calls through any other ABI' };
    const rules = Array.isArray(top.syscalls) ? (top.syscalls as Obj[]) : [];
    const ruleIndex: number[] = [];
    const keptRules = rules.filter((r, i) => {
      const keep = Array.isArray(r.names) && r.names.length > 0;
      if (keep) ruleIndex.push(i);
      return keep;
    });
    return { ok: true, doc: { ...top, ...(top.syscalls === undefined ? {} : { syscalls: keptRules }) }, ruleIndex, dropped };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, path: e.path, message: e.message };
    throw e;
  }
}

/** Drops that change which rules the filter has; comments and archMap are reported, not failed. */
export const changesMeaning = (d: DroppedField): boolean => d.effect !== 'ignored';
