// containerd's LoadConfig, per release: read the main file, follow `imports` breadth-first, merge each file the way
// that release merges, then validate the result — so a verdict says what the daemon would do on its next start.
import type { ConfigVersion, ContainerdConfig } from './containerd-config.ts';
import { readContainerdFile } from './containerd-config.ts';
import { uriAccepted, v1MigratePluginName, type LoaderRules } from './containerd-rules.ts';
import { goTomlRefusal } from './go-toml-strictness.ts';
import type { TomlItem, TomlTable } from './toml-strict.ts';
import { exactLineOf } from './toml-strict.ts';

/** What the probe knows of one path. */
export type FileRead =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'missing' }
  /** A directory or other non-file a glob matched: containerd's read of it fails. */
  | { readonly kind: 'not-a-file'; readonly type: string }
  | { readonly kind: 'unknown'; readonly why: string };
/** The files a glob matched on the node, sorted as Go's filepath.Glob returns them. */
export type GlobRead = { readonly kind: 'matches'; readonly paths: readonly string[] } | { readonly kind: 'unknown'; readonly why: string };

export interface LoadSource {
  readonly read: (path: string) => FileRead;
  readonly glob: (pattern: string) => GlobRead;
}

export type LoadOutcome =
  | { readonly kind: 'loaded'; readonly config: ContainerdConfig; readonly files: readonly string[] }
  /**
   * containerd refuses to start: `error` is the text it prints after "containerd: ", except for TOML syntax
   * (`syntax`), where it is nodegate's strict parser's explanation (go-toml words it differently).
   */
  | { readonly kind: 'refused'; readonly error: string; readonly file: string; readonly line: number | undefined; readonly syntax?: boolean }
  /** The probe could not see something containerd would read. */
  | { readonly kind: 'unknown'; readonly why: string; readonly file: string };

type Obj = Record<string, unknown>;
const isTable = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
/** Go's zero values: mergo.WithOverride does not let them replace a set field. */
const isGoZero = (x: unknown): boolean => x === 0 || x === '' || x === false || (Array.isArray(x) && x.length === 0);

// Go's path/filepath on Linux, for import paths.
const clean = (p: string): string => {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !abs) out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined === '' ? '.' : joined;
};
const dirname = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
};
const join = (dir: string, p: string): string => clean(`${dir}/${p}`);

/** resolveImports: relative paths against the importing file's directory; globs there too, or against the cwd on old releases. */
export function resolveImports(parent: string, imports: readonly string[], rules: LoaderRules, glob: LoadSource['glob']): { ok: true; paths: string[] } | { ok: false; why: string } {
  const out: string[] = [];
  for (const raw of imports) {
    const isGlob = raw.includes('*');
    let path = raw;
    // containerd before 1.6.29 / 1.7.16 handed a relative glob to filepath.Glob as written: relative to its working
    // directory, which is / for a systemd service without WorkingDirectory=.
    if (!isGlob || rules.relativeGlobBase === 'config-dir') {
      path = clean(path);
      if (!path.startsWith('/')) path = join(dirname(parent), path);
    } else if (!path.startsWith('/')) path = join('/', path);
    if (!isGlob) {
      out.push(path);
      continue;
    }
    const m = glob(path);
    if (m.kind === 'unknown') return { ok: false, why: m.why };
    out.push(...m.paths);
  }
  return { ok: true, paths: out };
}

/** mergo.Merge(WithOverride) of plugin tables in 2.x: tables merge key by key, anything else is replaced. */
function deepMerge(to: Obj, from: Obj): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = to[k];
    if (isTable(cur) && isTable(v)) deepMerge(cur, v);
    else to[k] = isTable(v) ? structuredClone(v) : v;
  }
}

const mergeList = (to: unknown, from: unknown, rules: LoaderRules): unknown => {
  const a = Array.isArray(to) ? to : [];
  const b = Array.isArray(from) ? from : [];
  if (rules.listMerge === 'append') return [...a, ...b];
  return [...a, ...b.filter((x) => !a.includes(x))];
};

const listKeys = new Set(['disabled_plugins', 'required_plugins', 'imports']);

interface Merged {
  value: Obj;
  /** Items, the latest writer first, so a lookup finds the line containerd's value came from. */
  items: TomlItem[];
  /** 1.x: plugin sections an import replaced whole, with the file that replaced them. */
  replaced: Array<{ plugin: string; by: string }>;
}

