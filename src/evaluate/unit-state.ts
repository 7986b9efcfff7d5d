// One reading of a systemd unit's state for every service check: running now, starting at boot, and why not.
import type { NodeFacts } from '../facts/types.ts';
import { commandFact, lastLines, oneLine } from './runtime/evidence.ts';
import { error, fail, pass, type Verdict } from './verdict.ts';

export interface UnitCommands {
  /** systemd unit name without `.service`. */
  readonly unit: string;
  /** NodeFacts.commands keys of `systemctl is-active`, `systemctl is-enabled` and `journalctl -u`. */
  readonly active: string;
  readonly enabled: string;
  readonly journal: string;
  /** Extra words for a state worth explaining, e.g. a kubelet that keeps restarting. */
  readonly explainState?: (activeState: string) => string;
}

/** What each non-enabled state means for a reboot. */
const enabledMeaning = (unit: string): Readonly<Record<string, string>> => ({
  disabled: 'it will not start at boot',
  masked: `it is masked and cannot start at all (\`systemctl unmask ${unit}\`)`,
  static: 'it has no [Install] section and starts only when another unit pulls it in',
  'enabled-runtime': 'it is enabled only under /run and loses that at reboot',
  indirect: 'only another unit enables it',
  linked: 'it is linked from outside the unit path, not enabled',
  'linked-runtime': 'it is linked under /run only',
});

export function evaluateUnitState(facts: NodeFacts, c: UnitCommands): Verdict {
  const expected = 'active (running) and enabled';
  const source = `systemctl is-active ${c.unit}; systemctl is-enabled ${c.unit}`;
  if (!facts.systemd) {
    return error({ expected, actual: 'unknown', source }, 'no systemd on this node (PID 1 is not systemd): unit state cannot be observed');
  }
  const active = commandFact(facts, c.active, `systemctl is-active ${c.unit}`);
  const enabled = commandFact(facts, c.enabled, `systemctl is-enabled ${c.unit}`);
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
  if (notInstalled) problems.push(`${c.unit}.service is not installed (systemctl knows no such unit)`);
  else {
    if (!isActive) problems.push(`${c.unit} is ${activeState}, not active${c.explainState?.(activeState) ?? ''}`);
    if (enabledState !== 'enabled') {
      problems.push(`the unit is ${enabledState}: ${enabledMeaning(c.unit)[enabledState] ?? 'it is not enabled for boot'}`);
    }
  }
  const j = commandFact(facts, c.journal, `journalctl -u ${c.unit}`);
  const lines = j.ok ? lastLines(j.fact.stdout, 10) : '';
  const journal = !j.ok ? `(no journal: ${j.why})` : lines ? `last journal lines:\n${lines}` : `(the journal has no ${c.unit} entries)`;
  return fail({ expected, actual, source }, `${problems.join('; ')}.\n${journal}`);
}
