// The kubelet's command line as pflag reads it: --name=value, --name value, bare booleans, last one wins.
import { parseDuration } from './duration.ts';
import { boolFlags, type FieldSpec, type Typed } from './fields.ts';

export interface FlagOccurrence {
  readonly name: string;
  /** undefined for a bare boolean flag (`--rotate-certificates`), which means true. */
  readonly value: string | undefined;
  /** The words as written, e.g. "--read-only-port=0" or "--config /var/lib/kubelet/config.yaml". */
  readonly raw: string;
  /** Index of the flag's first word in the argv given to parseKubeletArgs. */
  readonly index: number;
}

export interface ParsedArgs {
  readonly flags: readonly FlagOccurrence[];
  /** Words that are not flags: the kubelet refuses to start with any. */
  readonly positional: readonly string[];
}

export function parseKubeletArgs(args: readonly string[]): ParsedArgs {
  const flags: FlagOccurrence[] = [];
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] ?? '';
    const m = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=([\s\S]*))?$/.exec(w);
    if (!m?.[1] || w === '--') {
      positional.push(w);
      continue;
    }
    const name = m[1];
    if (m[2] !== undefined) {
      flags.push({ name, value: m[2], raw: w, index: i });
      continue;
    }
    const next = args[i + 1];
    if (!boolFlags.has(name) && next !== undefined && !next.startsWith('-')) {
      flags.push({ name, value: next, raw: `${w} ${next}`, index: i });
      i++;
      continue;
    }
    flags.push({ name, value: undefined, raw: w, index: i });
  }
  return { flags, positional };
}

/** The occurrences of a flag; pflag keeps the last for scalars, map flags merge across occurrences. */
export const occurrences = (parsed: ParsedArgs, name: string): FlagOccurrence[] => parsed.flags.filter((f) => f.name === name);

/** strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

export type TypedResult = { readonly ok: true; readonly value: Typed } | { readonly ok: false; readonly error: string };

/** A flag's text as the kubelet's flag type reads it. */
export function typedFromFlag(spec: FieldSpec, occ: readonly FlagOccurrence[]): TypedResult {
  const last = occ[occ.length - 1];
  if (!last) return { ok: false, error: 'flag not given' };
  const text = last.value;
  const bad = (what: string): TypedResult => ({ ok: false, error: `${last.raw}: ${JSON.stringify(text ?? '')} is not ${what}; the kubelet refuses to start` });
  switch (spec.type) {
    case 'bool': {
      if (text === undefined) return { ok: true, value: { type: 'bool', value: true } };
      const v = parseGoBool(text);
      return v === undefined ? bad('a boolean') : { ok: true, value: { type: 'bool', value: v } };
    }
    case 'int':
      return text !== undefined && /^[+-]?\d+$/.test(text) ? { ok: true, value: { type: 'int', value: Number(text) } } : bad('an integer');
    case 'string':
      return { ok: true, value: { type: 'string', value: text ?? '' } };
    case 'duration': {
      const d = parseDuration(text ?? '');
      return d.ok ? { ok: true, value: { type: 'duration', ns: d.ns } } : bad('a duration such as 4h0m0s');
    }
    case 'list':
      return { ok: true, value: { type: 'list', value: (text ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '') } };
    case 'map': {
      const value: Record<string, string> = {};
      const sep = spec.mapSeparator ?? '=';
      for (const o of occ) {
        for (const pair of (o.value ?? '').split(',')) {
          if (pair.trim() === '') continue;
          const at = pair.indexOf(sep);
          if (at <= 0) return { ok: false, error: `${o.raw}: "${pair}" is not key${sep}value; the kubelet refuses to start` };
          value[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
        }
      }
      return { ok: true, value: { type: 'map', value } };
    }
  }
}
