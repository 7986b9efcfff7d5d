// End to end on a real systemd node: the nodegate CLI audits the VM lab worker after the guide (literally, with its
// traps avoided, then stacked drifts, then AppArmor off at boot); fixtures/vm/expected.json says what must not pass.
// The traps-avoided boot also carries the on-node live checks (live-node-vm.ts) and the secrets cases
// (secrets-vm.ts), which need that same state: one boot instead of three.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { suiteChecks } from '../../src/run/suite-config.ts';
import { repoRoot, runCli, type CliResult } from '../support/cli.ts';
import { readJUnit, readJUnitProperties, type JUnitCase } from '../support/junit-read.ts';
import { startVm, stepTimer, vmLabAvailable, vmSh as sh, type Vm } from '../support/vm-lab.ts';
import { defineLiveNodeVmTests, type StepSeconds } from './live-node-vm.ts';
import { defineSecretsVmTests } from './secrets-vm.ts';

interface Expected {
  status: 'fail' | 'error' | 'skip';
  reason: string;
  message?: string[];
}
type Verdicts = Record<string, Expected>;
interface Manifest {
  everyAudit: Verdicts;
  guideLiteral: { traps: Verdicts; consequences: Verdicts };
  guideTrapsAvoided: Verdicts;
  drifts: { scenario: string; adds: Verdicts }[];
  apparmorOff: { kernelArgs: string; adds: Verdicts };
}

const manifest = JSON.parse(await readFile(join(repoRoot, 'fixtures/vm/expected.json'), 'utf8')) as Manifest;
const lab = vmLabAvailable();
const skipReason = lab.ok ? '' : ` (skipped: ${lab.reason})`;
/** A cold cache builds the image first (~4 min); warm, a boot is 30-80 s under TCG. */
const bootTimeout = 15 * 60_000;
const auditTimeout = 120_000;
const { timings, timed } = stepTimer();

interface Audit {
  run: CliResult;
  cases: JUnitCase[];
  /** The testcase properties nodegate writes to system-out (`[[PROPERTY|k=v]]`), per check ID. */
  props: Map<string, Record<string, string>>;
}

async function audit(vm: Vm, label: string): Promise<Audit> {
  const junit = join(await mkdtemp(join(tmpdir(), 'ng-vm-')), 'nodegate.xml');
  const args = ['--target', vm.target, '--identity', vm.identityFile, '--known-hosts', vm.knownHostsFile, '--node', 'worker-01', '--junit', junit];
  const run = await runCli(args, { timeoutMs: auditTimeout });
  timings[`audit ${label}`] = Math.round(run.ms) / 1000;
  const xml = existsSync(junit) ? await readFile(junit, 'utf8') : '';
  return { run, cases: xml ? readJUnit(xml) : [], props: readJUnitProperties(xml) };
}



/** Every check ran; exactly the expected IDs do not pass, with their status; each message matches its patterns. */
function expectVerdicts(a: Audit, expected: Verdicts): void {
  expect(a.run.stderr).not.toMatch(/nodegate: /);
  expect(a.cases).toHaveLength(suiteChecks().length);
  const nonPass = Object.fromEntries(a.cases.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status]));
  const due = Object.entries(expected);
  expect(nonPass).toEqual(Object.fromEntries(due.map(([id, e]) => [id, e.status])));
  for (const [id, e] of due) {
    const message = a.cases.find((c) => c.id === id)?.message ?? '';
    for (const pattern of e.message ?? []) expect({ id, message }).toEqual({ id, message: expect.stringMatching(new RegExp(pattern)) });
    if (e.status === 'fail') expect(message).toMatch(/Remediation: /);
  }
}

const prop = (a: Audit, id: string, key: string): string => a.props.get(id)?.[key] ?? '';

/** The IDs the gate line names as failed required checks, sorted: it lists them in the order they completed. */
function gateFailures(stdout: string): { count: number; ids: string[] } {
  const m = /GATE FAILED: (\d+) required checks? failed: ([^;\n]*)/.exec(stdout);
  return { count: Number(m?.[1] ?? 0), ids: (m?.[2] ?? '').split(', ').filter((x) => x !== '').sort() };
}

/** The live-node runs' wall time per step (sweep, image import, memory bomb, limits, seccomp, cleanup). */
const liveSteps: Record<string, StepSeconds> = {};

afterAll(() => {
  if (Object.keys(timings).length > 0) console.info(`VM audit timings (s): ${JSON.stringify(timings)}`);
  if (Object.keys(liveSteps).length > 0) console.info(`live-node VM steps (s): ${JSON.stringify(liveSteps)}`);
});

