// RT-2.2.4: the kubelet's cgroup driver matches containerd's runc driver; a mismatch leaves pods in two
// cgroup trees and the kubelet's accounting (and eviction) wrong.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { describeDisagreement, describeWinner } from '../../kubelet/effective.ts';
import { evaluateSystemdCgroup } from '../runtime/config.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { configSource, effective, settingSource } from './evidence.ts';

export function evaluateCgroupDriversAgree(facts: NodeFacts, profile: Profile): Verdict {
  const rt = evaluateSystemdCgroup(facts, profile);
  const eff = effective(facts);
  const expected = 'kubelet cgroupDriver = systemd when containerd\'s runc uses SystemdCgroup = true (RT-2.2.3)';
  if (rt.status === 'error') return error({ expected, actual: 'unknown', source: rt.source }, `containerd's cgroup driver is unknown: ${rt.message}`);
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const s = eff.setting('cgroupDriver');
  const source = `${settingSource(eff, s)}; ${rt.source}`;
  if (s.error) return fail({ expected, actual: s.winner.raw, source }, s.error);
  const kubelet = s.value?.type === 'string' ? s.value.value : '';
  const containerd = rt.status === 'pass' ? 'systemd' : 'cgroupfs';
  const actual = `kubelet cgroupDriver = ${describeWinner(s)}; containerd runc ${rt.actual}`;
  const layers = describeDisagreement(s);
  if (kubelet === containerd) {
    const note = containerd === 'cgroupfs' ? 'Both use cgroupfs: they agree, but RT-2.2.3 fails (the documented state is systemd on both sides).' : '';
    return pass({ expected, actual, source }, [note, layers].filter(Boolean).join(' '));
  }
  return fail(
    { expected: `kubelet cgroupDriver = ${containerd} (containerd's driver)`, actual, source },
    `the kubelet uses ${kubelet || '(none)'} (${s.winner.label}) while containerd's runc uses ${containerd} (${rt.source}): pods are accounted in another cgroup tree than they run in. ${
      containerd === 'systemd' ? 'Set cgroupDriver: systemd in the kubelet config file.' : 'Make containerd use systemd (RT-2.2.3) and keep cgroupDriver: systemd.'
    } (A kubelet ≥1.31 with containerd ≥2.0 may take the driver from the CRI instead of this setting.) ${layers}`.trim(),
  );
}
