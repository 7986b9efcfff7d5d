// RT-2.2.4: the kubelet and containerd's runc use the same cgroup driver; a mismatch leaves pods in two cgroup
// trees and the kubelet's accounting (and eviction) wrong. Which kubelet setting matters depends on versions: with
// KubeletCgroupDriverFromCRI on and a containerd that answers the CRI RuntimeConfig call (2.0 and later), the
// kubelet takes containerd's driver and ignores its own cgroupDriver; otherwise its own setting must match.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { describeDisagreement, describeWinner, type EffectiveConfig } from '../../kubelet/effective.ts';
import { cgroupDriverFromCriDefault, cgroupDriverFromCriLocked } from '../../kubelet/version.ts';
import { parseGoBool } from '../../kubelet/flags.ts';
import { evaluateSystemdCgroup } from '../runtime/config.ts';
import { nodeContainerdVersion } from '../runtime/versions.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { configSource, effective, settingSource } from './evidence.ts';

const gate = 'KubeletCgroupDriverFromCRI';

/** Whether the kubelet asks the runtime for the driver: the gate's effective value and where it came from. */
function gateState(eff: EffectiveConfig): { on: boolean; why: string; refused?: string } {
  const minor = eff.version.minor;
  const v = `kubelet ${eff.version.text}`;
  const gates = eff.setting('featureGates');
  const raw = gates.value?.type === 'map' ? gates.value.value[gate] : undefined;
  const explicit = raw === undefined ? undefined : parseGoBool(raw);
  if (explicit !== undefined && !cgroupDriverFromCriLocked(minor)) return { on: explicit, why: `${gate}=${raw} in featureGates (${gates.winner.label})` };
  // component-base featuregate SetFromMap: setting a locked gate to anything but its default is an error at start.
  if (explicit === false) return { on: true, why: `${gate} is GA (locked on) in ${v}`, refused: `${v} refuses to start: ${gate}=false in featureGates (${gates.winner.label}) but the gate is locked to true` };
  const on = cgroupDriverFromCriDefault(minor);
  return { on, why: `${gate} is ${cgroupDriverFromCriLocked(minor) ? 'GA (locked on)' : on ? 'beta, on by default' : 'alpha, off by default'} in ${v}` };
}

export function evaluateCgroupDriversAgree(facts: NodeFacts, profile: Profile): Verdict {
  const rt = evaluateSystemdCgroup(facts, profile);
  const eff = effective(facts);
  const expected = "the kubelet's effective cgroup driver = containerd's runc driver (systemd, RT-2.2.3)";
  if (rt.status === 'error') return error({ expected, actual: 'unknown', source: rt.source }, `containerd's cgroup driver is unknown: ${rt.message}`);
  if (eff.blocking.length > 0) return error({ expected, actual: 'unknown', source: configSource(eff) }, eff.blocking.join('; '));
  const s = eff.setting('cgroupDriver');
  const containerd = rt.status === 'pass' ? 'systemd' : 'cgroupfs';
  const kubelet = s.value?.type === 'string' ? s.value.value : '';
  const versionNote = eff.version.observed ? '' : ` (the kubelet's version is assumed: ${eff.version.why})`;
  const g = gateState(eff);
  if (g.refused) return error({ expected, actual: 'unknown', source: configSource(eff) }, g.refused);
  const running = nodeContainerdVersion(facts);
  const cgroupfsNote = containerd === 'cgroupfs' ? ' Both use cgroupfs: they agree, but RT-2.2.3 fails (the documented state is systemd on both sides).' : '';

  // The kubelet's CRI path (pkg/kubelet/kubelet.go getCgroupDriverFromCRI): containerd ≥ 2.0 answers RuntimeConfig
  // with its default runtime handler's runc SystemdCgroup; 1.x answers Unimplemented and the kubelet keeps its own.
  if (g.on && running && running.version.major >= 2) {
    const source = `${rt.source}; containerd ${running.raw} (RuntimeConfig); ${settingSource(eff, s)}`;
    const ignored = kubelet !== containerd ? ` Its own cgroupDriver (${describeWinner(s)}) is ignored and would only matter with containerd 1.x or the gate off.` : '';
    return pass(
      { expected, actual: `kubelet takes ${containerd} from containerd ${running.raw} (${g.why}); containerd runc ${rt.actual}`, source },
      `Rule applied: the kubelet takes the cgroup driver from the CRI (${g.why}, containerd ${running.raw} implements RuntimeConfig).${ignored}${cgroupfsNote}${versionNote}`.trim(),
    );
  }
  if (g.on && !running) {
    const agreeAnyway = kubelet === containerd;
    const why = `${g.why}, but containerd's version could not be read, so whether the kubelet takes the driver from the CRI (containerd ≥ 2.0) or from its own cgroupDriver (containerd 1.x) is unknown`;
    if (!agreeAnyway) return error({ expected, actual: `kubelet cgroupDriver = ${describeWinner(s)}; containerd runc ${rt.actual}`, source: `${rt.source}; ${settingSource(eff, s)}` }, `${why}: the drivers agree only under the CRI rule.`);
    return pass({ expected, actual: `kubelet cgroupDriver = ${describeWinner(s)}; containerd runc ${rt.actual}`, source: `${rt.source}; ${settingSource(eff, s)}` }, `The drivers agree under either rule (${why}).${cgroupfsNote}`.trim());
  }

  const rule = g.on
    ? `Rule applied: the kubelet's own cgroupDriver, because containerd ${running?.raw ?? ''} (1.x) does not implement the CRI RuntimeConfig call and the kubelet falls back to its setting (${g.why}).`
    : `Rule applied: the kubelet's own cgroupDriver (${g.why}).`;
  const source = `${settingSource(eff, s)}; ${rt.source}`;
  if (s.error) return fail({ expected, actual: s.winner.raw, source }, `${s.error} ${rule}`);
  const actual = `kubelet cgroupDriver = ${describeWinner(s)}; containerd runc ${rt.actual}`;
  const layers = describeDisagreement(s);
  if (kubelet === containerd) return pass({ expected, actual, source }, [rule + cgroupfsNote + versionNote, layers].filter(Boolean).join(' '));
  return fail(
    { expected: `kubelet cgroupDriver = ${containerd} (containerd's driver)`, actual, source },
    `the kubelet uses ${kubelet || '(none)'} (${s.winner.label}) while containerd's runc uses ${containerd} (${rt.source}): pods are accounted in another cgroup tree than they run in. ${rule} ${
      containerd === 'systemd' ? 'Set cgroupDriver: systemd in the kubelet config file.' : 'Make containerd use systemd (RT-2.2.3) and keep cgroupDriver: systemd.'
    }${versionNote} ${layers}`.trim(),
  );
}
