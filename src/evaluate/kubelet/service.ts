// KUBELET-3.1.1 and 3.1.3: the packages are installed and held against upgrades, and the kubelet unit runs (not
// between two crashes) and starts at boot.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { debianPackageName, kubeletCmd } from '../../kubelet/paths.ts';
import { isInstalled, parseDpkgPackages } from '../../kubelet/packages.ts';
import { evaluateUnitState } from '../unit-state.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { commandFact, oneLine } from '../runtime/evidence.ts';

/** Before the probe read install state it read only dpkg's holds (snapshots taken then still replay). */
function heldFromHoldsList(facts: NodeFacts, want: readonly string[], expected: string): Verdict {
  const source = "dpkg selections on hold (what apt-mark showhold lists)";
  const c = commandFact(facts, kubeletCmd.holds, source);
  if (!c.ok) {
    if (c.notFound) return skip({ expected, actual: 'no dpkg', source }, 'not a dpkg/apt host: dpkg-query is not installed, so package holds do not apply');
    return error({ expected, actual: 'unknown', source }, c.why);
  }
  if (c.fact.exitCode !== 0) return error({ expected, actual: 'unknown', source }, `reading dpkg's selections exited with status ${c.fact.exitCode}: ${oneLine(c.fact.stderr)}`);
  const held = new Set(c.fact.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  const missing = want.filter((p) => !held.has(p));
  const actual = held.size ? `held: ${[...held].join(', ')}` : 'nothing held';
  if (missing.length === 0) return pass({ expected, actual, source });
  return fail(
    { expected, actual, source },
    `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not held (install state not observed by this older probe): an unattended \`apt upgrade\` can move the kubelet past the supported version skew. Run \`apt-mark hold ${missing.join(' ')}\`.`,
  );
}

export function evaluateHeld(facts: NodeFacts, profile: Profile): Verdict {
  const want = profile.kubelet.heldPackages;
  const expected = `${want.join(', ')} installed and held (apt-mark showhold lists them)`;
  if (facts.commands[kubeletCmd.packages] === undefined && facts.commands[kubeletCmd.holds] !== undefined) return heldFromHoldsList(facts, want, expected);
  const source = `dpkg-query -W ${want.join(' ')} (dpkg's selection and install state)`;
  const c = commandFact(facts, kubeletCmd.packages, source);
  if (!c.ok) {
    if (c.notFound) return skip({ expected, actual: 'no dpkg', source }, 'not a dpkg/apt host: dpkg-query is not installed, so package holds do not apply');
    return error({ expected, actual: 'unknown', source }, c.why);
  }
  // dpkg-query exits 1 when some name is unknown to dpkg, and names it on stderr; the rest is still printed.
  const unreadable = want.filter((p) => !debianPackageName.test(p));
  if (unreadable.length) return error({ expected, actual: 'unknown', source }, `the profile names ${unreadable.map((p) => JSON.stringify(p)).join(', ')}, which ${unreadable.length > 1 ? 'are' : 'is'} not a Debian package name`);
  if (c.fact.exitCode !== 0 && c.fact.exitCode !== 1) return error({ expected, actual: 'unknown', source }, `dpkg-query exited with status ${c.fact.exitCode}: ${oneLine(c.fact.stderr)}`);
  const states = new Map(parseDpkgPackages(c.fact.stdout).map((p) => [p.name, p]));
  const describe = (p: string): string => {
    const st = states.get(p);
    return st ? `${p} ${st.want}/${st.status}` : `${p} unknown to dpkg`;
  };
  const actual = want.map(describe).join(', ');
  const notInstalled = want.filter((p) => !isInstalled(states.get(p)?.status ?? 'not-installed'));
  if (notInstalled.length > 0) {
    const partial = notInstalled.filter((p) => {
      const st = states.get(p)?.status;
      return st !== undefined && st !== 'not-installed' && st !== 'config-files';
    });
    return error(
      { expected, actual, source },
      `${notInstalled.join(', ')} ${notInstalled.length > 1 ? 'are' : 'is'} not installed${partial.length ? ` (${partial.map(describe).join(', ')}: an interrupted install)` : ''}: this node should be a worker, so there is nothing to hold — install the packages (then \`apt-mark hold ${want.join(' ')}\`) or audit the right node.`,
    );
  }
  const notHeld = want.filter((p) => states.get(p)?.want !== 'hold');
  if (notHeld.length === 0) return pass({ expected, actual, source });
  return fail(
    { expected, actual, source },
    `${notHeld.join(', ')} ${notHeld.length > 1 ? 'are' : 'is'} not held: an unattended \`apt upgrade\` can move the kubelet past the supported version skew. Run \`apt-mark hold ${notHeld.join(' ')}\`.`,
  );
}

export function evaluateKubeletService(facts: NodeFacts): Verdict {
  return evaluateUnitState(facts, {
    unit: 'kubelet',
    active: kubeletCmd.active,
    enabled: kubeletCmd.enabled,
    journal: kubeletCmd.journal,
    state: kubeletCmd.state,
    explainState: (state) => (state === 'activating' ? ' (kubeadm nodes restart a failing kubelet every 10 s: it is crash-looping)' : ''),
  });
}
