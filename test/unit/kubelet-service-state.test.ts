// Service state as systemd records it: KUBELET-3.1.3 and RT-2.1.1 read NRestarts and ActiveEnterTimestamp beside
// is-active, so a unit in a crash loop fails with its restart count even when sampled "active" between restarts;
// KUBELET-3.1.1 tells "not installed" (an error on a worker) from "not held" with dpkg's install state.
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { evaluateHeld, evaluateKubeletService } from '../../src/evaluate/kubelet/service.ts';
import { parseDpkgPackages } from '../../src/kubelet/packages.ts';
import { evaluateService } from '../../src/evaluate/runtime/service.ts';
import { crashLoopWindowSeconds } from '../../src/evaluate/unit-state.ts';
import { parseSystemdUtc, parseUnitState, unitStateScript } from '../../src/kubelet/systemd-state.ts';
import { compliantFacts, drift, ran } from '../support/facts.ts';
import { kdrift, kubeletCompliantFacts, unitStateOutput } from '../support/kubelet-facts.ts';

const profile = profileSchema.parse(defaultProfile);
const kubeletWith = (state: string, active = 'active\n') => kdrift(kubeletCompliantFacts(), { commands: { 'kubelet-unit-state': ran(state), 'kubelet-is-active': ran(active, active === 'active\n' ? 0 : 3) } });

describe('reading systemctl show with the node clock', () => {
  // systemd src/core/unit.c: NRestarts counts automatic restarts (unit_inc_restarts... "n_restarts"), reset by a
  // manual start; ActiveEnterTimestamp{,Monotonic} is the dual timestamp taken when the unit entered "active"
  // (man systemd.unit / org.freedesktop.systemd1(5): NRestarts "how many times this service has been restarted").
  it('measures the current run on the monotonic clock, falling back to the wall clock', () => {
    const s = parseUnitState(unitStateOutput({ nRestarts: 7, activeFor: 4 }));
    expect(s).toMatchObject({ activeState: 'active', subState: 'running', nRestarts: 7, activeForSeconds: 4, clock: 'monotonic' });
    const wallOnly = unitStateOutput({ nRestarts: 7, activeFor: 4 }).replace(/ActiveEnterTimestampMonotonic=\d+/, 'ActiveEnterTimestampMonotonic=0');
    expect(parseUnitState(wallOnly)).toMatchObject({ activeForSeconds: 4, clock: 'realtime' });
    expect(parseSystemdUtc('Mon 2026-11-30 05:56:26 UTC')).toBe(Date.UTC(2026, 10, 30, 5, 56, 26) / 1000);
  });

  it('the snippet prints both clocks before the properties, with TZ=UTC for parseable timestamps', () => {
    const script = unitStateScript('kubelet');
    expect(script).toContain('date -u +%s');
    expect(script).toContain('/proc/uptime');
    expect(script).toContain('TZ=UTC LC_ALL=C systemctl show kubelet --no-pager -p ActiveState -p SubState -p Result -p NRestarts -p ActiveEnterTimestamp');
    expect(() => unitStateScript('kubelet; reboot')).toThrow('not a unit name');
  });
});

