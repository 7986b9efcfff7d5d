// Loads the profile: built-in defaults, overridden by a user's YAML file, validated with field-level errors.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UsageError } from '../errors.ts';
import { defaultProfile } from './defaults.ts';
import { dottedKey, profileSchema, type Profile } from './schema.ts';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; lists and scalars in the override replace the default. */
export function mergeOverrides(base: unknown, override: unknown): unknown {
  if (!isPlain(base) || !isPlain(override)) return override === undefined ? base : override;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverrides(base[key], value);
  return out;
}

export function validateProfile(data: unknown, where: string): Profile {
  const result = profileSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(top level)';
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  throw new UsageError(`${where}: profile field "${field}": ${issue?.message ?? 'invalid'}${more}`, 'fix the field (see README, "Profile overrides")');
}

/** The profile part of a nodegate config or profile file: its `profile:` key if it has one, else the whole file. */
export async function readProfileOverrides(file: string): Promise<unknown> {
  const doc = await readYamlFile(file);
  return isPlain(doc) && 'profile' in doc ? doc.profile : doc;
}

export async function readYamlFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, 'check the path', { cause });
  }
  try {
    return parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (cause) {
    if (cause instanceof YAMLParseError) {
      const at = cause.linePos?.[0];
      const where = at ? `${file}:${at.line}:${at.col}` : file;
      throw new UsageError(`${where}: not valid YAML: ${cause.message.split('\n')[0]}`, 'fix the YAML syntax', { cause });
    }
    throw cause;
  }
}

/**
 * One layer's sysctl maps with their keys in dotted form, so `net/ipv4/ip_forward` overrides the default
 * `net.ipv4.ip_forward` instead of standing beside it. Two spellings of one key in one layer stay apart, for the
 * schema to name.
 */
function normaliseSysctlKeys(layer: Plain): Plain {
  const out: Plain = { ...layer };
  for (const field of ['sysctls', 'kernelDefaults'] as const) {
    const map = layer[field];
    if (!isPlain(map)) continue;
    const keys = Object.keys(map).map(dottedKey);
    if (new Set(keys).size !== keys.length) continue;
    out[field] = Object.fromEntries(Object.entries(map).map(([k, v]) => [dottedKey(k), v]));
  }
  return out;
}

/** Defaults, then each override in order (config file's profile, then --profile FILE). */
export function buildProfile(overrides: readonly { data: unknown; file: string }[]): Profile {
  let merged: unknown = defaultProfile;
  let profile = validateProfile(merged, 'built-in profile');
  for (const o of overrides) {
    if (o.data !== undefined && o.data !== null && !isPlain(o.data)) {
      throw new UsageError(`${o.file}: a profile must be a mapping of fields, got ${Array.isArray(o.data) ? 'a list' : typeof o.data}`, 'see README, "Profile overrides"');
    }
    merged = mergeOverrides(merged, normaliseSysctlKeys(isPlain(o.data) ? o.data : {}));
    // Validated after each layer so the error names the file that introduced it.
    profile = validateProfile(merged, o.file);
  }
  return profile;
}
