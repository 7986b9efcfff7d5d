// KUBELET-3.3.16: the guide's 20-hardening.conf sets KUBELET_EXTRA_ARGS with Environment=, but kubeadm's
// 10-kubeadm.conf reads EnvironmentFile=-/etc/default/kubelet, and systemd lets EnvironmentFile= values override
// every Environment= line: the package's empty KUBELET_EXTRA_ARGS= wins and the flags never reach the kubelet.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { describeOrigin } from '../../kubelet/command-line.ts';
import { occurrences, parseGoBool, parseKubeletArgs } from '../../kubelet/flags.ts';
import { parseEnvironmentLine, parseUnitFile, splitWords } from '../../kubelet/systemd-syntax.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { effective } from './evidence.ts';

const sameFlagValue = (a: string | undefined, b: string | undefined): boolean => {
  const ba = a === undefined ? true : parseGoBool(a);
  const bb = b === undefined ? true : parseGoBool(b);
  if (ba !== undefined && bb !== undefined) return ba === bb;
  return a === b;
};

export function evaluateHardeningDropIn(facts: NodeFacts, profile: Profile): Verdict {
  const path = profile.kubelet.hardeningDropIn;
  const expected = `the flags of ${path} reach the kubelet's command line`;
  const f = facts.files[path];
  if (f === undefined) return error({ expected, actual: 'unknown', source: path }, `${path} was not read by the probe`);
  if (f.state === 'missing') return pass({ expected, actual: 'no hardening drop-in', source: path }, `${path} does not exist: nothing can shadow it (the settings themselves are judged by KUBELET-3.3.1–3.3.3)`);
  if (f.state === 'unreadable' || f.content === undefined) return error({ expected, actual: 'unknown', source: path }, `${path} cannot be read${f.state === 'unreadable' ? `: ${f.error}` : ''}`);
  const eff = effective(facts);
  const svc = eff.service;
  const directives = parseUnitFile(f.content).filter((d) => d.section === 'Service');
  const assignments = directives.filter((d) => d.key === 'Environment').flatMap((d) => parseEnvironmentLine(d.value).assignments.map((a) => ({ ...a, line: d.line })));
  const wanted = assignments.flatMap((a) => parseKubeletArgs(splitWords(a.value, { cunescape: false })).flags.map((fl) => ({ flag: fl, variable: a.name, line: a.line })));
  if (wanted.length === 0) return pass({ expected, actual: 'the drop-in sets no kubelet flags', source: path });
  const actualWanted = wanted.map((w) => w.flag.raw).join(' ');

  const applied = svc.dropIns.some((d) => d.path === path);
  if (!applied) {
    const by = svc.shadowedDropIns.find((s) => s.path === path)?.by;
    const why = by ? `a drop-in of the same name, ${by}, hides it` : svc.fragment === null ? 'there is no kubelet.service unit' : 'systemd does not apply it (masked, or outside the kubelet.service.d directories)';
    return fail({ expected, actual: `${actualWanted} (not applied)`, source: path }, `${path} is not applied: ${why}.`);
  }

  const problems: string[] = [];
  const execUses = (name: string): boolean => svc.execStart !== null && new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`).test(svc.execStart.command);
  for (const a of assignments) {
    const winner = svc.environment.get(a.name);
    if (winner && (winner.origin.file !== path || winner.origin.line !== a.line)) {
      const shown = winner.value === '' ? `${a.name}= (empty)` : `${a.name}=${winner.value}`;
      const rule = winner.origin.via === 'EnvironmentFile=' ? ' — systemd applies EnvironmentFile= values after every Environment= line, so the file wins whatever the drop-in order' : ' — a later Environment= line wins';
      problems.push(`${describeOrigin(winner.origin)} sets ${shown} and overrides ${path}:${a.line}${rule}. The file whose ${a.name} wins is ${winner.origin.file}`);
    } else if (!execUses(a.name)) {
      problems.push(`the effective ExecStart= (${svc.execStart ? `${svc.execStart.origin.file}:${svc.execStart.origin.line}` : 'none'}) does not use $${a.name}, so ${path}:${a.line} has no effect`);
    }
  }
  const cl = eff.commandLine;
  if (!cl) return error({ expected, actual: actualWanted, source: path }, eff.blocking.join('; '));
  const missing: string[] = [];
  for (const w of wanted) {
    const last = occurrences(cl.parsed, w.flag.name).at(-1);
    if (!last || !sameFlagValue(last.value, w.flag.value)) {
      const where = last ? `it has ${last.raw}${cl.origins[last.index] ? ` (from ${describeOrigin(cl.origins[last.index])})` : ''}` : 'it is absent';
      missing.push(`${w.flag.raw}: ${where}`);
    }
  }
  const source = `${path}; ${cl.source}`;
  if (missing.length === 0) {
    // The flags arrive (e.g. the same flags also sit in the winning env file): compliant, but say what is dead text.
    const note = problems.length ? `The flags reach the kubelet, but not from ${path}: ${problems.join('. ')}.` : '';
    return pass({ expected, actual: `${actualWanted} on the command line`, source }, note);
  }
  if (missing.length > 0 && problems.length === 0 && cl.origin === 'process') {
    problems.push('the unit as written would pass them: the running kubelet predates the drop-in (run `systemctl daemon-reload && systemctl restart kubelet`)');
  }
  const cmd = missing.length ? ` On the ${cl.origin === 'process' ? 'running' : 'unit\'s'} command line (${cl.source}): ${missing.join('; ')}.` : '';
  return fail({ expected, actual: missing.length ? `missing from the command line: ${missing.map((m) => m.split(':')[0]).join(' ')}` : actualWanted, source }, `${problems.join('. ')}.${cmd}`);
}
