// HOST-1.2.x: no swap now (/proc/swaps) and none at the next boot (fstab, systemd .swap units, zram-generator).
import { cmd, paths, zramGeneratorConfigs } from '../../facts/requirements.ts';
import { parseFstab, swapActivation, swapEntries, swapUnitName } from '../../parse/fstab.ts';
import { parseProcSwaps } from '../../parse/swaps.ts';
import { parseListUnitFiles, parseListUnits } from '../../parse/systemctl-list.ts';
import { error, fail, pass } from '../verdict.ts';
import { commandOutput, readFile } from './evidence.ts';
import type { Evaluator } from './types.ts';
import { zramFindings } from './zram.ts';

export const noActiveSwap: Evaluator = (facts) => {
  const expected = 'no active swap';
  const source = paths.swaps;
  const file = readFile(facts, source);
  if (file.kind === 'missing') return error({ expected, actual: 'unknown', source }, `${source} does not exist: the probe did not see procfs.`);
  if (file.kind === 'unknown') return error({ expected, actual: 'unknown', source }, `Cannot read ${source}: ${file.reason}.`);
  const areas = parseProcSwaps(file.text);
  if (areas.length === 0) return pass({ expected, actual: 'no swap areas', source });
  const actual = areas.map((a) => `${a.filename} (${a.type}, ${a.sizeKiB} KiB)`).join(', ');
  return fail({ expected, actual, source }, `${areas.length} swap area(s) active: ${actual}. Run \`swapoff -a\` (and make it persistent, HOST-1.2.2).`);
};

/** States in which a .swap unit is pulled in at boot; "generated" covers fstab, zram and gpt-auto generators. */
const bootStates = new Set(['enabled', 'enabled-runtime', 'generated', 'linked', 'linked-runtime', 'transient', 'alias']);

export const swapStaysOff: Evaluator = (facts) => {
  const expected = 'no swap entry in /etc/fstab, no enabled or active .swap unit, no zram-generator device';
  const problems: string[] = [];
  const unknown: string[] = [];
  const notes: string[] = [];
  const sources: string[] = [paths.fstab];

  const fstab = readFile(facts, paths.fstab);
  /** .swap units systemd-fstab-generator writes for entries it does not hook into swap.target. */
  const notPulledIn = new Map<string, string>();
  if (fstab.kind === 'unknown') unknown.push(fstab.reason);
  else if (fstab.kind === 'text') {
    for (const e of swapEntries(parseFstab(fstab.text))) {
      const act = swapActivation(e);
      // Where systemd is PID 1 it activates swap at boot (swapon -a is not run); elsewhere the init scripts run swapon -a.
      const atBoot = facts.systemd ? act.systemdBoot : act.swaponAll;
      const at = `${paths.fstab} line ${e.line}`;
      if (atBoot) {
        const alsoNote = act.swaponAll ? '' : ' (swapon -a skips it for its noauto, but systemd-fstab-generator reads the last of noauto/auto)';
        problems.push(`${at} enables swap on ${e.spec}: "${e.raw.trim()}"${alsoNote} — comment it out`);
        continue;
      }
      notPulledIn.set(swapUnitName(e.spec), at);
      notes.push(
        act.systemdBoot
          ? `${at} says noauto then auto: swapon -a skips it, so it stays off on this non-systemd node (systemd would activate it)`
          : `${at} is a noauto swap entry: neither swapon -a nor systemd-fstab-generator activates it at boot`,
      );
    }
  }

  if (facts.systemd) {
    const reported = new Set<string>();
    sources.push('systemctl list-units --type=swap', 'systemctl list-unit-files --type=swap');
    const units = commandOutput(facts, cmd.swapUnits, 'systemctl list-units --type=swap --all');
    if (!units.ok) unknown.push(units.reason);
    else {
      for (const u of parseListUnits(units.stdout)) {
        if (u.active !== 'active' && u.active !== 'activating') continue;
        // Swapped on by hand from a noauto line: active now (HOST-1.2.1 says so), not at the next boot.
        if (notPulledIn.has(u.unit)) continue;
        reported.add(u.unit);
        problems.push(`swap unit ${u.unit} is ${u.active} (${u.sub}) — \`systemctl mask --now ${u.unit}\``);
      }
    }
    // list-unit-files exits 1, printing nothing, when no unit file matches (systemd 252): that is "none", not a failure.
    const raw = facts.commands[cmd.swapUnitFiles];
    const noneListed = raw?.state === 'ran' && raw.exitCode === 1 && raw.stdout.trim() === '' && raw.stderr.trim() === '';
    const files = noneListed ? { ok: true as const, stdout: '' } : commandOutput(facts, cmd.swapUnitFiles, 'systemctl list-unit-files --type=swap');
    if (!files.ok) unknown.push(files.reason);
    else {
      for (const u of parseListUnitFiles(files.stdout)) {
        // The generator writes a unit for a noauto entry too (state "generated"), but no swap.target link.
        if (bootStates.has(u.state) && !reported.has(u.unit) && !(u.state === 'generated' && notPulledIn.has(u.unit))) {
          problems.push(`swap unit ${u.unit} is ${u.state} and starts at boot — \`systemctl mask ${u.unit}\``);
        }
      }
    }
  } else {
    notes.push('systemd is not PID 1, so .swap units were not checked; /etc/fstab and zram-generator decided');
  }

  sources.push(...zramGeneratorConfigs);
  const zram = zramFindings(zramGeneratorConfigs, (p) => readFile(facts, p), unknown);
  problems.push(...zram.problems);
  notes.push(...zram.notes);

  const source = sources.join(', ');
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (problems.length > 0) {
    const unverified = unknown.length > 0 ? ` Also unverified: ${unknown.join('; ')}.` : '';
    return fail({ expected, actual: problems.join('; '), source }, `Swap comes back at reboot: ${problems.join('; ')}.${unverified}${note}`);
  }
  if (unknown.length > 0) return error({ expected, actual: 'unknown', source }, `Cannot tell whether swap stays off: ${unknown.join('; ')}.${note}`);
  return pass({ expected, actual: 'no swap configured for boot', source }, notes.join('; '));
};
