// The kubelet's effective configuration: /configz (when given) over the command line over --config-dir drop-ins
// over the --config file over the kubelet's defaults, every value typed and tagged with the layer it came from.
import type { NodeFacts } from '../facts/types.ts';
import { kubeletCommandLine, describeOrigin, type CommandLine } from './command-line.ts';
import { isZero, mergeConfig, parseKubeletConfig, typedFromFile, valueAtPath, type ConfigObject } from './config-file.ts';
import { fieldSpec, formatTyped, type FieldSpec, type Typed } from './fields.ts';
import { occurrences, typedFromFlag, type FlagOccurrence } from './flags.ts';
import { kubeletService, systemdReportedPaths, type KubeletService, type Origin } from './systemd-unit.ts';
import { configDirAlphaEnv, configDirRule, dropInsDefaultedAfterMerge, kubeletVersion, type KubeletVersion } from './version.ts';

export type LayerKind = 'configz' | 'cmdline' | 'drop-in' | 'file' | 'default';

export interface LayerValue {
  readonly kind: LayerKind;
  /** "cmdline", "file:/var/lib/kubelet/config.yaml", "drop-in:/etc/kubernetes/kubelet.conf.d/10.conf", "default", "configz". */
  readonly label: string;
  /** As written: "--read-only-port=0", "readOnlyPort: 10255", "v1beta1 default". */
  readonly raw: string;
  readonly value?: Typed;
  /** Why the written value is not usable (wrong type): the kubelet refuses it. */
  readonly error?: string;
  /** For a flag: the file (and variable) that put it on the command line. */
  readonly origin?: Origin;
  /** A drop-in's `field: null`: JSON merge patch (RFC 7386) deletes the key from the merged configuration. */
  readonly deleted?: boolean;
}

export interface Setting {
  readonly field: string;
  readonly flag?: string;
  /** The effective value after the kubelet's defaulting; undefined when unset with no default, or in error. */
  readonly value?: Typed;
  readonly error?: string;
  /** The layer that decided the value. */
  readonly winner: LayerValue;
  /** A zero in a file replaced by the default (streamingConnectionIdleTimeout: 0s → 4h0m0s). */
  readonly defaulted?: boolean;
  /** How the kubelet's merge produced the value when it is not simply the winner's (maps merged, a zero kept). */
  readonly note?: string;
  /** Every layer that speaks about the field, highest precedence first (the default last). */
  readonly layers: readonly LayerValue[];
}

export interface ConfigFileRead {
  readonly path: string;
  readonly label: string;
  readonly state: 'ok' | 'missing' | 'unknown' | 'invalid';
  readonly object?: ConfigObject;
  readonly error?: string;
}

export interface EffectiveConfig {
  readonly service: KubeletService;
  readonly commandLine: CommandLine | null;
  /** The --config file, null when the kubelet runs without one. */
  readonly configFile: ConfigFileRead | null;
  readonly configDir: { readonly path: string; readonly state: 'ok' | 'missing' | 'unknown'; readonly files: readonly ConfigFileRead[] } | null;
  readonly configz: boolean;
  /** The kubelet's minor, whose rules built this configuration. */
  readonly version: KubeletVersion;
  /** Why the configuration cannot be trusted; checks of settings error with these. */
  readonly blocking: readonly string[];
  setting(field: string): Setting;
  /** The last value of a flag that has no config field (--kubeconfig, --hostname-override). */
  flag(name: string): { readonly value: string | undefined; readonly raw: string; readonly origin?: Origin } | undefined;
}

function readConfig(facts: NodeFacts, path: string, kind: 'file' | 'drop-in'): ConfigFileRead {
  const label = `${kind}:${path}`;
  const f = facts.files[path];
  if (f === undefined) return { path, label, state: 'unknown', error: `${path} was not read by the probe (it is read in the probe's second round)` };
  if (f.state === 'missing') return { path, label, state: 'missing', error: `${path} does not exist: the kubelet cannot start with it` };
  if (f.state === 'unreadable') return { path, label, state: 'unknown', error: `${path} is unreadable: ${f.error}` };
  if (f.content === undefined) return { path, label, state: 'unknown', error: `${path} is a ${f.type}, not a readable file` };
  const parsed = parseKubeletConfig(f.content);
  return parsed.ok ? { path, label, state: 'ok', object: parsed.object } : { path, label, state: 'invalid', error: `${path} is not a kubelet config the kubelet accepts: ${parsed.error}` };
}

const configzInner = (o: object): ConfigObject => {
  const r = o as Record<string, unknown>;
  const inner = r['kubeletconfig'];
  return typeof inner === 'object' && inner !== null ? (inner as ConfigObject) : (r as ConfigObject);
};

