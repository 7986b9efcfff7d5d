// One reading of a systemd unit's state for every service check: running now, starting at boot, and why not.
import type { NodeFacts } from '../facts/types.ts';
import { formatSeconds, parseUnitState, type UnitState } from '../kubelet/systemd-state.ts';
import { commandFact, lastLines, oneLine } from './runtime/evidence.ts';
import { error, fail, pass, type Verdict } from './verdict.ts';

export interface UnitCommands {
  /** systemd unit name without `.service`. */
  readonly unit: string;
  /** NodeFacts.commands keys of `systemctl is-active`, `systemctl is-enabled` and `journalctl -u`. */
  readonly active: string;
  readonly enabled: string;
  readonly journal: string;
  /** NodeFacts.commands key of the `systemctl show` state snippet (NRestarts, ActiveEnterTimestamp, node clock). */
  readonly state?: string;
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

/**
 * A run younger than this, after systemd restarted the unit at least once, is judged a crash loop. With
 * Restart=always and RestartSec=10 (kubeadm's kubelet unit; containerd's unit uses 5 s) a crashing service reads
 * "active" for the seconds it takes to fail again, so one sample cannot tell "up" from "between two crashes";
 * a run that has lasted five minutes has outlived every start-up failure we have seen on these nodes (the
 * kubelet's bootstrap and CRI-connect failures exit within a minute or two), while a unit that recovered after a
 * restart long ago is not in a loop.
 */
export const crashLoopWindowSeconds = 300;

/** The state snippet's reading, or why it is not available (old snapshots, an old systemd without NRestarts). */
function readState(facts: NodeFacts, key: string | undefined): { state?: UnitState; why?: string } {
  if (key === undefined) return { why: 'no restart record is read for this unit' };
  const f = commandFact(facts, key, 'systemctl show (NRestarts, ActiveEnterTimestamp)');
  if (!f.ok) return { why: f.why };
  if (f.fact.exitCode !== 0) return { why: `systemctl show exited with status ${f.fact.exitCode}: ${oneLine(f.fact.stderr)}` };
  return { state: parseUnitState(f.fact.stdout) };
}

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
  const { state, why: noState } = readState(facts, c.state);
  const restarts = state?.nRestarts;
  const restartText = restarts !== undefined ? `, ${restarts} automatic restart${restarts === 1 ? '' : 's'}` : '';
  const upText = state?.activeForSeconds !== undefined && activeState === 'active' ? `, up ${formatSeconds(state.activeForSeconds)}` : '';
  const actual = `${activeState}${state?.subState && state.subState !== activeState ? ` (${state.subState})` : ''}, ${enabledState}${restartText}${upText}`;
  const isActive = activeState === 'active' || activeState === 'reloading';
  const fullSource = state ? `${source}; systemctl show ${c.unit} -p NRestarts -p ActiveEnterTimestamp` : source;
  // NRestarts counts systemd's automatic restarts since the unit was last started by hand: > 0 with a young run
  // means the "active" just read is the gap between two crashes.
  const crashLooping = isActive && restarts !== undefined && restarts > 0 && state?.activeForSeconds !== undefined && state.activeForSeconds < crashLoopWindowSeconds;
  if (isActive && enabledState === 'enabled' && !crashLooping) {
    const notes: string[] = [];
    if (restarts !== undefined && restarts > 0) notes.push(`systemd restarted ${c.unit} ${restarts} time${restarts === 1 ? '' : 's'}; the current run has lasted ${formatSeconds(state?.activeForSeconds ?? 0)}, past the ${formatSeconds(crashLoopWindowSeconds)} a crash loop would not survive.`);
    if (!state) notes.push(`Restart history not observed (${noState}): a unit in a crash loop can read "active" between restarts.`);
    else if (restarts === undefined || state.activeForSeconds === undefined)
      notes.push(`systemd reported no ${restarts === undefined ? 'NRestarts (systemd older than 235)' : 'ActiveEnterTimestamp'}: a unit in a crash loop can read "active" between restarts.`);
    return pass({ expected, actual, source: fullSource }, notes.join(' '));
  }

  const problems: string[] = [];
  if (crashLooping) {
    problems.push(
      `${c.unit} reads active, but systemd has restarted it ${restarts} time${restarts === 1 ? '' : 's'} and the current run began ${formatSeconds(state?.activeForSeconds ?? 0)} ago${state?.activeSince ? ` (${state.activeSince})` : ''}: it is crash-looping, active only between restarts`,
    );
  }
  if (notInstalled) problems.push(`${c.unit}.service is not installed (systemctl knows no such unit)`);
  else {
    if (!isActive) {
      const loop = state?.subState === 'auto-restart' ? `, waiting to be restarted by systemd${restarts !== undefined ? ` (restarted ${restarts} time${restarts === 1 ? '' : 's'} so far)` : ''}` : '';
      const result = state?.result && state.result !== 'success' ? `; last result ${state.result}${state.execMainStatus ? `, exit status ${state.execMainStatus}` : ''}` : '';
      problems.push(`${c.unit} is ${activeState}, not active${loop}${result}${c.explainState?.(activeState) ?? ''}`);
    }
    if (enabledState !== 'enabled') {
      problems.push(`the unit is ${enabledState}: ${enabledMeaning(c.unit)[enabledState] ?? 'it is not enabled for boot'}`);
    }
  }
  const j = commandFact(facts, c.journal, `journalctl -u ${c.unit}`);
  const lines = j.ok ? lastLines(j.fact.stdout, 10) : '';
  const journal = !j.ok ? `(no journal: ${j.why})` : lines ? `last journal lines:\n${lines}` : `(the journal has no ${c.unit} entries)`;
  return fail({ expected, actual, source: fullSource }, `${problems.join('; ')}.\n${journal}`);
}
