// The kubelet's effective configuration: /configz (when given) over the command line over --config-dir drop-ins
// over the --config file over the kubelet's defaults, every value typed and tagged with the layer it came from.
import type { NodeFacts } from '../facts/types.ts';
import { kubeletCommandLine, describeOrigin, type CommandLine } from './command-line.ts';
import { isZero, mergeConfig, parseKubeletConfig, typedFromFile, valueAtPath, type ConfigObject } from './config-file.ts';
import { fieldSpec, formatTyped, type FieldSpec, type Typed } from './fields.ts';
import { occurrences, typedFromFlag, type FlagOccurrence } from './flags.ts';
import { kubeletService, systemdReportedPaths, type KubeletService, type Origin } from './systemd-unit.ts';

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

  const dirPath = lastFlag('config-dir')?.value;
  let configDir: EffectiveConfig['configDir'] = null;
  if (dirPath) {
    const d = facts.dirs[dirPath];
    if (d === undefined) {
      configDir = { path: dirPath, state: 'unknown', files: [] };
      blocking.push(`--config-dir ${dirPath} was not listed by the probe (it is read in the probe's second round)`);
    } else if (d.state === 'missing') configDir = { path: dirPath, state: 'missing', files: [] };
    else {
      const names = d.entries.filter((n) => n.endsWith('.conf')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const files = names.map((n) => readConfig(facts, `${dirPath.replace(/\/+$/, '')}/${n}`, 'drop-in'));
      for (const f of files) if (f.state !== 'ok') blocking.push(f.error ?? f.path);
      configDir = { path: dirPath, state: 'ok', files };
    }
  }
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
    const s = computeSetting(spec, { configz, commandLine, configFile, dropIns: configDir?.files ?? [], legacy });
    cache.set(field, s);
    return s;
  };
  const flag: EffectiveConfig['flag'] = (name) => {
    const f = lastFlag(name);
    if (!f) return undefined;
    const origin = commandLine?.origins[f.index];
    return { value: f.value, raw: f.raw, ...(origin ? { origin } : {}) };
  };
  return { service, commandLine, configFile, configDir, configz: configz !== undefined, blocking, setting, flag };
}

interface Inputs {
  readonly configz: ConfigObject | undefined;
  readonly commandLine: CommandLine | null;
  readonly configFile: ConfigFileRead | null;
  readonly dropIns: readonly ConfigFileRead[];
  readonly legacy: boolean;
}

function fileLayer(spec: FieldSpec, f: ConfigFileRead, kind: 'file' | 'drop-in'): LayerValue | undefined {
  if (!f.object) return undefined;
  const v = valueAtPath(f.object, spec.field);
  if (v === undefined) return undefined;
  const raw = `${spec.field}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`;
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
  if (spec.flag && inp.commandLine) {
    const occ = occurrences(inp.commandLine.parsed, spec.flag);
    const last = occ.at(-1);
    if (last) {
      const t = typedFromFlag(spec, occ);
      const origin = inp.commandLine.origins[last.index];
      layers.push({ kind: 'cmdline', label: 'cmdline', raw: occ.map((o) => o.raw).join(' '), ...(t.ok ? { value: t.value } : { error: t.error }), ...(origin ? { origin } : {}) });
    }
  }
  for (const d of [...inp.dropIns].reverse()) {
    const l = fileLayer(spec, d, 'drop-in');
    if (l) layers.push(l);
  }
  if (inp.configFile) {
    const l = fileLayer(spec, inp.configFile, 'file');
    if (l) layers.push(l);
  }
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
  if (winner.error) return { ...base, error: winner.error };
  if ((winner.kind === 'file' || winner.kind === 'drop-in') && spec.zeroIsDefault && winner.value && isZero(winner.value) && spec.default) {
    return { ...base, value: spec.default, defaulted: true };
  }
  return { ...base, ...(winner.value ? { value: winner.value } : {}) };
}

const sameTyped = (a: Typed | undefined, b: Typed | undefined): boolean => formatTyped(a) === formatTyped(b) && a?.type === b?.type;

/** "readOnlyPort = 0 (cmdline: --read-only-port=0, $KUBELET_EXTRA_ARGS from /etc/default/kubelet:1)". */
export function describeWinner(s: Setting): string {
  const w = s.winner;
  const from = w.kind === 'default' ? w.raw : `${w.label}: ${w.raw}${w.origin ? `, ${describeOrigin(w.origin)}` : ''}`;
  const defaulted = s.defaulted ? ` → the kubelet's default ${formatTyped(s.value)}` : '';
  return `${formatTyped(s.value)} (${from}${defaulted})`;
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