export function effectiveConfig(facts: NodeFacts, options: { configz?: object } = {}): EffectiveConfig {
  const service = kubeletService(facts);
  const cl = kubeletCommandLine(facts, service);
  const commandLine = cl.line;
  const blocking: string[] = [];
  if (!commandLine) blocking.push(cl.why ?? 'no kubelet command line');
  // Without a running process the unit files are the only truth: any of them unread makes the command line a guess.
  if (commandLine?.origin === 'systemd' && service.unknown.length > 0) blocking.push(`the kubelet is not running and its unit cannot be fully read: ${service.unknown.join('; ')}`);
  const lastFlag = (name: string): FlagOccurrence | undefined => (commandLine ? occurrences(commandLine.parsed, name).at(-1) : undefined);

  const configPath = lastFlag('config')?.value;
  const configFile = configPath ? readConfig(facts, configPath, 'file') : null;
  if (configFile && configFile.state !== 'ok') blocking.push(configFile.error ?? configFile.path);

  const version = kubeletVersion(facts);
  const dirPath = lastFlag('config-dir')?.value;
  let configDir: EffectiveConfig['configDir'] = null;
  const dirRule = configDirRule(version.minor);
  if (dirPath && dirRule === 'unknown-flag') {
    blocking.push(`kubelet ${version.text} has no --config-dir flag (drop-in directories came in 1.28): it refuses to start with --config-dir=${dirPath}`);
  } else if (dirPath && dirRule === 'alpha-env' && commandLine?.origin === 'systemd' && !service.environment.has(configDirAlphaEnv)) {
    // A running 1.28/1.29 kubelet proves the variable was set; a unit without it would exit at start.
    blocking.push(`kubelet ${version.text} accepts --config-dir only with ${configDirAlphaEnv} in its environment, and the unit sets no such variable: the kubelet refuses to start`);
  }
  if (dirPath) {
    const d = facts.dirs[dirPath];
    if (d === undefined) {
      configDir = { path: dirPath, state: 'unknown', files: [] };
      blocking.push(`--config-dir ${dirPath} was not listed by the probe (it is read in the probe's second round)`);
    } else if (d.state === 'missing') configDir = { path: dirPath, state: 'missing', files: [] };
    else {
      // filepath.WalkDir: entries in lexical order, into subdirectories too; only names whose filepath.Ext is
      // ".conf" are merged. The probe lists one level, so a subdirectory is a place it could not read.
      const base = dirPath.replace(/\/+$/, '');
      const sorted = [...d.entries].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const isDir = (n: string): boolean => {
        const f = facts.files[`${base}/${n}`];
        return f?.state === 'present' && f.type === 'directory';
      };
      for (const n of sorted.filter(isDir)) blocking.push(`${base}/${n} is a subdirectory of --config-dir: the kubelet walks into it and merges its .conf files, which the probe does not read`);
      const names = sorted.filter((n) => n.endsWith('.conf') && !isDir(n));
      const files = names.map((n) => readConfig(facts, `${base}/${n}`, 'drop-in'));
      for (const f of files) if (f.state !== 'ok') blocking.push(f.error ?? f.path);
      configDir = { path: dirPath, state: 'ok', files };
    }
  }
  for (const e of commandLine?.parsed.errors ?? []) blocking.push(`the kubelet's flag parser rejects ${e}: the kubelet refuses to start`);
  if (commandLine && commandLine.parsed.positional.length > 0) {
    blocking.push(`the command line has arguments that are not flags (${commandLine.parsed.positional.map((p) => JSON.stringify(p)).join(' ')}): the kubelet refuses to start`);
  }

  const configz = options.configz ? configzInner(options.configz) : undefined;
  const legacy = configFile === null;
  const cache = new Map<string, Setting>();

  const setting = (field: string): Setting => {
    const hit = cache.get(field);
    if (hit) return hit;
    const spec = fieldSpec(field);
    if (!spec) throw new Error(`no field spec for ${field}`);
    const s = computeSetting(spec, { configz, commandLine, configFile, dropIns: configDir?.files ?? [], legacy, minor: version.minor });
    cache.set(field, s);
    return s;
  };
  const flag: EffectiveConfig['flag'] = (name) => {
    const f = lastFlag(name);
    if (!f) return undefined;
    const origin = commandLine?.origins[f.index];
    return { value: f.value, raw: f.raw, ...(origin ? { origin } : {}) };
  };
  return { service, commandLine, configFile, configDir, configz: configz !== undefined, version, blocking, setting, flag };
}

