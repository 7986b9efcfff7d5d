// Service state on a real systemd node: in the guide-literal scenario containerd refuses its config and the kubelet
// stand-in exits ~5 s after each start (it cannot reach the CRI), so systemd restarts both. Whatever instant the
// probe samples — the kubelet "active" between crashes or "activating (auto-restart)" — KUBELET-3.1.3 must fail
// with the restart count systemd itself reports; once the node is fixed and the units restarted by hand
// (stop, reset-failed, start: NRestarts is 0 again), it passes.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.ts';
import { readJUnit, type JUnitCase } from '../support/junit-read.ts';
import { startVm, stepTimer, vmLabAvailable, vmSh as sh, type Vm } from '../support/vm-lab.ts';

const lab = vmLabAvailable();
const skipReason = lab.ok ? '' : ` (skipped: ${lab.reason})`;
const bootTimeout = 15 * 60_000;
const { timings, timed } = stepTimer();

interface ServiceAudit {
  cases: Map<string, JUnitCase>;
  /** The `actual` property nodegate wrote for each check (`[[PROPERTY|actual=…]]` in system-out). */
  actual: Map<string, string>;
}

async function serviceChecks(vm: Vm): Promise<ServiceAudit> {
  const junit = join(await mkdtemp(join(tmpdir(), 'ng-vm-svc-')), 'nodegate.xml');
  const args = ['--target', vm.target, '--identity', vm.identityFile, '--known-hosts', vm.knownHostsFile, '--node', 'worker-01', '--only', 'KUBELET-3.1.3,RT-2.1.1', '--junit', junit];
  const run = await runCli(args, { timeoutMs: 120_000 });
  expect(run.stderr).not.toMatch(/nodegate: /);
  const xml = existsSync(junit) ? await readFile(junit, 'utf8') : '';
  const cases = new Map(readJUnit(xml).map((c) => [c.id, c]));
  const actual = new Map<string, string>();
  // Each testcase's system-out lists its id property before its actual property.
  for (const m of xml.matchAll(/\[\[PROPERTY\|id=([^\]]+)\]\][\s\S]*?\[\[PROPERTY\|actual=([^\n]*)\]\]/g)) actual.set(m[1] ?? '', m[2] ?? '');
  return { cases, actual };
}

afterAll(() => {
  if (Object.keys(timings).length > 0) console.info(`VM service-state timings (s): ${JSON.stringify(timings)}`);
});

describe.skipIf(!lab.ok)(`KUBELET-3.1.3 and RT-2.1.1 on a crash-looping VM node${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    vm = await timed('boot', () => startVm());
    await timed('scenario guide-literal', () => vm.applyScenario('guide-literal', { timeoutMs: 180_000 }));
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  // Three samples 4 s apart land in different phases of the 5 s run + 10 s RestartSec cycle.
  test('every sample fails KUBELET-3.1.3 with systemd\'s restart count, active or not', async () => {
    const phases: string[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { cases } = await timed(`audit ${i + 1}`, () => serviceChecks(vm));
      const k = cases.get('KUBELET-3.1.3');
      expect(k?.status).toBe('fail');
      const count = /restarted (?:it )?(\d+) times?/.exec(k?.message ?? '');
      expect(count, k?.message).not.toBeNull();
      counts.push(Number(count?.[1]));
      phases.push(/reads active/.test(k?.message ?? '') ? 'active' : 'between restarts');
      expect(cases.get('RT-2.1.1')?.status).toBe('fail');
      await new Promise((r) => setTimeout(r, 4_000));
    }
    // The counts are systemd's own: never more than the node reports afterwards, and they do not go down. The first
    // sample can land before systemd's first automatic restart (the unit failed once, NRestarts still 0: a failure
    // all the same); the samples span several RestartSec cycles, so the loop shows in the later ones.
    const onNode = Number(await sh(vm, 'systemctl show kubelet -p NRestarts --value'));
    expect(Math.max(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThanOrEqual(onNode);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    console.info(`KUBELET-3.1.3 samples: ${phases.map((p, i) => `${p} (${counts[i]})`).join(', ')}; NRestarts on the node afterwards: ${onNode}`);
  }, 600_000);

  // systemd src/core/service.c: service_enter_dead sets flush_n_restarts when no automatic restart follows ("Do so
  // on the next start"), and service_reset_failed clears the counter: a stop, reset-failed and start by hand is 0.
  test('after the fix and a start by hand (NRestarts back to 0) the kubelet passes', async () => {
    await timed('scenario guide-traps-avoided', () => vm.applyScenario('guide-traps-avoided', { timeoutMs: 180_000 }));
    await sh(vm, 'systemctl stop kubelet containerd; systemctl reset-failed kubelet containerd; systemctl start containerd; systemctl start kubelet');
    expect(await sh(vm, 'systemctl show kubelet -p NRestarts --value')).toBe('0');
    const { cases, actual } = await serviceChecks(vm);
    expect(cases.get('KUBELET-3.1.3')?.status).toBe('pass');
    expect(cases.get('RT-2.1.1')?.status).toBe('pass');
    // The pass read systemd's record on a real node: restart count and how long the run has lasted.
    expect(actual.get('KUBELET-3.1.3')).toMatch(/^active \(running\), enabled, 0 automatic restarts, up \d+/);
    expect(actual.get('RT-2.1.1')).toMatch(/^active \(running\), enabled, 0 automatic restarts, up \d+/);
  }, 600_000);
});
