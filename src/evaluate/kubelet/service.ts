// KUBELET-3.1.1 and 3.1.3: the packages are held against upgrades, and the kubelet unit runs and starts at boot.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { kubeletCmd } from '../../kubelet/paths.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { commandFact, lastLines, oneLine } from '../runtime/evidence.ts';

export function evaluateHeld(facts: NodeFacts, profile: Profile): Verdict {
  const want = profile.kubelet.heldPackages;
  const expected = `apt-mark showhold lists ${want.join(', ')}`;
  const source = 'apt-mark showhold';
  const c = commandFact(facts, kubeletCmd.holds, source);
  if (!c.ok) {
    if (c.notFound) return skip({ expected, actual: 'no apt-mark', source }, 'not a dpkg/apt host: apt-mark is not installed, so package holds do not apply');
    return error({ expected, actual: 'unknown', source }, c.why);
  }
  if (c.fact.exitCode !== 0) return error({ expected, actual: 'unknown', source }, `apt-mark showhold exited with status ${c.fact.exitCode}: ${oneLine(c.fact.stderr)}`);
  const held = new Set(c.fact.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  const missing = want.filter((p) => !held.has(p));
  const actual = held.size ? `held: ${[...held].join(', ')}` : 'nothing held';
  if (missing.length === 0) return pass({ expected, actual, source });
  return fail(
    { expected, actual, source },
    `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not held: an unattended \`apt upgrade\` can move the kubelet past the supported version skew. Run \`apt-mark hold ${missing.join(' ')}\`.`,
  );
}

const enabledMeaning: Readonly<Record<string, string>> = {
  disabled: 'it will not start at boot',
  masked: 'it is masked and cannot start at all (`systemctl unmask kubelet`)',
  static: 'it has no [Install] section and starts only when another unit pulls it in',
  'enabled-runtime': 'it is enabled only under /run and loses that at reboot',
};

export function evaluateKubeletService(facts: NodeFacts): Verdict {
  const expected = 'active (running) and enabled';
  const source = 'systemctl is-active kubelet; systemctl is-enabled kubelet';
  if (!facts.systemd) return error({ expected, actual: 'unknown', source }, 'no systemd on this node (PID 1 is not systemd): unit state cannot be observed');
  const active = commandFact(facts, kubeletCmd.active, 'systemctl is-active kubelet');
  const enabled = commandFact(facts, kubeletCmd.enabled, 'systemctl is-enabled kubelet');
  if (!active.ok) return error({ expected, actual: 'unknown', source }, active.why);
  if (!enabled.ok) return error({ expected, actual: 'unknown', source }, enabled.why);
  const activeState = active.fact.stdout.trim().split('\n')[0] || oneLine(active.fact.stderr) || `exit ${active.fact.exitCode}`;
  const enabledOut = enabled.fact.stdout.trim().split('\n')[0] ?? '';
  const notInstalled = enabledOut === '' && /no such file|not found|does not exist/i.test(enabled.fact.stderr);
  const enabledState = notInstalled ? 'not installed' : enabledOut || oneLine(enabled.fact.stderr) || `exit ${enabled.fact.exitCode}`;
  const actual = `${activeState}, ${enabledState}`;
  const isActive = activeState === 'active' || activeState === 'reloading';
  if (isActive && enabledState === 'enabled') return pass({ expected, actual, source });
  const problems: string[] = [];
  if (notInstalled) problems.push('kubelet.service is not installed (systemctl knows no such unit)');
  else {
    if (!isActive) problems.push(`the kubelet is ${activeState}, not active${activeState === 'activating' ? ' (kubeadm nodes restart a failing kubelet every 10 s: it is crash-looping)' : ''}`);
    if (enabledState !== 'enabled') problems.push(`the unit is ${enabledState}: ${enabledMeaning[enabledState] ?? 'it is not enabled for boot'}`);
  }
  const j = commandFact(facts, kubeletCmd.journal, 'journalctl -u kubelet');
  const journal = !j.ok ? `(no journal: ${j.why})` : lastLines(j.fact.stdout, 10) ? `last journal lines:\n${lastLines(j.fact.stdout, 10)}` : '(the journal has no kubelet entries)';
  return fail({ expected, actual, source }, `${problems.join('; ')}.\n${journal}`);
}
