// HOST-1.3.x: overlay and br_netfilter usable now (loaded or built in) and loaded again at boot.
import type { NodeFacts } from '../../facts/types.ts';
import { cmd, etcModules, moduleConfigSymbol, modulesLoadDirs, paths } from '../../facts/requirements.ts';
import { parseKernelConfig, tristate, type Tristate } from '../../parse/kernel-config.ts';
import { moduleKey, parseModulesBuiltin, parseProcFilesystems, parseProcModules } from '../../parse/kernel-modules.ts';
import { firstWordIfSeveral, parseModulesLoad } from '../../parse/modules-load.ts';
import { error, fail, pass } from '../verdict.ts';
import { collectConfDirs } from '../../facts/conf-dirs.ts';
import { commandOutput, exists, readFile } from './evidence.ts';
import type { Evaluator } from './types.ts';

export interface BuiltinStatus {
  /** true: compiled in; false: known not to be (=m, not set, absent from modules.builtin); undefined: unknown. */
  readonly builtin: boolean | undefined;
  readonly config?: Tristate;
  readonly evidence: string[];
  readonly unknown: string[];
}

/** Built-in per the kernel config (CONFIG_X=y) or modules.builtin; either one suffices. */
export function builtinStatus(facts: NodeFacts, module: string): BuiltinStatus {
  const evidence: string[] = [];
  const unknown: string[] = [];
  let builtin: boolean | undefined;
  let config: Tristate | undefined;
  const symbol = moduleConfigSymbol[module];
  // The probe script ends in grep, which exits 1 when no symbol matched; its "# source:" line still counts.
  const kc = commandOutput(facts, cmd.kernelConfig, 'kernel-config probe', (c) => c === 0 || c === 1);
  if (!kc.ok) unknown.push(`kernel config: ${kc.reason}`);
  else {
    const parsed = parseKernelConfig(kc.stdout);
    if (parsed.source === null) unknown.push('no kernel config found (/boot/config-$(uname -r) or /proc/config.gz)');
    else if (!symbol) unknown.push(`no known kernel config symbol for ${module}`);
    else {
      config = tristate(parsed, symbol);
      if (config === 'y') {
        builtin = true;
        evidence.push(`built-in (${symbol}=y in ${parsed.source})`);
      } else {
        builtin = false;
        evidence.push(config === 'm' ? `loadable module: ${symbol}=m in ${parsed.source}` : `${symbol} is not set in ${parsed.source}`);
      }
    }
  }
  const mb = commandOutput(facts, cmd.modulesBuiltin, 'modules-builtin probe');
  if (!mb.ok) unknown.push(`modules.builtin: ${mb.reason}`);
  else {
    const parsed = parseModulesBuiltin(mb.stdout);
    if (parsed.source === null) unknown.push('no modules.builtin for the running kernel');
    else if (parsed.modules.has(moduleKey(module))) {
      builtin = true;
      evidence.push(`built-in (listed in ${parsed.source})`);
    } else if (builtin === undefined) builtin = false;
  }
  return { builtin, evidence, unknown, ...(config ? { config } : {}) };
}

interface Functional {
  /** Only a kernel with the feature working shows this, loaded or built in. */
  readonly path: string;
  readonly test: (facts: NodeFacts) => boolean | undefined;
  readonly positive: string;
  readonly negative: string;
}

const functional: Readonly<Record<string, Functional>> = {
  overlay: {
    path: paths.filesystems,
    test: (facts) => {
      const f = readFile(facts, paths.filesystems);
      return f.kind === 'text' ? parseProcFilesystems(f.text).has('overlay') : undefined;
    },
    positive: 'overlay is registered in /proc/filesystems',
    negative: 'overlay is missing from /proc/filesystems',
  },
  br_netfilter: {
    path: paths.bridgeSysctlDir,
    test: (facts) => exists(facts, paths.bridgeSysctlDir),
    positive: `${paths.bridgeSysctlDir} exists (bridge netfilter sysctls registered)`,
    negative: `${paths.bridgeSysctlDir} does not exist`,
  },
};