function mergeFile(out: Merged, value: Obj, items: readonly TomlItem[], file: string, rules: LoaderRules): void {
  const tagged = items.map((i) => ({ ...i, file }));
  for (const [k, v] of Object.entries(value)) {
    if (k === 'plugins' && isTable(v)) {
      const plugins = isTable(out.value['plugins']) ? (out.value['plugins'] as Obj) : (out.value['plugins'] = {});
      for (const [id, section] of Object.entries(v)) {
        if (rules.pluginMerge === 'replace-section' || !isTable(plugins[id]) || !isTable(section)) {
          // 1.x: `to.Plugins[k] = v` — the earlier files' lines for this plugin no longer count.
          if (plugins[id] !== undefined) out.replaced.push({ plugin: id, by: file });
          plugins[id] =  isTable(section) ? structuredClone(section) : section;
          out.items = out.items.filter((i) => !(i.path[0] === 'plugins' && i.path[1] === id));
        } else deepMerge(plugins[id] as Obj, section);
      }
    } else if (listKeys.has(k)) out.value[k] = mergeList(out.value[k], v, rules);
    else if (isTable(v) && isTable(out.value[k])) {
      for (const [field, x] of Object.entries(v)) if (!isGoZero(x)) (out.value[k] as Obj)[field] = x;
    } else if (!isGoZero(v)) out.value[k] = isTable(v) ? structuredClone(v) : v;
  }
  out.items = [...tagged, ...out.items];
}

/** A top-level list key (disabled_plugins, required_plugins, imports) that is not a list of strings. */
function listTypeError(value: Obj, items: readonly TomlItem[]): { what: string; line: number | undefined } | undefined {
  for (const key of listKeys) {
    const x = value[key];
    if (x === undefined) continue;
    if (!Array.isArray(x) || x.some((e) => typeof e !== 'string')) {
      return { what: `${key} = ${JSON.stringify(x)} is not a list of strings`, line: exactLineOf(items, [key]) };
    }
  }
  return undefined;
}

/** 2.x: a version 0/1 file gets URIs for its short plugin names before it is merged (MigrateConfigTo → v1Migrate). */
function migrateV1(value: Obj, target: number): Obj {
  const copy: Obj = { ...value, version: target };
  if (isTable(value['plugins'])) copy['plugins'] = Object.fromEntries(Object.entries(value['plugins']).map(([k, v]) => [v1MigratePluginName(k), v]));
  for (const key of ['disabled_plugins', 'required_plugins']) if (Array.isArray(value[key])) copy[key] = strings(value[key]).map(v1MigratePluginName);
  return copy;
}

function validate(value: Obj, version: number, rules: LoaderRules, items: readonly TomlItem[], file: string): { error: string; line: number | undefined } | undefined {
  const wrap = (e: string): string => `failed to load TOML from ${file}: ${e}`;
  if (rules.major === 1) {
    if (version < 2) return undefined;
    if (rules.maxConfigVersion !== undefined && version > rules.maxConfigVersion) {
      return { error: wrap(`unsupported config version \`${version}\``), line: exactLineOf(items, ['version']) };
    }
  } else if (rules.maxConfigVersion !== undefined && version > rules.maxConfigVersion) {
    return { error: wrap(`expected containerd config version equal to or less than \`${rules.maxConfigVersion}\`, got \`${version}\``), line: exactLineOf(items, ['version']) };
  }
  for (const [key, what] of [['disabled_plugins', 'disabled plugin'], ['required_plugins', 'required plugin']] as const) {
    const bad = strings(value[key]).find((p) => !uriAccepted(rules, p));
    if (bad !== undefined) return { error: wrap(`invalid ${what} URI ${JSON.stringify(bad)} expect io.containerd.x.vx`), line: exactLineOf(items, [key]) };
  }
  if (rules.checksPluginKeys && isTable(value['plugins'])) {
    // Go ranges over a map in random order: with several bad keys containerd names any one of them.
    const bad = Object.keys(value['plugins']).find((p) => !uriAccepted(rules, p));
    if (bad !== undefined) return { error: wrap(`invalid plugin key URI ${JSON.stringify(bad)} expect io.containerd.x.vx`), line: items.find((i) => i.path[0] === 'plugins' && i.path[1] === bad)?.line };
  }
  return undefined;
}

/**
 * The disabled_plugins entries that turn CRI off: 1.x's server.go picks V1DisabledFilter (plugin ID) for a version 1
 * config and V2DisabledFilter (URI) otherwise; 2.x has the CRI service and its runtime and image plugins.
 */
function criIds(version: number, rules: LoaderRules): string[] {
  if (rules.major === 1) return version <= 1 ? ['cri'] : ['io.containerd.grpc.v1.cri'];
  return ['io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images'];
}

/** The plugin names the running release reads: what RT-2.2.2/2.2.3 look up in the merged tables. */
function tableVersion(version: number, rules: LoaderRules): ConfigVersion {
  // 1.x has only "version 1 or not": Decode looks plugins up by URI for any other number (config.go Decode).
  if (rules.major === 1) return version <= 1 ? 1 : 2;
  return version <= 2 ? 2 : 3;
}

