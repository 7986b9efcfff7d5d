// KUBELET-3.2.1–3.2.5: the files that hold the kubelet's flags, credentials and trust are root's alone.
import type { FileFact, NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { kubeletDropInDirs, kubeletUnitFiles } from '../../kubelet/paths.ts';
import { systemdReportedPaths } from '../../kubelet/systemd-unit.ts';
import { parseMode, formatMode } from '../../parse/mode.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { describePerm, effective, permProblem } from './evidence.ts';

/** Verdict for a list of files that must each be `mode` or stricter and root:root. */
function judgeFiles(files: readonly { path: string; fact: FileFact | undefined }[], mode: string, what: string): Verdict {
  const allowed = parseMode(mode);
  const expected = `${what}: mode ${formatMode(allowed)} or stricter, owner root:root`;
  const source = files.map((f) => f.path).join(', ');
  const unknown = files.filter((f) => f.fact === undefined || f.fact.state === 'unreadable');
  if (unknown.length > 0) {
    return error({ expected, actual: 'unknown', source }, unknown.map((f) => (f.fact?.state === 'unreadable' ? `${f.path} cannot be stat'ed: ${f.fact.error}` : `${f.path} was not stat'ed by the probe`)).join('; '));
  }
  const present = files.filter((f) => f.fact?.state === 'present');
  const actual = present.map((f) => `${f.path} ${f.fact ? describePerm(f.fact) : ''}`).join('; ');
  const problems = present.map((f) => (f.fact ? permProblem(f.path, f.fact, allowed) : null)).filter((p): p is string => p !== null);
  if (problems.length === 0) return pass({ expected, actual, source });
  return fail({ expected, actual, source }, `${problems.join('; ')}. Fix: \`chmod ${formatMode(allowed).slice(1)} FILE && chown root:root FILE\` for each.`);
}

export function evaluateUnitFilePerms(facts: NodeFacts, profile: Profile): Verdict {
  const files: { path: string; fact: FileFact | undefined }[] = [];
  const missingDirs: string[] = [];
  for (const path of kubeletUnitFiles) {
    const f = facts.files[path];
    if (f?.state === 'present' && f.linkTarget !== '/dev/null') files.push({ path, fact: f });
    else if (f === undefined) files.push({ path, fact: undefined });
  }
  for (const dir of kubeletDropInDirs) {
    const d = facts.dirs[dir];
    if (d === undefined) missingDirs.push(dir);
    else if (d.state === 'present') for (const name of d.entries) files.push({ path: `${dir}/${name}`, fact: facts.files[`${dir}/${name}`] });
  }
  const listed = new Set(files.map((f) => f.path));
  const reported = systemdReportedPaths(facts);
  for (const p of [reported?.fragment, ...(reported?.dropIns ?? [])]) if (p && !listed.has(p)) files.push({ path: p, fact: facts.files[p] });
  const expected = `kubelet.service and its drop-ins: mode ${profile.kubelet.unitFileMode} or stricter, root:root`;
  if (missingDirs.length > 0) return error({ expected, actual: 'unknown', source: missingDirs.join(', ') }, `the probe did not list ${missingDirs.join(', ')}`);
  if (!files.some((f) => f.fact?.state === 'present')) return error({ expected, actual: 'no kubelet.service', source: kubeletUnitFiles.join(', ') }, 'no kubelet.service unit file or drop-in exists on this node: is the kubelet installed?');
  return judgeFiles(files, profile.kubelet.unitFileMode, 'kubelet.service and every drop-in');
}

export function evaluateKubeconfigPerms(facts: NodeFacts, profile: Profile): Verdict {
  const eff = effective(facts);
  const expected = `the --kubeconfig file: mode ${profile.kubelet.kubeconfigMode} or stricter, root:root`;
  if (!eff.commandLine) return error({ expected, actual: 'unknown', source: 'kubelet command line' }, eff.blocking.join('; '));
  const flag = eff.flag('kubeconfig');
  if (!flag?.value) {
    return error({ expected, actual: 'no --kubeconfig flag', source: eff.commandLine.source }, 'the kubelet runs without --kubeconfig (standalone mode): there is no kubeconfig to check; a joined worker has /etc/kubernetes/kubelet.conf');
  }
  const path = flag.value;
  const f = facts.files[path];
  if (f?.state === 'missing') return fail({ expected, actual: 'missing', source: path }, `${path} (named by ${flag.raw}) does not exist: the kubelet cannot reach the API server`);
  return judgeFiles([{ path, fact: f }], profile.kubelet.kubeconfigMode, `--kubeconfig ${path}`);
}

export function evaluateClientCAPerms(facts: NodeFacts, profile: Profile): Verdict {
  const eff = effective(facts);
  const expected = `the client CA file: mode ${profile.kubelet.clientCAFileMode} or stricter, root:root`;
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: 'kubelet configuration' }, eff.blocking.join('; '));
  const s = eff.setting('authentication.x509.clientCAFile');
  const path = s.value?.type === 'string' ? s.value.value : '';
  if (path === '') return error({ expected, actual: 'no clientCAFile', source: s.winner.label }, 'no authentication.x509.clientCAFile is configured, so there is no file to check (KUBELET-3.3.6 fails)');
  const f = facts.files[path];
  if (f?.state === 'missing') return fail({ expected, actual: 'missing', source: path }, `${path} (from ${s.winner.label}) does not exist`);
  return judgeFiles([{ path, fact: f }], profile.kubelet.clientCAFileMode, `clientCAFile ${path}`);
}

export function evaluateConfigFilePerms(facts: NodeFacts, profile: Profile): Verdict {
  const eff = effective(facts);
  const expected = `the --config file: mode ${profile.kubelet.configFileMode} or stricter, root:root`;
  if (!eff.commandLine) return error({ expected, actual: 'unknown', source: 'kubelet command line' }, eff.blocking.join('; '));
  if (!eff.configFile) return error({ expected, actual: 'no --config flag', source: eff.commandLine.source }, 'the kubelet runs without --config: its settings come from flags only, so there is no config file to check');
  const path = eff.configFile.path;
  const f = facts.files[path];
  if (f?.state === 'missing') return fail({ expected, actual: 'missing', source: path }, `${path} (named by --config) does not exist: the kubelet cannot start`);
  const dropIns = (eff.configDir?.files ?? []).map((d) => ({ path: d.path, fact: facts.files[d.path] }));
  return judgeFiles([{ path, fact: f }, ...dropIns], profile.kubelet.configFileMode, `--config ${path}${dropIns.length ? ' and its --config-dir drop-ins' : ''}`);
}

export function evaluateKubeProxyKubeconfigPerms(facts: NodeFacts, profile: Profile): Verdict {
  const candidates = profile.kubelet.kubeProxyKubeconfigs;
  const expected = `kube-proxy kubeconfig, when present: mode ${profile.kubelet.kubeconfigMode} or stricter, root:root`;
  const files = candidates.map((path) => ({ path, fact: facts.files[path] }));
  if (files.some((f) => f.fact === undefined || f.fact.state === 'unreadable')) return judgeFiles(files, profile.kubelet.kubeconfigMode, 'kube-proxy kubeconfig');
  const present = files.filter((f) => f.fact?.state === 'present');
  if (present.length === 0) {
    return skip({ expected, actual: 'no kube-proxy kubeconfig', source: candidates.join(', ') }, `kube-proxy is absent on this node (none of ${candidates.join(', ')} exists; e.g. Cilium's kube-proxy replacement)`);
  }
  return judgeFiles(present, profile.kubelet.kubeconfigMode, 'kube-proxy kubeconfig');
}
