// The on-node live checks on the VM lab's node, for real, over SSH as an audit reaches it: Debian 12's containerd
// and runc under systemd, cgroup v2, the guide's seccomp profile installed by the traps-avoided scenario. One VM
// for the file: the compliant node first, then a drift (a ctr that drops the limit flags) on the same node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runNodeLiveChecks, type LiveNodeCleanup, type NodeLiveOptions } from '../../src/live-node/run.ts';
import { openTarget, parseTargetSpec } from '../../src/target/index.ts';
import { EventEmitter } from 'node:events';
import { startVm, stepTimer, vmLabAvailable, vmSh as sh, type Vm } from '../support/vm-lab.ts';

const lab = vmLabAvailable();
const busybox = spawnSync('dpkg-query', ['-L', 'busybox-static'], { encoding: 'utf8' }).stdout?.split('\n').includes('/bin/busybox') ?? false;
// Opt-in until diagnosed: its one run (2026-11-30, host load ~19) passed RES-6.2.1 over SSH (exit 137, oom_kill in
// memory.events), then lost the SSH connection during the limits step and the VM stopped answering ssh for minutes.
const optIn = process.env['NODEGATE_LIVE_VM'] === '1';
const ok = lab.ok && busybox && optIn;
const skipReason = !lab.ok ? ` (skipped: ${lab.reason})` : !busybox ? ' (skipped: busybox-static is not installed: apt-get install -y busybox-static)'
  : optIn ? '' : ' (skipped: opt-in with NODEGATE_LIVE_VM=1 until the VM stall after the bomb step is diagnosed)';
const fixtures = fileURLToPath(new URL('../../fixtures/live/', import.meta.url));
const { timings, timed } = stepTimer();
const work = mkdtempSync(join(tmpdir(), 'nodegate-live-vm-'));
const image = join(work, 'busybox.tar');

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (Object.keys(timings).length > 0) console.info(`live-node VM timings (s): ${JSON.stringify(timings)}`);
});

describe.skipIf(!ok)(`live checks through the VM node's containerd, over SSH${skipReason}`, () => {
  let vm: Vm;
  beforeAll(async () => {
    const built = spawnSync(join(fixtures, 'busybox-image.sh'), [image], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`busybox-image.sh failed: ${built.stderr}`);
    vm = await timed('build+boot', () => startVm());
    // The guide applied with its traps avoided: swap off (a swapping bomb is not OOM-killed), the web-app profile.
    await timed('scenario', () => vm.applyScenario('guide-traps-avoided', { timeoutMs: 300_000 }));
  }, 20 * 60_000);
  afterAll(async () => vm?.stop());

  async function live(label: string, extra: Partial<NodeLiveOptions> = {}) {
    const target = await openTarget(parseTargetSpec(vm.target), { identityFile: vm.identityFile, knownHostsFile: vm.knownHostsFile });
    let cleanup: LiveNodeCleanup | undefined;
    try {
      const verdicts = await timed(label, () => runNodeLiveChecks(target, {
        imageFile: image, stepTimeoutMs: 120_000, signals: new EventEmitter(), exit: () => {}, log: () => {},
        onCleanup: (c) => (cleanup = c), ...extra,
      }));
      if (!cleanup) throw new Error('onCleanup was not called');
      return { verdicts, cleanup, roundTrips: target.roundTrips };
    } finally {
      await target.close();
    }
  }

  /** Everything a run could leave: its namespace, cgroups, temp files. */
  const leftovers = (ns: string): Promise<string> =>
    sh(vm, `ctr namespaces ls -q | grep -x '${ns}' || true; ls -d /sys/fs/cgroup/${ns} /tmp/${ns}.* 2>/dev/null || true`);

  test('compliant node: the bomb is OOMKilled, limits reach memory.max and cpu.max, the profile denies unshare', async () => {
    expect(await sh(vm, 'stat -fc %T /sys/fs/cgroup')).toBe('cgroup2fs');
    const { verdicts, cleanup } = await live('compliant');
    const bomb = verdicts['RES-6.2.1']!;
    expect(bomb.status, bomb.message).toBe('pass');
    expect(bomb.actual).toMatch(/^exit 137, oom_kill [1-9]\d*, limit 209715200$/);
    expect(bomb.source).toMatch(/memory\.events$/);
    expect(verdicts['RES-6.2.3'], verdicts['RES-6.2.3']?.message).toMatchObject({ status: 'pass', actual: 'memory.max 134217728, cpu.max "20000 100000"' });
    const seccomp = verdicts['SEC-4.2.5']!;
    expect(seccomp.status, seccomp.message).toBe('pass');
    expect(seccomp.actual).toBe('started; Seccomp: 2; unshare exit 1: unshare: unshare(0x10000000): Operation not permitted');
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
    expect(await leftovers(cleanup.namespace)).toBe('');
  }, 10 * 60_000);

  test('drift: the memory limit flag dropped on the way to runc, so RES-6.2.1 and RES-6.2.3 fail', async () => {
    // A ctr that loses --memory-limit and --cpus on the way to runc, as a runtime ignoring limits would.
    await sh(vm, "printf '%s\\n' '#!/bin/sh' 'skip=' 'for a; do shift; if [ -n \"$skip\" ]; then skip=; continue; fi' " +
      "'  case $a in --memory-limit|--cpus) skip=1; continue;; esac; set -- \"$@\" \"$a\"; done' 'exec ctr \"$@\"' >/root/ctr-no-limits && chmod 755 /root/ctr-no-limits");
    const { verdicts, cleanup } = await live('drift', { ctr: '/root/ctr-no-limits' });
    const bomb = verdicts['RES-6.2.1']!;
    expect(bomb.status, bomb.message).toBe('fail');
    expect(bomb.actual).toMatch(/^exit 0, oom_kill 0, limit max$/);
    expect(verdicts['RES-6.2.3']).toMatchObject({ status: 'fail', actual: 'memory.max max, cpu.max "max 100000"' });
    expect(verdicts['SEC-4.2.5']?.status).toBe('pass');
    expect(await leftovers(cleanup.namespace)).toBe('');
  }, 10 * 60_000);
});
