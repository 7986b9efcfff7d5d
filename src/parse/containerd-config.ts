// containerd's config.toml as containerd reads it: the schema version decides which table names count,
// so a setting under another version's name is silently ignored and must be reported as such.
import { parseGoTomlV1, type GoTomlV1Result } from './containerd-go-toml-v1.ts';
import { exactLineOf, fileOf, formatKeyPath, lineOf, parseTomlStrict, type StrictTomlResult, type TomlItem, type TomlProblem, type TomlTable } from './toml-strict.ts';

export type ConfigVersion = 1 | 2 | 3;

/** Names that disable the CRI plugin in `disabled_plugins`: the v1 ID and the v2/v3 plugin URIs. */
export const criPluginNames: readonly string[] = ['cri', 'io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images'];

/**
 * The runc options table per config version. Version 1 (also a file without `version`) uses short plugin
 * IDs ("cri"), version 2 the 1.x URI, version 3 (containerd 2.x) the split runtime plugin.
 */
export const runcOptionsPath: Readonly<Record<ConfigVersion, readonly string[]>> = {
  1: ['plugins', 'cri', 'containerd', 'runtimes', 'runc', 'options'],
  2: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc', 'options'],
  3: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc', 'options'],
};

export interface ContainerdConfig {
  readonly value: TomlTable;
  readonly items: readonly TomlItem[];
  readonly version: ConfigVersion;
  /** False when the file has no `version` key and containerd assumes 1. */
  readonly versionDeclared: boolean;
  /** The files merged into this view, main file first (set by the loader when there are imports). */
  readonly files?: readonly string[];
  /** How the running release reads the plugin names, when that differs from what `version` suggests. */
  readonly readAs?: string;
  /**
   * The disabled_plugins entries that switch CRI off for the release that loaded the file: 1.x matches a version 1
   * file's entries against plugin IDs ("cri") and a version 2 file's against URIs; 2.x knows the split CRI plugins.
   */
  readonly criPluginIds?: readonly string[];
  /** containerd 1.x: what go-toml v1 loaded that TOML 1.0 and containerd 2.x refuse ("FILE: line N: …"). */
  readonly lenient?: readonly string[];
  /** containerd 1.x: plugin sections an import replaced whole (earlier files' settings there are gone). */
  readonly replacedSections?: ReadonlyArray<{ readonly plugin: string; readonly by: string }>;
}

export type ContainerdConfigResult =
  | { readonly ok: true; readonly config: ContainerdConfig }
  | { readonly ok: false; readonly problem: TomlProblem };

/** Parse strictly and read the schema version; a version containerd rejects is a problem too. */
export function readContainerdConfig(text: string): ContainerdConfigResult {
  const parsed = parseTomlStrict(text);
  if (!parsed.ok) return parsed;
  const declared = parsed.value['version'];
  if (declared === undefined) return { ok: true, config: { value: parsed.value, items: parsed.items, version: 1, versionDeclared: false } };
  if (declared === 1 || declared === 2 || declared === 3) {
    return { ok: true, config: { value: parsed.value, items: parsed.items, version: declared, versionDeclared: true } };
  }
  const line = exactLineOf(parsed.items, ['version']) ?? 1;
  return {
    ok: false,
    problem: { message: `line ${line}: version = ${JSON.stringify(declared)} is not a containerd config version (1, 2 or 3)`, line, column: 1 },
  };
}

/**
 * One file as containerd's decoder sees it: TOML, `version` any integer (0 when absent). `goTomlV1` (containerd
 * 1.x) also loads what go-toml v1 accepts beyond TOML 1.0 (containerd-go-toml-v1.ts), naming it in `lenient`.
 */
export type ContainerdFileResult =
  | { readonly ok: true; readonly value: TomlTable; readonly items: readonly TomlItem[]; readonly version: number; readonly lenient?: readonly string[] }
  | { readonly ok: false; readonly problem: TomlProblem }
  /** go-toml v1's own refusal, as containerd 1.x prints it after "failed to load TOML: P: ". */
  | { readonly ok: false; readonly refusal: { readonly message: string; readonly line: number } };