interface Inputs {
  readonly configz: ConfigObject | undefined;
  readonly commandLine: CommandLine | null;
  readonly configFile: ConfigFileRead | null;
  readonly dropIns: readonly ConfigFileRead[];
  readonly legacy: boolean;
  readonly minor: number;
}

function fileLayer(spec: FieldSpec, f: ConfigFileRead, kind: 'file' | 'drop-in'): LayerValue | undefined {
  if (!f.object) return undefined;
  const v = valueAtPath(f.object, spec.field);
  if (v === undefined) return undefined;
  // JSON null into a Go struct field is a no-op, so in the main file it is the same as leaving the key out.
  if (v === null) return kind === 'drop-in' ? { kind, label: f.label, raw: `${spec.field}: null`, deleted: true } : undefined;
  const raw = `${spec.field}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
  const t = typedFromFile(spec, v);
  return t.ok ? { kind, label: f.label, raw, value: t.value } : { kind, label: f.label, raw, error: t.error };
}

function zeroOf(spec: FieldSpec): Typed {
  switch (spec.type) {
    case 'bool':
      return { type: 'bool', value: false };
    case 'int':
      return { type: 'int', value: 0 };
    case 'string':
      return { type: 'string', value: '' };
    case 'duration':
      return { type: 'duration', ns: 0n };
    case 'list':
      return { type: 'list', value: [] };
    case 'map':
      return { type: 'map', value: {} };
  }
}

const mapOf = (t: Typed | undefined): Readonly<Record<string, string>> => (t?.type === 'map' ? t.value : {});

function computeSetting(spec: FieldSpec, inp: Inputs): Setting {
  const layers: LayerValue[] = [];
  if (inp.configz) {
    const v = valueAtPath(inp.configz, spec.field);
    if (v !== undefined) {
      const t = typedFromFile(spec, v);
      layers.push({ kind: 'configz', label: 'configz', raw: `${spec.field}: ${JSON.stringify(v)}`, ...(t.ok ? { value: t.value } : { error: t.error }) });
    } else {
      // /configz is the defaulted struct serialised with omitempty: an absent field is its zero value.
      layers.push({ kind: 'configz', label: 'configz', raw: `${spec.field} omitted (zero value)`, value: zeroOf(spec) });
    }
  }
  let flagLayer: LayerValue | undefined;
  if (spec.flag && inp.commandLine) {
    const occ = occurrences(inp.commandLine.parsed, spec.flag);
    const last = occ.at(-1);
    if (last) {
      const t = typedFromFlag(spec, occ);
      const origin = inp.commandLine.origins[last.index];
      flagLayer = { kind: 'cmdline', label: 'cmdline', raw: occ.map((o) => o.raw).join(' '), ...(t.ok ? { value: t.value } : { error: t.error }), ...(origin ? { origin } : {}) };
      layers.push(flagLayer);
    }
  }
  const dropIns = inp.dropIns.map((d) => fileLayer(spec, d, 'drop-in')).filter((l): l is LayerValue => l !== undefined);
  layers.push(...[...dropIns].reverse());
  const fileL = inp.configFile ? fileLayer(spec, inp.configFile, 'file') : undefined;
  if (fileL) layers.push(fileL);
  const def = inp.legacy && spec.legacyDefault ? spec.legacyDefault : spec.default;
  const defaultLayer: LayerValue = {
    kind: 'default',
    label: 'default',
    raw: inp.legacy && spec.legacyDefault ? 'flag default (no --config file)' : 'v1beta1 default',
    ...(def ? { value: def } : {}),
  };
  layers.push(defaultLayer);
  const winner = layers[0] ?? defaultLayer;
  const base = { field: spec.field, ...(spec.flag ? { flag: spec.flag } : {}), winner, layers };
  if (winner.kind === 'configz') return { ...base, ...(winner.error ? { error: winner.error } : winner.value ? { value: winner.value } : {}) };

  // The kubelet's own order: the main file (decoded and defaulted), each drop-in merged over it in lexical order,
  // then the flags re-parsed over the result (cmd/kubelet/app/server.go).
  const bad = [fileL, ...dropIns, flagLayer].find((l) => l?.error !== undefined);
  if (bad?.error) return { ...base, error: bad.error };
  let value: Typed | undefined = def;
  let defaulted = false;
  const notes: string[] = [];
  if (fileL?.value) {
    if (spec.zeroIsDefault && isZero(fileL.value) && spec.default) defaulted = true;
    else value = fileL.value;
  }
  const afterMerge = dropInsDefaultedAfterMerge(inp.minor);
  for (const d of dropIns) {
    if (d.deleted) {
      if (afterMerge) {
        value = def;
        defaulted = false;
        notes.push(`${d.label} deletes the key (JSON merge patch), and Kubernetes 1.${inp.minor} defaults the merged result`);
      } else notes.push(`${d.label}'s null deletes nothing: Kubernetes 1.${inp.minor} decodes the merge into the configuration it already holds`);
      continue;
    }
    if (!d.value) continue;
    if (spec.type === 'map' && d.value.type === 'map') {
      // JSON merge patch merges objects key by key, over whatever the main file or the defaults left there.
      const merged = { ...mapOf(value), ...d.value.value };
      if (Object.keys(merged).length !== Object.keys(d.value.value).length) notes.push(`${d.label} merges key by key over the layers below it`);
      value = { type: 'map', value: merged };
      defaulted = false;
      continue;
    }
    if (spec.zeroIsDefault && isZero(d.value) && spec.default) {
      if (afterMerge) {
        value = spec.default;
        defaulted = true;
        continue;
      }
      notes.push(`a zero in a --config-dir drop-in is not defaulted by Kubernetes 1.${inp.minor} (only 1.32 and later default after the merge)`);
    }
    value = d.value;
    defaulted = false;
  }
  if (flagLayer?.value) {
    if (spec.field === 'featureGates' && flagLayer.value.type === 'map') {
      // kubeletConfigFlagPrecedence adds back every gate the files set that the flags do not name.
      const fromFiles = mapOf(value);
      const fromFlags = flagLayer.value.value;
      value = { type: 'map', value: { ...fromFiles, ...fromFlags } };
      if (Object.keys(fromFiles).some((k) => !(k in fromFlags))) notes.push('--feature-gates merges gate by gate into the files\' featureGates');
    } else value = flagLayer.value;
    defaulted = false;
  }
  return { ...base, ...(value ? { value } : {}), ...(defaulted ? { defaulted: true } : {}), ...(notes.length ? { note: notes.join('; ') } : {}) };
}

