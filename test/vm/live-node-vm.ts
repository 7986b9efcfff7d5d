// The on-node live checks (src/live-node) on the VM lab's node, for real, over SSH as an audit reaches it: Debian 12's
// containerd and runc under systemd, cgroup v2, the guide's seccomp profile. Not a test file: audit-vm.test.ts calls
// defineLiveNodeVmTests inside its traps-avoided boot, which already holds the state these need (swap off, the
// profile installed), so the VM tier boots no VM of its own for them.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runNodeLiveChecks, type LiveNodeCleanup, type NodeLiveOptions } from '../../src/live-node/run.ts';
import { openTarget, parseTargetSpec } from '../../src/target/index.ts';
import { requireLab, type Availability } from '../support/lab-tier.ts';
import { vmSh as sh, type Vm } from '../support/vm-lab.ts';

type Timed = <T>(label: string, fn: () => Promise<T>) => Promise<T>;

const fixtures = fileURLToPath(new URL('../../fixtures/live/', import.meta.url));

function busyboxAvailable(): Availability {
  const listed = spawnSync('dpkg-query', ['-L', 'busybox-static'], { encoding: 'utf8' }).stdout?.split('\n').includes('/bin/busybox') ?? false;
  return listed ? { ok: true } : { ok: false, reason: 'busybox-static is not installed (apt-get install -y busybox-static; scripts/setup.sh --test-deps does)' };
}

/** Per-step wall time of one run, from the moments runNodeLiveChecks hands each step's output over. */
export type StepSeconds = Record<string, number>;

/**
 * Registers the live-node cases on a VM that `getVm()` returns once the caller's beforeAll has booted it and applied
 * guide-traps-avoided. They leave the node as they found it (their namespace, cgroups and temp files are asserted
 * gone), except /root/ctr-no-limits and /root/no-listen.json, which nothing else uses.
 */