function moduleAvailable(module: string): Evaluator {
  return (facts) => {
    const expected = `${module} loaded or built into the kernel`;
    const positive: string[] = [];
    const negative: string[] = [];
    const unknown: string[] = [];
    const sources: string[] = [paths.procModules, paths.sysModule(module)];

    const pm = readFile(facts, paths.procModules);
    if (pm.kind === 'text') {
      if (parseProcModules(pm.text).has(moduleKey(module))) positive.push(`loaded (listed in ${paths.procModules})`);
      else negative.push(`not in ${paths.procModules}`);
    } else if (pm.kind === 'missing') negative.push(`no ${paths.procModules} (kernel without loadable module support)`);
    else unknown.push(pm.reason);

    const sys = exists(facts, paths.sysModule(module));
    if (sys === true) positive.push(`${paths.sysModule(module)} exists`);
    else if (sys === false) negative.push(`no ${paths.sysModule(module)}`);

    const fn = functional[module];
    let functionalOk: boolean | undefined;
    if (fn) {
      sources.push(fn.path);
      functionalOk = fn.test(facts);
      if (functionalOk === true) positive.push(fn.positive);
      else if (functionalOk === false) negative.push(fn.negative);
      else unknown.push(`${fn.path} could not be read`);
    }

    const b = builtinStatus(facts, module);
    sources.push('kernel-config', 'modules.builtin');
    if (b.builtin === true) positive.push(...b.evidence.filter((e) => e.startsWith('built-in')));
    else negative.push(...b.evidence);

    const source = sources.join(', ');
    const fix =
      b.config === 'not set'
        ? `The running kernel was built without it, so modprobe cannot help: boot a kernel with ${moduleConfigSymbol[module] ?? module} enabled.`
        : `Load it now with \`modprobe ${module}\` (and at boot, HOST-1.3.3).`;
    // The kernel's own registry of the feature outranks /sys/module or config hints that say otherwise.
    if (functionalOk === false) {
      const although = positive.length > 0 ? ` (although ${positive.join('; ')})` : '';
      return fail({ expected, actual: negative.join('; '), source }, `${module} is not usable: ${negative.join('; ')}${although}. ${fix}`);
    }
    if (positive.length > 0) return pass({ expected, actual: positive.join('; '), source });
    const actual = negative.join('; ') || 'no evidence';
    if (!(pm.kind !== 'unknown' && b.builtin === false)) {
      const missing = [...unknown, ...b.unknown].join('; ');
      return error({ expected, actual, source }, `Cannot tell whether ${module} is available: ${missing || 'no evidence either way'}.`);
    }
    return fail({ expected, actual, source }, `${module} is neither loaded nor built in: ${actual}. ${fix}`);
  };
}

export const overlayAvailable: Evaluator = moduleAvailable('overlay');
export const brNetfilterAvailable: Evaluator = moduleAvailable('br_netfilter');

export const modulesLoadAtBoot: Evaluator = (facts, profile) => {
  const expected = `${profile.modules.join(', ')} listed in modules-load.d (or built in)`;
  const dirs = collectConfDirs(facts, modulesLoadDirs);
  const listings = new Map<string, string>();
  /** Lines that start with a wanted module's name but carry more: systemd-modules-load loads nothing for them. */
  const nearMisses = new Map<string, string[]>();
  const note = (module: string, where: string): void => {
    if (!listings.has(moduleKey(module))) listings.set(moduleKey(module), where);
    const first = firstWordIfSeveral(module);
    if (first !== undefined) {
      const k = moduleKey(first);
      nearMisses.set(k, [...(nearMisses.get(k) ?? []), `${where} reads "${module}"`]);
    }
  };
  for (const f of dirs.files) {
    if (f.text === null) continue;
    for (const l of parseModulesLoad(f.text)) note(l.module, `${f.display} line ${l.line}`);
  }
  const unknown = [...dirs.unknown];
  // Debian and Ubuntu link /etc/modules-load.d/modules.conf to ../modules, so systemd-modules-load reads it with the
  // same rules; a node without that link is read the same way here (the stricter reading of the two).
  const em = readFile(facts, etcModules);
  if (em.kind === 'text') for (const l of parseModulesLoad(em.text)) note(l.module, `${etcModules} line ${l.line}`);
  else if (em.kind === 'unknown') unknown.push(em.reason);

  const found: string[] = [];
  const problems: string[] = [];
  for (const module of profile.modules) {
    const listed = listings.get(moduleKey(module));
    if (listed) {
      found.push(`${module}: ${listed}`);
      continue;
    }
    const b = builtinStatus(facts, module);
    if (b.builtin === true) {
      found.push(`${module}: ${b.evidence.find((e) => e.startsWith('built-in')) ?? 'built-in'}`);
      continue;
    }
    const masked = new Set(dirs.files.filter((f) => f.masked).map((f) => f.path));
    const hidden = dirs.shadowed
      .filter((s) => s.file.text !== null && parseModulesLoad(s.file.text).some((l) => moduleKey(l.module) === moduleKey(module)))
      .map((s) => `${s.file.path} lists it but is hidden by ${s.by}${masked.has(s.by) ? ' (a symlink to /dev/null)' : ' (same file name, higher precedence)'}`);
    const why = b.builtin === false ? b.evidence.join('; ') : 'built-in status unknown';
    const near = nearMisses.get(moduleKey(module)) ?? [];
    const nearNote =
      near.length > 0
        ? `; ${near.join(', ')}: systemd-modules-load takes the whole line as the module name (only a line starting with # or ; is a comment, and modules-load.d takes no arguments), so that line loads nothing — put ${module} alone on its line`
        : '';
    found.push(`${module}: not listed (${why})`);
    problems.push(
      `${module} is not listed in any *.conf under ${modulesLoadDirs.join(', ')} nor in ${etcModules}, and it is not built in (${why})${nearNote}${hidden.length > 0 ? `; ${hidden.join('; ')}` : ''}`,
    );
  }
  const source = [...modulesLoadDirs, etcModules].join(', ');
  const actual = found.join('; ');
  if (problems.length > 0 && unknown.length > 0) {
    // An unreadable file in the search path may be the one that lists the module.
    return error({ expected, actual, source }, `Cannot tell whether every module loads at boot: ${unknown.join('; ')}.`);
  }
  if (problems.length > 0) {
    const fixList = profile.modules.filter((m) => !listings.has(moduleKey(m)));
    return fail(
      { expected, actual, source },
      `${problems.join('. ')}. Add ${fixList.join(' and ')}, one per line, to /etc/modules-load.d/k8s.conf.`,
    );
  }
  return pass({ expected, actual, source });
};