/** LoadConfig of the release `rules` describes, over what the probe read. `main` must be readable text. */
export function loadContainerdConfig(mainPath: string, source: LoadSource, rules: LoaderRules): LoadOutcome {
  const out: Merged = { value: { version: rules.major === 1 ? 1 : 3 }, items: [], replaced: [] };
  const loaded: string[] = [];
  const pending = [mainPath];
  let last = mainPath;
  let mainVersion = 0;
  let declared = false;
  const lenient: string[] = [];
  while (pending.length > 0) {
    const path = pending.shift() as string;
    // The loop assigns LoadConfig's `path` parameter, so the final error names the last path taken from the queue.
    last = path;
    if (loaded.includes(path)) continue;
    const read = source.read(path);
    if (read.kind === 'unknown') return { kind: 'unknown', why: read.why, file: path };
    if (read.kind === 'missing') {
      const open = `open ${path}: no such file or directory`;
      return { kind: 'refused', error: rules.major === 1 ? `failed to load TOML: ${path}: ${open}` : open, file: path, line: undefined };
    }
    if (read.kind === 'not-a-file') {
      const why = `read ${path}: ${read.type === 'directory' ? 'is a directory' : `is a ${read.type}`}`;
      return { kind: 'refused', error: rules.major === 1 ? `failed to load TOML: ${path}: ${why}` : why, file: path, line: undefined };
    }
    // 1.x decodes with go-toml v1, which loads a few forms TOML 1.0 refuses (containerd-go-toml-v1.ts).
    const parsed = readContainerdFile(read.text, rules.major === 1);
    if (!parsed.ok && 'refusal' in parsed) return { kind: 'refused', error: `failed to load TOML: ${path}: ${parsed.refusal.message}`, file: path, line: parsed.refusal.line };
    if (!parsed.ok) return { kind: 'refused', error: path === mainPath ? parsed.problem.message : `${path}: ${parsed.problem.message}`, file: path, line: parsed.problem.line, syntax: true };
    if (parsed.lenient) lenient.push(...parsed.lenient.map((l) => `${path}: ${l}`));
    const go = goTomlRefusal(read.text, rules.major === 1);
    if (go) {
      // 1.x: go-toml v1's own text (proven against containerd 1.6.20); 2.x's go-toml v2 words it differently.
      return rules.major === 1
        ? { kind: 'refused', error: `failed to load TOML: ${path}: (${go.line}, ${go.column}): ${go.message}`, file: path, line: go.line }
        : { kind: 'refused', error: `${path}: line ${go.line}, column ${go.column}: ${go.message} (TOML 1.0 has no such escape)`, file: path, line: go.line, syntax: true };
    }
    const typeError = listTypeError(parsed.value, parsed.items);
    if (typeError) {
      // go-toml cannot put a non-list into Config's []string fields; 1.x words it "(row, col): Can't convert ...".
      return { kind: 'refused', error: `${path}: ${typeError.what}, so containerd cannot decode the file`, file: path, line: typeError.line, syntax: true };
    }
    if (path === mainPath) mainVersion = parsed.version;
    if (parsed.version !== 0) declared = true;
    const current = typeof out.value['version'] === 'number' ? out.value['version'] : 0;
    const migrate = rules.major === 2 && parsed.version <= 1;
    const value = migrate ? migrateV1(parsed.value, current) : parsed.value;
    const items = migrate ? parsed.items.map((i) => (i.path[0] === 'plugins' && i.path[1] !== undefined ? { ...i, path: ['plugins', v1MigratePluginName(i.path[1]), ...i.path.slice(2)] } : i)) : parsed.items;
    mergeFile(out, value, items, path, rules);
    const imports = resolveImports(path, strings(parsed.value['imports']), rules, source.glob);
    if (!imports.ok) return { kind: 'unknown', why: imports.why, file: path };
    loaded.push(path);
    pending.push(...imports.paths);
  }
  const version = typeof out.value['version'] === 'number' ? out.value['version'] : 1;
  const bad = validate(out.value, version, rules, out.items, last);
  if (bad) return { kind: 'refused', error: bad.error, file: last, line: bad.line };
  const readAs1x =
    rules.major === 1 && version > 2
      ? `containerd ${rules.release} reads version ${version} like version 2 (plugins by URI, so the version 3 plugin names are unknown to it); 1.6.32 and 1.7.17 refuse the file`
      : undefined;
  const readAs =
    readAs1x ??
    (rules.major === 2 && mainVersion <= 1
      ? `containerd ${rules.release} converts this version ${mainVersion === 0 ? '1 (no `version` key)' : '1'} file to version ${version} on load: short plugin IDs become URIs, but the CRI settings stay under "io.containerd.grpc.v1.cri", which the version ${version} CRI plugins do not read`
      : undefined);
  const config: ContainerdConfig = {
    value: out.value as TomlTable,
    items: out.items,
    version: tableVersion(version, rules),
    versionDeclared: declared,
    ...(loaded.length > 1 ? { files: loaded } : {}),
    ...(readAs && version >= 3 ? { readAs } : {}),
    ...(out.replaced.length > 0 ? { replacedSections: out.replaced } : {}),
    ...(lenient.length > 0 ? { lenient } : {}),
    criPluginIds: criIds(version, rules),
  };
  return { kind: 'loaded', config, files: loaded };
}