export function defineLiveNodeVmTests(getVm: () => Vm, timed: Timed, steps: Record<string, StepSeconds>): void {
  const busybox = requireLab('live-node VM checks', busyboxAvailable());
  const skipReason = busybox.ok ? '' : ` (skipped: ${busybox.reason})`;

  describe.skipIf(!busybox.ok)(`live checks through the VM node's containerd, over SSH${skipReason}`, () => {
    const work = mkdtempSync(join(tmpdir(), 'nodegate-live-vm-'));
    const image = join(work, 'busybox.tar');
    /** Console lines before the first run: the OOM reports after it are this file's. */
    let consoleStart = 0;
    beforeAll(async () => {
      const built = spawnSync(join(fixtures, 'busybox-image.sh'), [image], { encoding: 'utf8' });
      if (built.status !== 0) throw new Error(`busybox-image.sh failed: ${built.stderr}`);
      consoleStart = readFileSync(getVm().consoleLog, 'utf8').length;
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    async function live(label: string, extra: Partial<NodeLiveOptions> = {}) {
      const vm = getVm();
      const target = await openTarget(parseTargetSpec(vm.target), { identityFile: vm.identityFile, knownHostsFile: vm.knownHostsFile });
      let cleanup: LiveNodeCleanup | undefined;
      const split: StepSeconds = {};
      let last = Date.now();
      try {
        const verdicts = await timed(`live ${label}`, () => runNodeLiveChecks(target, {
          imageFile: image, stepTimeoutMs: 120_000, signals: new EventEmitter(), exit: () => {}, log: () => {},
          onStep: (step) => {
            split[step] = (split[step] ?? 0) + (Date.now() - last) / 1000;
            last = Date.now();
          },
          onCleanup: (c) => (cleanup = c), ...extra,
        }));
        steps[label] = split;
        if (!cleanup) throw new Error('onCleanup was not called');
        return { verdicts, cleanup };
      } catch (err) {
        // A run that dies (the SSH session lost, a step past its bound) carries the guest's own last words: OOM
        // reports, hung tasks and soft lockups reach the serial console even when sshd no longer answers.
        const tail = readFileSync(vm.consoleLog, 'utf8').split('\n').slice(-40).join('\n');
        throw new Error(`live ${label} on the VM failed: ${err instanceof Error ? err.message : String(err)}\n--- serial console (last 40 lines)\n${tail}`, { cause: err });
      } finally {
        await target.close();
      }
    }

    /** Everything a run could leave: its namespace, cgroups, temp files. */
    const leftovers = (ns: string): Promise<string> =>
      sh(getVm(), `ctr namespaces ls -q | grep -x '${ns}' || true; ls -d /sys/fs/cgroup/${ns} /tmp/${ns}.* 2>/dev/null || true`);

    test('compliant node: the bomb is OOMKilled, limits reach memory.max and cpu.max, the profile serves HTTP and denies unshare', async () => {
      expect(await sh(getVm(), 'stat -fc %T /sys/fs/cgroup')).toBe('cgroup2fs');
      const { verdicts, cleanup } = await live('compliant');
      const bomb = verdicts['RES-6.2.1']!;
      expect(bomb.status, bomb.message).toBe('pass');
      expect(bomb.actual).toMatch(/^exit 137, oom_kill [1-9]\d*, limit 209715200$/);
      expect(bomb.source).toMatch(/memory\.events$/);
      // cgroup v2 without a cgroup namespace: runc mounts the hierarchy's root, and the container's own cgroup is the
      // path /proc/self/cgroup names, under the run's namespace.
      const limits = verdicts['RES-6.2.3']!;
      expect(limits, limits.message).toMatchObject({ status: 'pass', actual: 'memory.max 134217728, cpu.max "20000 100000"' });
      expect(limits.source).toMatch(new RegExp(`/sys/fs/cgroup/${cleanup.namespace}/ng-[0-9a-z-]+-limits inside the container$`));
      const seccomp = verdicts['SEC-4.2.5']!;
      expect(seccomp.status, seccomp.message).toBe('pass');
      expect(seccomp.actual).toBe('started; Seccomp: 2; HTTP answered (HTTP/1.1 200 OK); unshare exit 1: unshare: unshare(0x10000000): Operation not permitted');
      expect(cleanup).toMatchObject({ removed: true, problems: [] });
      expect(await leftovers(cleanup.namespace)).toBe('');
    }, 10 * 60_000);

    test('drift: limit flags dropped on the way to runc, and a profile without listen: all three fail, naming why', async () => {
      // One run for both drifts (a VM run costs ~25 s under TCG): a ctr that loses --memory-limit and --cpus on the
      // way to runc, as a runtime ignoring limits would, and the guide's profile with listen taken out.
      await sh(getVm(), "printf '%s\\n' '#!/bin/sh' 'skip=' 'for a; do shift; if [ -n \"$skip\" ]; then skip=; continue; fi' " +
        "'  case $a in --memory-limit|--cpus) skip=1; continue;; esac; set -- \"$@\" \"$a\"; done' 'exec ctr \"$@\"' >/root/ctr-no-limits && chmod 755 /root/ctr-no-limits");
      const profile = JSON.parse(await sh(getVm(), 'cat /var/lib/kubelet/seccomp/profiles/web-app.json')) as { syscalls: { names: string[] }[] };
      const allow = profile.syscalls[0]!;
      expect(allow.names).toContain('listen');
      allow.names = allow.names.filter((n) => n !== 'listen');
      await sh(getVm(), `cat >/root/no-listen.json <<'EOF'\n${JSON.stringify(profile)}\nEOF`);
      const { verdicts, cleanup } = await live('drift', { ctr: '/root/ctr-no-limits', seccompProfile: '/root/no-listen.json' });
      const bomb = verdicts['RES-6.2.1']!;
      expect(bomb.status, bomb.message).toBe('fail');
      expect(bomb.actual).toMatch(/^exit 0, oom_kill 0, limit max$/);
      expect(verdicts['RES-6.2.3']).toMatchObject({ status: 'fail', actual: 'memory.max max, cpu.max "max 100000"' });
      const seccomp = verdicts['SEC-4.2.5']!;
      expect(seccomp.status, seccomp.message).toBe('fail');
      expect(seccomp.actual).toMatch(/^started; Seccomp: 2; HTTP no answer: httpd: listen: Operation not permitted/);
      expect(seccomp.message).toContain('the profile denies listen (defaultAction SCMP_ACT_ERRNO), which httpd needs');
      expect(await leftovers(cleanup.namespace)).toBe('');
    }, 10 * 60_000);

    test('the bombs were killed inside their own cgroup at oom_score_adj 1000, and nothing else was', () => {
      // The guest's kernel log on its serial console: every OOM kill since these runs began. A kill outside the
      // bomb's memory cgroup (CONSTRAINT_NONE) or of any other process (sshd, containerd) would be the node hurt.
      const log = readFileSync(getVm().consoleLog, 'utf8').slice(consoleStart);
      const invoked = [...log.matchAll(/^\[[ \d.]+\] (\S+) invoked oom-killer: .*oom_score_adj=(-?\d+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
      const constraints = [...log.matchAll(/oom-kill:constraint=(\w+),.*task=(\S+?),/g)].map((m) => `${m[1]} ${m[2]}`);
      const killed = [...log.matchAll(/Killed process \d+ \((\S+)\)/g)].map((m) => m[1]);
      expect(invoked.length).toBeGreaterThan(0);
      expect(new Set(invoked)).toEqual(new Set(['dd 1000']));
      expect(new Set(constraints)).toEqual(new Set(['CONSTRAINT_MEMCG dd']));
      expect(new Set(killed)).toEqual(new Set(['dd']));
    });
  });
}
