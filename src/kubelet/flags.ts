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
  /** Words that are not flags: the kubelet refuses to start with any ("unknown command"). */
  readonly positional: readonly string[];
  /** Words pflag itself rejects (a value-taking flag last with no value, an unknown shorthand): the kubelet exits. */
  readonly errors?: readonly string[];
}

/** The kubelet's flag set normalises names with cliflag.WordSepNormalizeFunc: every `_` is a `-`. */
export const normalizeFlagName = (name: string): string => name.replaceAll('_', '-');

/** The kubelet's only shorthands: klog's -v (takes a value) and -h (help, a boolean). */
const shorthandTakesValue: Readonly<Record<string, boolean>> = { v: true, h: false };

/**
 * pflag's parseArgs as the kubelet's flag set runs it: `--` ends the flags, `--name=value`, `--name value` (the
 * next word is taken even when it starts with `-`), a boolean flag alone is true, and a lone `-` or a word without
 * a dash is a positional argument.
 */
export function parseKubeletArgs(args: readonly string[]): ParsedArgs {
  const flags: FlagOccurrence[] = [];
  const positional: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] ?? '';
    if (w === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!w.startsWith('-') || w === '-') {
      positional.push(w);
      continue;
    }
    if (!w.startsWith('--')) {
      const c = w[1] ?? '';
      const takes = shorthandTakesValue[c];
      if (takes === undefined) {
        errors.push(`${w}: unknown shorthand flag '${c}' (pflag reads a single dash as one-letter flags)`);
        continue;
      }
      const name = c === 'v' ? 'v' : 'help';
      const rest = w.slice(2);
      if (!takes) flags.push({ name, value: rest.startsWith('=') ? rest.slice(1) : undefined, raw: w, index: i });
      else if (rest !== '') flags.push({ name, value: rest.startsWith('=') ? rest.slice(1) : rest, raw: w, index: i });
      else if (i + 1 < args.length) {
        flags.push({ name, value: args[i + 1], raw: `${w} ${args[i + 1] ?? ''}`, index: i });
        i++;
      } else errors.push(`${w}: flag needs an argument`);
      continue;
    }
    const body = w.slice(2);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) {
      errors.push(`${w}: bad flag syntax`);
      continue;
    }
    const eq = body.indexOf('=');
    const name = normalizeFlagName(eq < 0 ? body : body.slice(0, eq));
    if (eq >= 0) {
      flags.push({ name, value: body.slice(eq + 1), raw: w, index: i });
      continue;
    }
    if (boolFlags.has(name)) {
      flags.push({ name, value: undefined, raw: w, index: i });
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) {
      errors.push(`${w}: flag needs an argument`);
      continue;
    }
    flags.push({ name, value: next, raw: `${w} ${next}`, index: i });
    i++;
  }
  return { flags, positional, ...(errors.length ? { errors } : {}) };
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
