// RT-2.2.4 by versions: where the kubelet takes the cgroup driver from containerd (KubeletCgroupDriverFromCRI with a
// containerd that implements RuntimeConfig) its own cgroupDriver does not matter; elsewhere it must match. The
// verdict says which rule applied.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { evaluateCgroupDriversAgree } from '../../src/evaluate/kubelet/cgroup.ts';
import { file, ran } from '../support/facts.ts';
import { cmdlineOutput, compliantArgv, compliantConfig, kdrift, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = profileSchema.parse(defaultProfile);
const cfg = '/var/lib/kubelet/config.yaml';
const cgroupfsKubelet = compliantConfig.replace('cgroupDriver: systemd', 'cgroupDriver: cgroupfs');
const containerd = (v: string) => ({
  'containerd-version': ran(`containerd github.com/containerd/containerd/v2 v${v} abc\n`),
  'ctr-version': ran(`Client:\n  Version:  v${v}\n\nServer:\n  Version:  v${v}\n`),
});
const node = (o: { kubelet: number; containerd: string; config?: string; argv?: readonly string[] }) =>
  kdrift(kubeletCompliantFacts(), {
    files: { [cfg]: file(o.config ?? cgroupfsKubelet, 0o600) },
    commands: { 'kubelet-version': ran(`Kubernetes v1.${o.kubelet}.2\n`), ...containerd(o.containerd), ...(o.argv ? { 'kubelet-cmdline': ran(cmdlineOutput(o.argv)) } : {}) },
  });

describe('RT-2.2.4: which cgroup driver the kubelet actually uses', () => {
  // pkg/features/kube_features.go: KubeletCgroupDriverFromCRI {1.28 Alpha false}, {1.31 Beta true}, {1.34 GA locked};
  // containerd internal/cri/server/runtime_config_linux.go getCgroupDriver: the default runtime handler's runc
  // SystemdCgroup; kubernetes.io blog 2024-08-21 "Autoconfiguration For Node Cgroup Driver (beta)": containerd
  // support was added in v2.0.0.
  it('kubelet 1.31 + containerd 2.1: the kubelet takes systemd from containerd; its cgroupfs setting is ignored', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 31, containerd: '2.1.5' }), profile);
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('kubelet takes systemd from containerd v2.1.5');
    expect(v.message).toContain('Rule applied: the kubelet takes the cgroup driver from the CRI (KubeletCgroupDriverFromCRI is beta, on by default in kubelet v1.31.2');
    expect(v.message).toContain('Its own cgroupDriver (cgroupfs');
  });

  // Feature gate docs (kubelet-cgroup-driver-from-cri): "If you enable this feature gate and the container runtime
  // doesn't support it, the kubelet falls back to using the driver configured using the cgroupDriver setting."
  it('kubelet 1.31 + containerd 1.7: the kubelet falls back to its own setting, so cgroupfs fails', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 31, containerd: '1.7.29' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('does not implement the CRI RuntimeConfig call');
  });

  it('kubelet 1.30 + containerd 2.1: the gate is alpha and off, so the kubelet\'s own cgroupfs fails', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 30, containerd: '2.1.5' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain("Rule applied: the kubelet's own cgroupDriver (KubeletCgroupDriverFromCRI is alpha, off by default in kubelet v1.30.2)");
  });

  it('the gate turned off in featureGates (1.31) puts the kubelet\'s own setting back in charge', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 31, containerd: '2.1.5', argv: [...compliantArgv, '--feature-gates=KubeletCgroupDriverFromCRI=false'] }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('KubeletCgroupDriverFromCRI=false in featureGates (cmdline)');
  });

  it('the gate turned on in the config file on 1.30 makes the CRI rule apply', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 30, containerd: '2.0.7', config: cgroupfsKubelet + 'featureGates:\n  KubeletCgroupDriverFromCRI: true\n' }), profile);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('KubeletCgroupDriverFromCRI=true in featureGates');
  });

  // component-base/featuregate/feature_gate.go SetFromMap: "cannot set feature gate %v to %v, feature is locked to %v".
  it('1.34: the gate is GA and locked on; a false in featureGates stops the kubelet, and the CRI rule applies otherwise', () => {
    const v = evaluateCgroupDriversAgree(node({ kubelet: 34, containerd: '2.1.5', config: cgroupfsKubelet + 'featureGates:\n  KubeletCgroupDriverFromCRI: false\n' }), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('refuses to start: KubeletCgroupDriverFromCRI=false');
    const ok = evaluateCgroupDriversAgree(node({ kubelet: 34, containerd: '2.1.5' }), profile);
    expect(ok.status).toBe('pass');
    expect(ok.message).toContain('GA (locked on)');
  });

  it('containerd\'s version unknown: a disagreement is an error (which rule applies cannot be known), an agreement passes', () => {
    const unknown = (config: string) =>
      kdrift(kubeletCompliantFacts(), {
        files: { [cfg]: file(config, 0o600) },
        commands: { 'containerd-version': { state: 'not-found', stderr: '' }, 'ctr-version': { state: 'timeout' } },
      });
    const v = evaluateCgroupDriversAgree(unknown(cgroupfsKubelet), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain("containerd's version could not be read");
    expect(evaluateCgroupDriversAgree(unknown(compliantConfig), profile).status).toBe('pass');
  });
});