describe('KUBELET-3.1.3: a kubelet in a crash loop fails with its restart count', () => {
  it('passes a kubelet up for a day with no automatic restarts, showing both', () => {
    const v = evaluateKubeletService(kubeletCompliantFacts());
    expect(v).toMatchObject({ status: 'pass', actual: 'active (running), enabled, 0 automatic restarts, up 1d 0h' });
    expect(v.source).toContain('systemctl show kubelet -p NRestarts');
  });

  it(`fails "active" sampled between crashes: restarted by systemd, current run younger than ${crashLoopWindowSeconds} s`, () => {
    const v = evaluateKubeletService(kubeletWith(unitStateOutput({ nRestarts: 42, activeFor: 3 })));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('active (running), enabled, 42 automatic restarts, up 3s');
    expect(v.message).toContain('systemd has restarted it 42 times and the current run began 3s ago');
    expect(v.message).toContain('crash-looping');
  });

  it('fails the auto-restart gap itself with the restart count and the exit status', () => {
    const v = evaluateKubeletService(kubeletWith(unitStateOutput({ nRestarts: 43, activeState: 'activating', subState: 'auto-restart', result: 'exit-code', status: 1 }), 'activating\n'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('kubelet is activating, not active, waiting to be restarted by systemd (restarted 43 times so far); last result exit-code, exit status 1');
  });

  it('passes a kubelet that recovered after restarts long ago, saying how many', () => {
    const v = evaluateKubeletService(kubeletWith(unitStateOutput({ nRestarts: 2, activeFor: 3_600 })));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('systemd restarted kubelet 2 times; the current run has lasted 1h 0m');
  });

  it('a first run younger than the window is not a crash loop: nothing has restarted it', () => {
    expect(evaluateKubeletService(kubeletWith(unitStateOutput({ nRestarts: 0, activeFor: 5 }))).status).toBe('pass');
  });

  it('a systemd without NRestarts (older than 235) leaves is-active in charge, and the pass says so', () => {
    const v = evaluateKubeletService(kubeletWith(unitStateOutput({ nRestarts: 0, activeFor: 3 }).replace(/^NRestarts=.*\n/m, '')));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('systemd reported no NRestarts (systemd older than 235)');
  });

  it('without the restart record (an older snapshot) is-active still decides, and the pass says what was not seen', () => {
    const facts = kdrift(kubeletCompliantFacts(), {});
    const { ['kubelet-unit-state']: _gone, ...commands } = facts.commands;
    const v = evaluateKubeletService({ ...facts, commands });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('Restart history not observed');
  });
});

describe('RT-2.1.1: containerd in a crash loop fails the same way', () => {
  it('fails containerd active for 2 s after 9 restarts', () => {
    const v = evaluateService(drift(compliantFacts(), { commands: { 'containerd-unit-state': ran(unitStateOutput({ nRestarts: 9, activeFor: 2 })) } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('containerd reads active, but systemd has restarted it 9 times');
  });
  it('passes containerd up for a day', () => {
    const v = evaluateService(drift(compliantFacts(), { commands: { 'containerd-unit-state': ran(unitStateOutput({ nRestarts: 0, activeFor: 86_400 })) } }));
    expect(v).toMatchObject({ status: 'pass', actual: 'active (running), enabled, 0 automatic restarts, up 1d 0h' });
  });
});

describe('KUBELET-3.1.1: installed and held, from dpkg\'s database', () => {
  // dpkg-query(1) --showformat: ${db:Status-Abbrev} is the selection, the status and the error flag, one letter each
  // ("hi " held and installed, "rc " removed with config files left).
  it('reads Status-Abbrev and the version per package', () => {
    expect(parseDpkgPackages('hi  kubelet 1.31.4-1.1\nrc  kubeadm 1.30.1-1.1\nii  libc6:amd64 2.36-9\nun  kubectl \n')).toEqual([
      { name: 'kubelet', want: 'hold', status: 'installed', version: '1.31.4-1.1' },
      { name: 'kubeadm', want: 'deinstall', status: 'config-files', version: '1.30.1-1.1' },
      { name: 'libc6', want: 'install', status: 'installed', version: '2.36-9' },
      { name: 'kubectl', want: 'unknown', status: 'not-installed' },
    ]);
  });

  it('passes when all three are installed and held', () => {
    expect(evaluateHeld(kubeletCompliantFacts(), profile)).toMatchObject({ status: 'pass', actual: 'kubelet hold/installed, kubeadm hold/installed, kubectl hold/installed' });
    expect(evaluateHeld(kdrift(kubeletCompliantFacts(), { commands: { 'dpkg-kube-packages': ran('hi  kubeadm\nhi  kubectl\nhi  kubelet\n') } }), profile).status).toBe('pass');
  });

  it('is an error naming the packages that are not installed, not a "not held" failure', () => {
    const facts = kdrift(kubeletCompliantFacts(), {
      commands: { 'dpkg-kube-packages': ran('rc  kubeadm\n', 1, 'dpkg-query: no packages found matching kubectl\ndpkg-query: no packages found matching kubelet\n') },
    });
    const v = evaluateHeld(facts, profile);
    expect(v.status).toBe('error');
    expect(v.actual).toBe('kubelet unknown to dpkg, kubeadm deinstall/config-files, kubectl unknown to dpkg');
    expect(v.message).toContain('kubelet, kubeadm, kubectl are not installed: this node should be a worker');
    expect(v.message).not.toContain('not held');
  });

  it('a half-installed package is an interrupted install, still not installed', () => {
    const v = evaluateHeld(kdrift(kubeletCompliantFacts(), { commands: { 'dpkg-kube-packages': ran('hi  kubeadm 1.31.4-1.1\nhi  kubectl 1.31.4-1.1\niU  kubelet 1.31.4-1.1\n') } }), profile);
    expect(v.status).toBe('error');
    expect(v.message).toContain('kubelet install/unpacked: an interrupted install');
  });

  it('older snapshots with only the holds list are still judged from it', () => {
    const facts = kdrift(kubeletCompliantFacts(), {});
    const { ['dpkg-kube-packages']: _gone, ...commands } = facts.commands;
    const v = evaluateHeld({ ...facts, commands: { ...commands, 'dpkg-holds': ran('kubelet\n') } }, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('kubeadm, kubectl are not held (install state not observed by this older probe)');
  });
});
