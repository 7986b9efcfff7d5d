// RT-2.1.1: containerd's unit is running now and will start at boot; a failure carries the journal's last lines.
import type { NodeFacts } from '../../facts/types.ts';
import { cmd } from '../../facts/requirements.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { commandFact, lastLines, oneLine } from './evidence.ts';

const source = 'systemctl is-active containerd; systemctl is-enabled containerd';
const expected = 'active (running) and enabled';

/** What each non-enabled state means for a reboot. */
const enabledMeaning: Readonly<Record<string, string>> = {
  disabled: 'it will not start at boot',
  masked: 'it is masked and cannot start at all (`systemctl unmask containerd`)',
  static: 'it has no [Install] section and starts only when another unit pulls it in',
  'enabled-runtime': 'it is enabled only under /run and loses that at reboot',
  indirect: 'only another unit enables it',
  linked: 'it is linked from outside the unit path, not enabled',
  'linked-runtime': 'it is linked under /run only',
};

function journal(facts: NodeFacts): string {
  const j = commandFact(facts, cmd.containerdJournal, 'journalctl -u containerd');
  if (!j.ok) return `(no journal: ${j.why})`;
  const lines = lastLines(j.fact.stdout, 10);
  return lines ? `last journal lines:\n${lines}` : '(the journal has no containerd entries)';
}

export function evaluateService(facts: NodeFacts): Verdict {
  if (!facts.systemd) {
    return error({ expected, actual: 'unknown', source }, 'no systemd on this node (PID 1 is not systemd): unit state cannot be observed');
  }
  const active = commandFact(facts, cmd.containerdActive, 'systemctl is-active containerd');
  const enabled = commandFact(facts, cmd.containerdEnabled, 'systemctl is-enabled containerd');
  if (!active.ok) return error({ expected, actual: 'unknown', source }, active.why);
  if (!enabled.ok) return error({ expected, actual: 'unknown', source }, enabled.why);

  const activeState = active.fact.stdout.trim().split('\n')[0] || oneLine(active.fact.stderr) || `exit ${active.fact.exitCode}`;
  const enabledOut = enabled.fact.stdout.trim().split('\n')[0] ?? '';
  const notInstalled = enabledOut === '' && /no such file|not found|does not exist/i.test(enabled.fact.stderr);
  const enabledState = notInstalled ? 'not installed' : enabledOut || oneLine(enabled.fact.stderr) || `exit ${enabled.fact.exitCode}`;
  const actual = `${activeState}, ${enabledState}`;

  const isActive = activeState === 'active' || activeState === 'reloading';
  const isEnabled = enabledState === 'enabled';
  if (isActive && isEnabled) return pass({ expected, actual, source });

  const problems: string[] = [];
  if (notInstalled) problems.push('containerd.service is not installed (systemctl knows no such unit)');
  else {
    if (!isActive) problems.push(`containerd is ${activeState}, not active`);
    if (!isEnabled) problems.push(`the unit is ${enabledState}: ${enabledMeaning[enabledState] ?? 'it is not enabled for boot'}`);
  }
  return fail({ expected, actual, source }, `${problems.join('; ')}.\n${journal(facts)}`);
}