const sameTyped = (a: Typed | undefined, b: Typed | undefined): boolean => formatTyped(a) === formatTyped(b) && a?.type === b?.type;

/** "readOnlyPort = 0 (cmdline: --read-only-port=0, $KUBELET_EXTRA_ARGS from /etc/default/kubelet:1)". */
export function describeWinner(s: Setting): string {
  const w = s.winner;
  const from = w.kind === 'default' ? w.raw : `${w.label}: ${w.raw}${w.origin ? `, ${describeOrigin(w.origin)}` : ''}`;
  const defaulted = s.defaulted ? ` → the kubelet's default ${formatTyped(s.value)}` : '';
  const note = s.note ? `; ${s.note}` : '';
  return `${formatTyped(s.value)} (${from}${defaulted}${note})`;
}

/** The layers that disagree with the winner, or '' when all layers that speak agree. */
export function describeDisagreement(s: Setting): string {
  const others = s.layers.filter((l) => l !== s.winner && l.kind !== 'default');
  const differing = others.filter((l) => l.error !== undefined || !sameTyped(l.value, s.winner.value));
  const def = s.layers.find((l) => l.kind === 'default');
  if (differing.length === 0) return '';
  const parts = [s.winner, ...others, ...(def && def !== s.winner ? [def] : [])].map(
    (l) => `${l.label}: ${l.kind === 'default' ? `${formatTyped(l.value)} (${l.raw})` : l.raw}${l.origin ? ` (${describeOrigin(l.origin)})` : ''}${l === s.winner ? ' ← wins' : ''}`,
  );
  return `Layers disagree: ${parts.join('; ')}.`;
}

/** Files round two must read: what the command line and config named that round one could not know. */
export function kubeletFlagFiles(facts: NodeFacts): { plainFiles: string[]; dirs: string[]; secretFiles: string[]; stats: string[] } {
  const eff = effectiveConfig(facts);
  const plainFiles: string[] = [];
  const dirs: string[] = [];
  const secretFiles: string[] = [];
  const stats: string[] = [];
  for (const ef of eff.service.environmentFiles) if (ef.state === 'unknown') plainFiles.push(ef.path);
  const reported = systemdReportedPaths(facts);
  for (const p of [reported?.fragment, ...(reported?.dropIns ?? [])]) if (p && facts.files[p] === undefined) plainFiles.push(p);
  const config = eff.flag('config')?.value;
  if (config) plainFiles.push(config);
  const configDir = eff.flag('config-dir')?.value;
  if (configDir) dirs.push(configDir);
  const kubeconfig = eff.flag('kubeconfig')?.value;
  if (kubeconfig) secretFiles.push(kubeconfig);
  const ca = eff.setting('authentication.x509.clientCAFile').value;
  if (ca?.type === 'string' && ca.value !== '') stats.push(ca.value);
  return { plainFiles, dirs, secretFiles, stats };
}
