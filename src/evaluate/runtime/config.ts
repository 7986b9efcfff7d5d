// RT-2.2.1–2.2.3: containerd's config.toml parses, keeps CRI enabled and sets runc's systemd cgroup driver,
// judged by the table names containerd reads for the file's own config version.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { criPluginNames, disabledPlugins, findSystemdCgroup, runcOptionsPath, type OptionsTable } from '../../parse/containerd-config.ts';
import { exactLineOf, formatKeyPath } from '../../parse/toml-strict.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { containerdConfig, type ConfigEvidence } from './evidence.ts';
import { nodeContainerdVersion } from './versions.ts';

const notParsed = (path: string): string => `${path} does not parse: see RT-2.2.1`;
/** " (line N)", or " (FILE line N)" for a line of an imported file. */
const at = (line: number | undefined, file?: string, main?: string): string =>
  line === undefined ? '' : file !== undefined && file !== main ? ` (${file} line ${line})` : ` (line ${line})`;

/** Verdict for evidence that cannot be judged by 2.2.2/2.2.3, or undefined to go on. */
function unusable(ev: ConfigEvidence, expected: string): Verdict | undefined {
  if (ev.kind === 'unobservable') return error({ expected, actual: 'unknown', source: ev.path }, ev.why);
  if (ev.kind === 'invalid') return error({ expected, actual: 'unparseable', source: ev.path }, notParsed(ev.path));
  return undefined;
}

export function evaluateConfigParses(facts: NodeFacts, profile: Profile): Verdict {
  const ev = containerdConfig(facts, profile);
  const expected = 'valid TOML that containerd accepts';
  const source = ev.path;
  switch (ev.kind) {
    case 'unobservable':
      return error({ expected, actual: 'unknown', source }, ev.why);
    case 'absent':
      return pass({ expected, actual: 'no file', source }, 'no file: containerd uses its defaults');
    case 'invalid':
      if (ev.refusedBy !== undefined) {
        return fail(
          { expected, actual: `refused: ${ev.problem.message}`, source },
          `${ev.refusedBy} refuses to start with ${ev.path}, printing "containerd: ${ev.problem.message}". The running daemon keeps its old configuration until the next restart, which leaves the node without a runtime.`,
        );
      }
      return fail(
        { expected, actual: ev.problem.message, source },
        `${ev.path}: ${ev.problem.message}. containerd refuses to start with this file (a restart leaves the node without a runtime).`,
      );
    case 'ok': {
      const files = ev.config.files && ev.config.files.length > 1 ? `; imports loaded: ${ev.config.files.slice(1).join(', ')}` : '';
      return pass({ expected, actual: `valid TOML, config version ${ev.config.version}${ev.config.versionDeclared ? '' : ' (no `version` key)'}${files}`, source }, ev.config.readAs ?? '');
    }
  }
}

export function evaluateCriEnabled(facts: NodeFacts, profile: Profile): Verdict {
  const ev = containerdConfig(facts, profile);
  const expected = 'disabled_plugins without "cri"';
  const source = ev.path;
  const bad = unusable(ev, expected);
  if (bad) return bad;
  if (ev.kind === 'absent') return pass({ expected, actual: 'no file (built-in default: no plugin disabled)', source });
  if (ev.kind !== 'ok') return error({ expected, actual: 'unknown', source }, notParsed(ev.path));
  const d = disabledPlugins(ev.config);
  if (d.kind === 'unset') return pass({ expected, actual: 'disabled_plugins not set', source });
  if (d.kind === 'invalid') {
    return fail({ expected, actual: `disabled_plugins = ${JSON.stringify(d.value)}`, source }, `disabled_plugins${at(d.line)} must be a list of plugin names; containerd rejects this value`);
  }
  const actual = `disabled_plugins = ${JSON.stringify(d.names)}${at(d.line, d.file, ev.path)}`;
  const ids = ev.config.criPluginIds ?? criPluginNames;
  const hits = d.names.filter((n) => ids.includes(n));
  // A CRI name this release does not match (a URI in a version 1 file on 1.x, a 2.x plugin on 1.x) disables nothing.
  const inert = d.names.filter((n) => criPluginNames.includes(n) && !ids.includes(n));
  if (hits.length === 0) {
    return pass({ expected, actual, source }, inert.length ? `${inert.map((n) => `"${n}"`).join(', ')} disables nothing here: this containerd matches disabled_plugins against ${ids.map((n) => `"${n}"`).join(', ')} for this config version.` : '');
  }
  return fail(
    { expected, actual, source },
    `disabled_plugins${at(d.line, d.file, ev.path)} lists ${hits.map((h) => `"${h}"`).join(', ')}, which disables containerd's CRI plugin: the kubelet cannot run pods through this containerd. Remove ${hits.length > 1 ? 'them' : 'it'} and restart containerd.`,
  );
}