describe.skipIf(!lab.ok)(`nodegate on the VM node: the guide, literally${skipReason}`, () => {
  let vm: Vm;
  let literal: Audit;
  beforeAll(async () => {
    vm = await timed('boot (guide-literal)', () => startVm());
    await timed('scenario guide-literal', () => vm.applyScenario('guide-literal', { timeoutMs: 180_000 }));
    literal = await audit(vm, 'guide-literal');
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('exactly the traps that apply fail, naming their cause, plus what follows from them', () => {
    const { traps, consequences } = manifest.guideLiteral;
    expectVerdicts(literal, { ...manifest.everyAudit, ...traps, ...consequences });
    expect(literal.run.exitCode).toBe(1);
  });

  test('KUBELET-3.1.3\'s restart count is systemd\'s, and the kubelet is crash-looping on the node', async () => {
    // Since bdf4ab2 the verdict reads NRestarts at whatever instant it probed (active between crashes, or
    // activating in auto-restart): the count it names can only have grown since.
    const named = /restarted (?:it )?(\d+) times?/.exec(literal.cases.find((c) => c.id === 'KUBELET-3.1.3')?.message ?? '')?.[1];
    expect(named, 'KUBELET-3.1.3 names the restart count').toMatch(/^\d+$/);
    const now = Number(await sh(vm, 'systemctl show kubelet -p NRestarts --value'));
    expect(now).toBeGreaterThan(0);
    expect(now).toBeGreaterThanOrEqual(Number(named));
    expect(await sh(vm, 'journalctl -u kubelet -b -o cat --no-pager | tail -n 40')).toMatch(/validate CRI v1 runtime API/);
  });

  test('SEC-4.2.4 is an advisory failure and the duplicated table\'s two lines are the file\'s real ones', async () => {
    expect(prop(literal, 'SEC-4.2.4', 'level')).toBe('advisory');
    const lines = /lines (\d+) and (\d+)/.exec(literal.cases.find((c) => c.id === 'RT-2.2.1')?.message ?? '');
    const header = '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]';
    const onNode = await sh(vm, `grep -nF '${header}' /etc/containerd/config.toml | cut -d: -f1`);
    expect(onNode.split('\n')).toEqual([lines?.[1], lines?.[2]]);
  });
});

describe.skipIf(!lab.ok)(`nodegate on the VM node: traps avoided, then stacked drifts${skipReason}`, () => {
  let vm: Vm;
  let clean: Audit;
  /** What must not pass so far: drifts stack, each adds its own. */
  let expected: Verdicts = { ...manifest.everyAudit, ...manifest.guideTrapsAvoided };
  const audits = new Map<string, Audit>();
  const drift = (scenario: string) => {
    const d = manifest.drifts.find((x) => x.scenario === scenario);
    if (!d) throw new Error(`fixtures/vm/expected.json has no drift ${scenario}`);
    return d;
  };
  /** Applies a drift (a scenario, or the test's own script), audits, and checks the stacked expectation. */
  async function stacked(scenario: string, script?: string): Promise<Audit> {
    if (script === undefined) await timed(`scenario ${scenario}`, () => vm.applyScenario(scenario));
    else await sh(vm, script);
    const a = await audit(vm, scenario);
    audits.set(scenario, a);
    expected = { ...expected, ...drift(scenario).adds };
    expectVerdicts(a, expected);
    return a;
  }

  beforeAll(async () => {
    vm = await timed('boot (traps avoided)', () => startVm());
    await timed('scenario guide-traps-avoided', () => vm.applyScenario('guide-traps-avoided', { timeoutMs: 180_000 }));
    clean = await audit(vm, 'guide-traps-avoided');
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('every static check passes but what the image itself cannot change', () => {
    expectVerdicts(clean, expected);
    // Only what the image cannot change gates (the CVE floors of Debian 12's containerd and runc, and whatever
    // else everyAudit lists as a required failure); everything else passes or is advisory/skip.
    expect(clean.run.exitCode).toBe(1);
    const required = Object.entries(expected).filter(([id, e]) => e.status === 'fail' && prop(clean, id, 'level') === 'required').map(([id]) => id).sort();
    expect(required).toEqual(expect.arrayContaining(['RT-2.1.3', 'RT-2.1.4']));
    expect(gateFailures(clean.run.stdout)).toEqual({ count: required.length, ids: required });
    expect(clean.run.stdout).not.toMatch(/could not be evaluated/);
  });

  test('RT-2.1.2 and RT-2.1.3 read the real containerd over its socket', async () => {
    const server = /Server:\s+Version:\s+(\S+)/.exec(await sh(vm, 'ctr --address /run/containerd/containerd.sock version'))?.[1];
    expect(server).toMatch(/^1\.6\.\d+/);
    expect(prop(clean, 'RT-2.1.2', 'actual')).toBe(`Server version ${server}`);
    expect(prop(clean, 'RT-2.1.3', 'source')).toBe('ctr --address /run/containerd/containerd.sock version (Server)');
    expect(prop(clean, 'RT-2.1.3', 'actual')).toContain(`printed "${server}"`);
  });

  test('kubeadm\'s streamingConnectionIdleTimeout: 0s in the file alone passes as the 4h default', () => {
    expect(prop(clean, 'KUBELET-3.3.7', 'actual')).toBe(
      "streamingConnectionIdleTimeout = 4h0m0s (file:/var/lib/kubelet/config.yaml: streamingConnectionIdleTimeout: 0s → the kubelet's default 4h0m0s)",
    );
  });

  // Here, between the clean audit and the first drift: the live checks need swap off and the guide's profile intact
  // (swap-on and drift-unknown-syscall change both), and leave nothing the later audits would see.
  defineLiveNodeVmTests(() => vm, timed, liveSteps);

  test('drift-dropin-644 fails KUBELET-3.2.1 on that file only', async () => {
    await stacked('drift-dropin-644');
  }, auditTimeout);

  test('drift-readonly-port-cmdline: KUBELET-3.3.1 passes on the command line and shows both layers', async () => {
    const a = await stacked('drift-readonly-port-cmdline');
    expect(prop(a, 'KUBELET-3.3.1', 'source')).toMatch(/^cmdline \(\/proc\/\d+\/cmdline\)$/);
    const actual = prop(a, 'KUBELET-3.3.1', 'actual');
    expect(actual).toMatch(/^readOnlyPort = 0 \(cmdline: --read-only-port=0, \$KUBELET_EXTRA_ARGS from \/etc\/default\/kubelet:1\)/);
    expect(actual).toContain('cmdline: --read-only-port=0 ($KUBELET_EXTRA_ARGS from /etc/default/kubelet:1) ← wins');
    expect(actual).toContain('file:/var/lib/kubelet/config.yaml: readOnlyPort: 10255');
    expect(prop(a, 'KUBELET-3.5.1', 'actual')).toMatch(/^no listener on :10255/);
  }, auditTimeout);

  test('drift-streaming-timeout-zero: KUBELET-3.3.7 fails on the command line\'s 0', async () => {
    const a = await stacked('drift-streaming-timeout-zero');
    expect(prop(a, 'KUBELET-3.3.7', 'source')).toMatch(/^cmdline /);
  }, auditTimeout);

  test('drift-unknown-syscall: SEC-4.2.2 names "pread" and its JSON path', async () => {
    const a = await stacked('drift-unknown-syscall');
    const index = /names\[(\d+)\]/.exec(a.cases.find((c) => c.id === 'SEC-4.2.2')?.message ?? '')?.[1];
    const names = (JSON.parse(await sh(vm, 'cat /var/lib/kubelet/seccomp/profiles/web-app.json')) as { syscalls: { names: string[] }[] })
      .syscalls[0]?.names;
    expect(names?.[Number(index)]).toBe('pread');
  }, auditTimeout);

  test('swap-on fails HOST-1.2.1 and HOST-1.2.2', async () => {
    await stacked('swap-on');
  }, auditTimeout);

  test('HOST-1.4.4 agrees with what the node\'s own `sysctl --system` then applies', async () => {
    // 99-override.conf sorts before k8s.conf (digits before letters) and loses; zz-late.conf sorts last and wins.
    const a = await stacked(
      'sysctl-precedence',
      `printf 'net.ipv4.ip_forward = 0\\n' >/etc/sysctl.d/99-override.conf
       printf 'net.bridge.bridge-nf-call-ip6tables = 0\\n' >/etc/sysctl.d/zz-late.conf`,
    );
    const message = a.cases.find((c) => c.id === 'HOST-1.4.4')?.message ?? '';
    expect(message).not.toMatch(/ip_forward/);
    const applied = await sh(vm, 'sysctl --system');
    const order = [...applied.matchAll(/^\* Applying (\S+) \.\.\.$/gm)].map((m) => m[1]);
    expect(order.indexOf('/etc/sysctl.d/99-override.conf')).toBeLessThan(order.indexOf('/etc/sysctl.d/k8s.conf'));
    expect(order.indexOf('/etc/sysctl.d/zz-late.conf')).toBeGreaterThan(order.indexOf('/etc/sysctl.d/k8s.conf'));
    const last = new Map([...applied.matchAll(/^([a-z0-9_.-]+) = (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect([last.get('net.ipv4.ip_forward'), last.get('net.bridge.bridge-nf-call-ip6tables')]).toEqual(['1', '0']);
    expect(await sh(vm, 'sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-ip6tables')).toBe('1\n0');
  }, auditTimeout);

  // Last: the credentials it plants (and the containerd and kubelet restarts) stay on the node; its assertions are
  // about redaction and a run to a verdict, which the stacked drifts do not change.
  defineSecretsVmTests(() => vm, timed);
});

describe.skipIf(!lab.ok)(`nodegate on the VM node: AppArmor off on the kernel command line${skipReason}`, () => {
  let vm: Vm;
  let off: Audit;
  beforeAll(async () => {
    vm = await timed('boot (apparmor=0)', () => startVm({ kernelArgs: manifest.apparmorOff.kernelArgs }));
    await timed('scenario guide-traps-avoided (apparmor=0)', () => vm.applyScenario('guide-traps-avoided', { timeoutMs: 180_000 }));
    await vm.applyScenario('drift-apparmor-off');
    off = await audit(vm, 'apparmor=0');
  }, bootTimeout);
  afterAll(async () => vm?.stop());

  test('SEC-4.1.2 fails and nothing else changes', () => {
    expectVerdicts(off, { ...manifest.everyAudit, ...manifest.guideTrapsAvoided, ...manifest.apparmorOff.adds });
  });
});
