// The kubelet's service as systemd assembles it from the node's files: which unit file and drop-ins apply in
// which order, the environment (EnvironmentFile= values override every Environment=), and the argv ExecStart
// expands to, each word tagged with the file that put it there.
import type { NodeFacts } from '../facts/types.ts';
import { kubeletCmd, kubeletDropInDirs, kubeletUnitFiles } from './paths.ts';
import { collectConfDirs } from '../facts/conf-dirs.ts';
import { parseEnvFile, parseEnvironmentLine, parseSystemctlShow, parseUnitFile, splitWords } from './systemd-syntax.ts';

/** Where a value was set: a file and line, and for environment values the variable. */
export interface Origin {
  readonly file: string;
  readonly line?: number;
  readonly variable?: string;
  /** 'Environment=' or 'EnvironmentFile=' for variables; 'ExecStart=' for literal words. */
  readonly via?: 'Environment=' | 'EnvironmentFile=' | 'ExecStart=';
}

export interface EnvValue {
  readonly value: string;
  readonly origin: Origin;
  /** Earlier assignments of the same variable that this one overrode, oldest first. */
  readonly overridden: readonly { readonly value: string; readonly origin: Origin }[];
}

export interface ExpandedWord {
  readonly word: string;
  readonly origin: Origin;
}

export interface UnitFileRef {
  readonly path: string;
  /** For drop-ins: same-named files in lower-precedence directories that this one hides. */
  readonly hides?: readonly string[];
}

export interface KubeletService {
  /** The unit file in effect, or null when no kubelet.service exists in the search path. */
  readonly fragment: UnitFileRef | null;
  readonly masked: boolean;
  /** Applied drop-ins in the order systemd applies them (by file name across directories). */
  readonly dropIns: readonly UnitFileRef[];
  /** Drop-ins hidden by a same-named file in a higher-precedence directory. */
  readonly shadowedDropIns: readonly { readonly path: string; readonly by: string }[];
  readonly environment: ReadonlyMap<string, EnvValue>;
  readonly environmentFiles: readonly { readonly path: string; readonly optional: boolean; readonly state: 'read' | 'missing' | 'unknown'; readonly origin: Origin }[];
  readonly execStart: { readonly command: string; readonly origin: Origin } | null;
  /** The argv systemd would exec, with $VAR words expanded. */
  readonly argv: readonly ExpandedWord[];
  /** Things systemd would warn about or refuse (invalid assignments, several ExecStart=, a required env file missing). */
  readonly warnings: readonly string[];
  /** Evidence that could not be read: the model may be incomplete. */
  readonly unknown: readonly string[];
}

function fileText(facts: NodeFacts, path: string): { text?: string; missing?: boolean; unknown?: string } {
  const f = facts.files[path];
  if (f === undefined) return { unknown: `${path} was not read by the probe` };
  if (f.state === 'missing') return { missing: true };
  if (f.state === 'unreadable') return { unknown: `${path} is unreadable: ${f.error}` };
  if (f.content === undefined) return { unknown: `${path} exists (${f.type}) but its content was not captured` };
  return { text: f.content };
}

/** The first existing kubelet.service in systemd's search path. */
function findFragment(facts: NodeFacts): { ref: UnitFileRef | null; masked: boolean; text?: string; unknown: string[] } {
  const unknown: string[] = [];
  for (const path of kubeletUnitFiles) {
    const f = facts.files[path];
    if (f === undefined) {
      unknown.push(`${path} was not read by the probe`);
      continue;
    }
    if (f.state === 'missing') continue;
    if (f.state === 'present' && (f.linkTarget === '/dev/null' || (f.type === 'other' && f.size === 0))) return { ref: { path }, masked: true, unknown };
    const t = fileText(facts, path);
    if (t.unknown) unknown.push(t.unknown);
    return { ref: { path }, masked: false, ...(t.text !== undefined ? { text: t.text } : {}), unknown };
  }
  return { ref: null, masked: false, unknown };
}

/** The unit file and drop-ins systemd itself reports (`systemctl show kubelet`), when it ran. */
export function systemdReportedPaths(facts: NodeFacts): { fragment?: string; dropIns: string[] } | undefined {
  const c = facts.commands[kubeletCmd.show];
  if (c?.state !== 'ran' || c.exitCode !== 0) return undefined;
  const show = parseSystemctlShow(c.stdout);
  const fragment = show.get('FragmentPath')?.[0];
  const dropIns = (show.get('DropInPaths') ?? []).flatMap((l) => l.split(/\s+/)).filter((p) => p !== '');
  return { ...(fragment ? { fragment } : {}), dropIns };
}