export function readContainerdFile(text: string, goTomlV1 = false): ContainerdFileResult {
  const strict = (r: StrictTomlResult): GoTomlV1Result => (r.ok ? { ...r, lenient: [] } : r);
  const parsed = goTomlV1 ? parseGoTomlV1(text) : strict(parseTomlStrict(text));
  if (!parsed.ok) return parsed;
  const lenient = parsed.lenient.length > 0 ? { lenient: parsed.lenient } : {};
  const declared = parsed.value['version'];
  if (declared === undefined) return { ok: true, value: parsed.value, items: parsed.items, version: 0, ...lenient };
  if (typeof declared === 'number' && Number.isInteger(declared)) return { ok: true, value: parsed.value, items: parsed.items, version: declared, ...lenient };
  const line = exactLineOf(parsed.items, ['version']) ?? 1;
  // go-toml refuses to put a string or float into Config.Version (an int): "failed to unmarshal TOML".
  return { ok: false, problem: { message: `line ${line}: version = ${JSON.stringify(declared)} is not an integer, so containerd cannot decode the file`, line, column: 1 } };
}

/** The value at a key path, or undefined when any step is missing or not a table. */
export function valueAt(root: TomlTable, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as TomlTable)[key];
  }
  return node;
}

export type DisabledPlugins =
  | { readonly kind: 'unset' }
  | { readonly kind: 'list'; readonly names: readonly string[]; readonly line: number | undefined; readonly file?: string }
  | { readonly kind: 'invalid'; readonly value: unknown; readonly line: number | undefined };

export function disabledPlugins(config: ContainerdConfig): DisabledPlugins {
  const value = config.value['disabled_plugins'];
  const line = exactLineOf(config.items, ['disabled_plugins']);
  if (value === undefined) return { kind: 'unset' };
  const file = fileOf(config.items, ['disabled_plugins']);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { kind: 'list', names: value, line, ...(file ? { file } : {}) };
  return { kind: 'invalid', value, line };
}

export interface OptionsTable {
  readonly version: ConfigVersion;
  /** The table as TOML spells it, e.g. plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options. */
  readonly name: string;
  readonly line: number | undefined;
  readonly present: boolean;
  /** SystemdCgroup's value when the key is there (any type), and its line. */
  readonly systemdCgroup: unknown;
  readonly keyLine: number | undefined;
  /** With imports: the file the table and the key were read from. */
  readonly file?: string;
  readonly keyFile?: string;
}

function optionsTable(config: ContainerdConfig, version: ConfigVersion): OptionsTable {
  const path = runcOptionsPath[version];
  const table = valueAt(config.value, path);
  const present = typeof table === 'object' && table !== null && !Array.isArray(table);
  const keyPath = [...path, 'SystemdCgroup'];
  return {
    version,
    name: formatKeyPath(path),
    line: present ? lineOf(config.items, path) : undefined,
    present,
    systemdCgroup: present ? (table as TomlTable)['SystemdCgroup'] : undefined,
    keyLine: present ? lineOf(config.items, keyPath) : undefined,
    ...(present && fileOf(config.items, path) ? { file: fileOf(config.items, path) } : {}),
    ...(present && fileOf(config.items, keyPath) ? { keyFile: fileOf(config.items, keyPath) } : {}),
  };
}

export interface SystemdCgroupFinding {
  /** The table containerd reads for this file's version. */
  readonly effective: OptionsTable;
  /** Tables of other config versions present in the file: containerd ignores them. */
  readonly ignored: readonly OptionsTable[];
}

/** Where this file sets (or fails to set) runc's SystemdCgroup, and which look-alike tables do nothing. */
export function findSystemdCgroup(config: ContainerdConfig): SystemdCgroupFinding {
  const others = ([1, 2, 3] as const).filter((v) => v !== config.version);
  return {
    effective: optionsTable(config, config.version),
    ignored: others.map((v) => optionsTable(config, v)).filter((t) => t.present),
  };
}