const tableRef = (t: OptionsTable, main: string): string => `[${t.name}]${at(t.line, t.file, main)}`;

export function evaluateSystemdCgroup(facts: NodeFacts, profile: Profile): Verdict {
  const ev = containerdConfig(facts, profile);
  const bad = unusable(ev, 'SystemdCgroup = true in the runc options table');
  if (bad) return bad;
  const source = ev.path;
  if (ev.kind === 'absent') {
    return fail(
      { expected: `SystemdCgroup = true in [${formatKeyPath(runcOptionsPath[3])}] (2.x) or [${formatKeyPath(runcOptionsPath[2])}] (1.x)`, actual: 'no file: built-in default SystemdCgroup = false', source },
      `${ev.path} does not exist, so containerd runs with its built-in defaults, where runc's SystemdCgroup is false (in 1.x and still in 2.x): containers use the cgroupfs driver while the kubelet expects systemd. Create the file (\`containerd config default\`) and set SystemdCgroup = true in the runc options table.`,
    );
  }
  if (ev.kind !== 'ok') return error({ expected: 'SystemdCgroup = true', actual: 'unknown', source }, notParsed(ev.path));

  const { version, versionDeclared } = ev.config;
  const { effective, ignored } = findSystemdCgroup(ev.config);
  const expected = `SystemdCgroup = true in [${effective.name}] (config version ${version})`;
  const running = nodeContainerdVersion(facts);
  if (version === 3 && running && running.version.major < 2) {
    return fail(
      { expected: `a config version containerd ${running.raw} reads (1 or 2)`, actual: `version = 3${at(exactLineOf(ev.config.items, ['version']))}`, source },
      `${ev.path} is config version 3, which containerd ${running.raw} (1.x) does not know: it ignores [${effective.name}] and runc keeps SystemdCgroup = false. Use version = 2 with [${formatKeyPath(runcOptionsPath[2])}], or upgrade containerd to 2.x.`,
    );
  }
  const versionText = ev.config.readAs ?? (versionDeclared ? `version = ${version}` : 'no `version` key, so version 1');
  const readAsText = ev.config.readAs ? `read as version ${version}` : versionText;
  const replaced = (ev.config.replacedSections ?? [])
    .map((r) => ` ${r.by} redefines [plugins.${formatKeyPath([r.plugin])}], and containerd 1.x replaces the whole plugin section with an import's, so every earlier setting in it is dropped.`)
    .join('');
  const ignoredText = ignored
    .map(
      (t) =>
        ` ${tableRef(t, ev.path)}${t.systemdCgroup !== undefined ? ` sets SystemdCgroup = ${JSON.stringify(t.systemdCgroup)}${at(t.keyLine, t.keyFile, ev.path)} but` : ''} is the config version ${t.version} name of that table: this file is ${readAsText}, so containerd ignores it.`,
    )
    .join('');

  if (!effective.present) {
    return fail(
      { expected, actual: `no [${effective.name}] table`, source },
      `${ev.path} (${versionText}) has no [${effective.name}] table, so runc keeps the default SystemdCgroup = false.${replaced}${ignoredText} Add SystemdCgroup = true under [${effective.name}]${replaced ? ' in the file that defines that plugin last' : ''}.`,
    );
  }
  const value = effective.systemdCgroup;
  if (value === true) return pass({ expected, actual: `SystemdCgroup = true${at(effective.keyLine, effective.keyFile, ev.path)}`, source }, ev.config.readAs ?? '');
  if (value === undefined) {
    return fail(
      { expected, actual: `${tableRef(effective, ev.path)} has no SystemdCgroup (default false)`, source },
      `${tableRef(effective, ev.path)} does not set SystemdCgroup, so runc uses the default false (cgroupfs).${ignoredText} Add SystemdCgroup = true to that table.`,
    );
  }
  const typed = typeof value === 'boolean' ? '' : ` — a ${typeof value}, not the boolean true`;
  return fail(
    { expected, actual: `SystemdCgroup = ${JSON.stringify(value)}${at(effective.keyLine, effective.keyFile, ev.path)}`, source },
    `SystemdCgroup = ${JSON.stringify(value)}${at(effective.keyLine, effective.keyFile, ev.path)} in ${tableRef(effective, ev.path)}${typed}: runc uses the cgroupfs driver while the kubelet expects systemd.${ignoredText} Set SystemdCgroup = true.`,
  );
}