export function kubeletService(facts: NodeFacts): KubeletService {
  const frag = findFragment(facts);
  const conf = collectConfDirs(facts, kubeletDropInDirs);
  const unknown = [...frag.unknown, ...conf.unknown];
  const warnings: string[] = [];
  const hidesBy = new Map<string, string[]>();
  for (const s of conf.shadowed) hidesBy.set(s.by, [...(hidesBy.get(s.by) ?? []), s.file.path]);
  const dropIns: UnitFileRef[] = conf.files.filter((f) => !f.masked && f.text !== null).map((f) => ({ path: f.path, ...(hidesBy.has(f.path) ? { hides: hidesBy.get(f.path) } : {}) }));

  const sources: { path: string; text: string }[] = [];
  if (frag.text !== undefined && frag.ref) sources.push({ path: frag.ref.path, text: frag.text });
  for (const f of conf.files) if (!f.masked && f.text !== null) sources.push({ path: f.path, text: f.text });

  const env = new Map<string, EnvValue>();
  const set = (name: string, value: string, origin: Origin): void => {
    const prev = env.get(name);
    env.set(name, { value, origin, overridden: prev ? [...prev.overridden, { value: prev.value, origin: prev.origin }] : [] });
  };
  let envLines: { name: string; value: string; origin: Origin }[] = [];
  let envFiles: { path: string; optional: boolean; origin: Origin }[] = [];
  let execStarts: { command: string; origin: Origin }[] = [];
  for (const src of sources) {
    for (const d of parseUnitFile(src.text)) {
      if (d.section !== 'Service') continue;
      const origin = { file: src.path, line: d.line };
      if (d.key === 'Environment') {
        if (d.value === '') {
          envLines = [];
          continue;
        }
        const parsed = parseEnvironmentLine(d.value);
        for (const bad of parsed.invalid) warnings.push(`${src.path}:${d.line}: systemd ignores the invalid environment assignment ${JSON.stringify(bad)}`);
        for (const a of parsed.assignments) envLines.push({ ...a, origin: { ...origin, variable: a.name, via: 'Environment=' } });
      } else if (d.key === 'EnvironmentFile') {
        if (d.value === '') {
          envFiles = [];
          continue;
        }
        for (const w of splitWords(d.value)) {
          const optional = w.startsWith('-');
          envFiles.push({ path: optional ? w.slice(1) : w, optional, origin });
        }
      } else if (d.key === 'ExecStart') {
        if (d.value === '') execStarts = [];
        else execStarts.push({ command: d.value, origin: { ...origin, via: 'ExecStart=' } });
      }
    }
  }
  for (const l of envLines) set(l.name, l.value, l.origin);
  const environmentFiles: KubeletService['environmentFiles'][number][] = [];
  for (const ef of envFiles) {
    const t = fileText(facts, ef.path);
    if (t.unknown) {
      unknown.push(t.unknown);
      environmentFiles.push({ ...ef, state: 'unknown' });
      continue;
    }
    if (t.missing || t.text === undefined) {
      environmentFiles.push({ ...ef, state: 'missing' });
      if (!ef.optional) warnings.push(`${ef.origin.file}:${ef.origin.line}: EnvironmentFile=${ef.path} does not exist and has no "-" prefix: systemd refuses to start the kubelet`);
      continue;
    }
    environmentFiles.push({ ...ef, state: 'read' });
    const parsed = parseEnvFile(t.text);
    for (const bad of parsed.invalid) warnings.push(`${ef.path}:${bad.line}: systemd ignores ${JSON.stringify(bad.text)}`);
    for (const e of parsed.entries) set(e.name, e.value, { file: ef.path, line: e.line, variable: e.name, via: 'EnvironmentFile=' });
  }
  if (execStarts.length > 1) warnings.push(`${execStarts.length} ExecStart= lines remain after the drop-ins (${execStarts.map((e) => `${e.origin.file}:${e.origin.line}`).join(', ')}): systemd refuses to start a simple service with more than one`);
  const execStart = execStarts[execStarts.length - 1] ?? null;
  // Cross-check with systemd's own view: a unit path this model does not search (e.g. service.d/) shows up here.
  const reported = systemdReportedPaths(facts);
  if (reported) {
    // Merged-/usr systems reach the same file as /lib/… and /usr/lib/…: compare them as one.
    const same = (p: string | undefined): string | undefined => p?.replace(/^\/usr\/lib\//, '/lib/');
    const modelled = new Set([frag.ref?.path, ...dropIns.map((d) => d.path)].map(same));
    for (const p of [reported.fragment, ...reported.dropIns]) {
      if (p && !modelled.has(same(p))) warnings.push(`systemctl show kubelet lists ${p}, which this model of the unit did not apply`);
    }
  }
  return {
    fragment: frag.ref,
    masked: frag.masked,
    dropIns,
    shadowedDropIns: conf.shadowed.map((s) => ({ path: s.file.path, by: s.by })),
    environment: env,
    environmentFiles,
    execStart,
    argv: execStart ? expandExecStart(execStart.command, execStart.origin, env) : [],
    warnings,
    unknown,
  };
}

/** systemd's replace_env_argv: a word that is exactly $NAME splits into words, ${NAME} expands in place. */
export function expandExecStart(command: string, origin: Origin, env: ReadonlyMap<string, EnvValue>): ExpandedWord[] {
  const stripped = command.replace(/^[@\-:+!|]+/, '');
  const words = splitWords(stripped);
  const out: ExpandedWord[] = [];
  for (const w of words) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
    if (whole?.[1]) {
      const v = env.get(whole[1]);
      if (v) for (const part of splitWords(v.value, { cunescape: false })) out.push({ word: part, origin: v.origin });
      continue;
    }
    let from: Origin = origin;
    const word = w.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string | undefined) => {
      if (m === '$$') return '$';
      const v = name ? env.get(name) : undefined;
      if (v) from = v.origin;
      return v?.value ?? '';
    });
    out.push({ word, origin: from });
  }
  return out;
}
