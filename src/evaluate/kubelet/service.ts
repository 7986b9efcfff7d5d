// KUBELET-3.1.1 and 3.1.3: the packages are held against upgrades, and the kubelet unit runs and starts at boot.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { kubeletCmd } from '../../kubelet/paths.ts';
import { evaluateUnitState } from '../unit-state.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { commandFact, oneLine } from '../runtime/evidence.ts';

export function evaluateHeld(facts: NodeFacts, profile: Profile): Verdict {
  const want = profile.kubelet.heldPackages;
  const expected = `apt-mark showhold lists ${want.join(', ')}`;
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
    `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not held: an unattended \`apt upgrade\` can move the kubelet past the supported version skew. Run \`apt-mark hold ${missing.join(' ')}\`.`,
  );
}

export function evaluateKubeletService(facts: NodeFacts): Verdict {
  return evaluateUnitState(facts, {
    unit: 'kubelet',
    active: kubeletCmd.active,
    enabled: kubeletCmd.enabled,
    journal: kubeletCmd.journal,
    explainState: (state) => (state === 'activating' ? ' (kubeadm nodes restart a failing kubelet every 10 s: it is crash-looping)' : ''),
  });
}
