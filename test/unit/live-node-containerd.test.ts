// The on-node live checks against a real containerd on this machine: a private daemon (own root, state and socket
// under a temp dir, CRI off, as runtime-containerd-daemon.test.ts starts it) with Debian's runc, reached through
// the local target exactly as an SSH node would be. The kernel's own OOM killer, cgroups and seccomp are the evidence.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeLiveChecks, type LiveNodeCleanup, type NodeLiveOptions } from '../../src/live-node/run.ts';
import { openLocal } from '../../src/target/local.ts';
import { startPrivateContainerd, type PrivateContainerd } from '../support/private-containerd.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/live/', import.meta.url));
const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args).status === 0;
const canRun =
  process.getuid?.() === 0 && has('containerd', '--version') && has('ctr', '--version') && has('runc', '--version') &&
  spawnSync('dpkg-query', ['-L', 'busybox-static'], { encoding: 'utf8' }).stdout?.split('\n').includes('/bin/busybox');
const reason = 'needs root, containerd, ctr, runc and busybox-static (apt-get install -y containerd runc busybox-static)';
const work = canRun ? mkdtempSync(join(tmpdir(), 'nodegate-live-node-')) : join(tmpdir(), 'nodegate-live-node-unused');
const socket = join(work, 'containerd.sock');
const image = join(work, 'busybox.tar');
const cgroupV2 = spawnSync('stat', ['-fc', '%T', '/sys/fs/cgroup'], { encoding: 'utf8' }).stdout?.trim() === 'cgroup2fs';
const ctrCmd = (...args: string[]) => spawnSync('ctr', ['--address', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const namespaces = (): string[] => ctrCmd('namespaces', 'ls', '-q').stdout.split('\n').filter(Boolean);

async function live(extra: Partial<NodeLiveOptions> = {}): Promise<{ verdicts: Awaited<ReturnType<typeof runNodeLiveChecks>>; cleanup: LiveNodeCleanup }> {
  let cleanup: LiveNodeCleanup | undefined;
  const verdicts = await runNodeLiveChecks(openLocal(), {
    imageFile: image,
    address: socket,
    seccompProfile: join(fixtures, 'web-app.json'),
    stepTimeoutMs: 45_000,
    signals: new EventEmitter(),
    exit: () => {},
    log: () => {},
    onCleanup: (c) => (cleanup = c),
    ...extra,
  });
  if (!cleanup) throw new Error('onCleanup was not called');
  return { verdicts, cleanup };
}

/** What the run left on the node: its namespace, cgroups and temp files. */
function leftovers(ns: string): string[] {
  const left: string[] = [];
  if (namespaces().includes(ns)) left.push(`namespace ${ns}`);
  for (const d of [join('/sys/fs/cgroup', ns), ...readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c, ns))]) if (existsSync(d)) left.push(d);
  const runId = ns.slice('nodegate-live-'.length);
  for (const f of readdirSync('/tmp')) if (f.startsWith(`nodegate-live-${runId}`)) left.push(join('/tmp', f));
  return left;
}

describe.skipIf(!canRun)(`live checks through a private containerd (${reason})`, () => {
  let daemon: PrivateContainerd | undefined;
  beforeAll(async () => {
    const built = spawnSync(join(fixtures, 'busybox-image.sh'), [image], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`busybox-image.sh failed: ${built.stderr}`);
    daemon = await startPrivateContainerd(work);
  }, 30_000);
  afterAll(async () => {
    await daemon?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a compliant node: the bomb is OOMKilled, limits reach the cgroup, the workload answers HTTP and unshare gets EPERM, and nothing is left behind', async () => {
    const t0 = Date.now();
    const { verdicts, cleanup } = await live();
    const bomb = verdicts['RES-6.2.1']!;
    expect(bomb.status, bomb.message).toBe('pass');
    expect(bomb.actual).toMatch(/^exit 137, oom_kill [1-9]\d*, limit 209715200$/);
    const seccomp = verdicts['SEC-4.2.5']!;
    expect(seccomp.status, seccomp.message).toBe('pass');
    expect(seccomp.actual).toBe('started; Seccomp: 2; HTTP answered (HTTP/1.1 200 OK); unshare exit 1: unshare: unshare(0x10000000): Operation not permitted');
    expect(seccomp.expected).toContain('errno 1 "Operation not permitted" (defaultAction SCMP_ACT_ERRNO)');
    const limits = verdicts['RES-6.2.3']!;
    // On cgroup v1 (this machine) the same limits are in memory.limit_in_bytes and the CFS quota over its period,
    // read inside the container from the cgroup mount runc fills with the container's own cgroups.
    expect(limits, limits.message).toMatchObject(cgroupV2
      ? { status: 'pass', actual: 'memory.max 134217728, cpu.max "20000 100000"' }
      : { status: 'pass', actual: 'memory.limit_in_bytes 134217728, cpu.cfs_quota_us 20000, cpu.cfs_period_us 100000', source: expect.stringMatching(/\/sys\/fs\/cgroup\/memory and \/sys\/fs\/cgroup\/cpu inside the container$/) });
    expect(verdicts['NET-5.4.1']).toMatchObject({ status: 'skip' });
    expect(verdicts['RES-6.2.2']?.message).toContain('Needs the Kubernetes API');
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
    expect(leftovers(cleanup.namespace)).toEqual([]);
    console.log(`live-node compliant run: ${Date.now() - t0} ms`);
  }, 120_000);

  it('--only RES-6.2.3: only the limits container runs on the real containerd; the bomb and the seccomp workload are not selected', async () => {
    const steps: string[] = [];
    const { verdicts, cleanup } = await live({ selected: new Set(['RES-6.2.3']), onStep: (step) => steps.push(step) });
    // Each round trip to the node, as the run made it (a sweep of an earlier run's namespace would be "sweep NS").
    expect(steps.filter((s) => !s.startsWith('sweep '))).toEqual(['sweep', 'image import', 'limits', 'cleanup']);
    const limits = verdicts['RES-6.2.3']!;
    expect(limits.status, limits.message).toBe('pass');
    for (const id of ['RES-6.2.1', 'SEC-4.2.5']) expect(verdicts[id], id).toMatchObject({ status: 'skip', message: 'not selected (--only/--skip): not run' });
    expect(leftovers(cleanup.namespace)).toEqual([]);
  }, 120_000);

  it('drift: a runtime that drops the memory limit lets the bomb finish, and RES-6.2.1 fails', async () => {
    // A ctr that loses --memory-limit and --cpus on the way to runc, as a runtime ignoring limits would.
    const wrapper = join(work, 'ctr-no-limits');
    writeFileSync(wrapper, '#!/bin/sh\nskip=\nfor a; do shift; if [ -n "$skip" ]; then skip=; continue; fi\n  case $a in --memory-limit|--cpus) skip=1; continue;; esac; set -- "$@" "$a"; done\nexec ctr "$@"\n');
    chmodSync(wrapper, 0o755);
    const { verdicts, cleanup } = await live({ ctr: wrapper });
    const bomb = verdicts['RES-6.2.1']!;
    expect(bomb.status, bomb.message).toBe('fail');
    expect(bomb.actual).toMatch(/^exit 0, oom_kill 0, limit \d+$/);
    expect(bomb.message).toContain('memory limits are not enforced');
    expect(verdicts['RES-6.2.3']).toMatchObject(cgroupV2
      ? { status: 'fail', actual: 'memory.max max, cpu.max "max 100000"' }
      : { status: 'fail', actual: 'memory.limit_in_bytes 9223372036854771712, cpu.cfs_quota_us -1, cpu.cfs_period_us 100000' });
    expect(leftovers(cleanup.namespace)).toEqual([]);
  }, 120_000);

  it('a profile that denies execve: the container under it does not start, and SEC-4.2.5 fails', async () => {
    const profile = JSON.parse(readFileSync(join(fixtures, 'web-app.json'), 'utf8')) as { syscalls: { names: string[] }[] };
    profile.syscalls[0]!.names = profile.syscalls[0]!.names.filter((n) => n !== 'execve');
    const file = join(work, 'no-execve.json');
    writeFileSync(file, JSON.stringify(profile));
    const { verdicts } = await live({ seccompProfile: file });
    const v = verdicts['SEC-4.2.5']!;
    expect(v.status, v.message).toBe('fail');
    expect(v.actual).toBe('did not start');
  }, 120_000);

  it('a profile without listen: the workload starts but does not answer HTTP, and SEC-4.2.5 fails naming listen', async () => {
    const profile = JSON.parse(readFileSync(join(fixtures, 'web-app.json'), 'utf8')) as { syscalls: { names: string[] }[] };
    profile.syscalls[0]!.names = profile.syscalls[0]!.names.filter((n) => n !== 'listen');
    const file = join(work, 'no-listen.json');
    writeFileSync(file, JSON.stringify(profile));
    const { verdicts, cleanup } = await live({ seccompProfile: file });
    const v = verdicts['SEC-4.2.5']!;
    expect(v.status, v.message).toBe('fail');
    expect(v.actual).toMatch(/^started; Seccomp: 2; HTTP no answer: httpd: listen: Operation not permitted/);
    expect(v.message).toContain('the profile denies listen (defaultAction SCMP_ACT_ERRNO), which httpd needs');
    expect(leftovers(cleanup.namespace)).toEqual([]);
  }, 120_000);

  it('containerd not running: the sweep names its socket in every verdict, and the run creates nothing', async () => {
    const gone = join(work, 'stopped', 'containerd.sock');
    const before = namespaces();
    const { verdicts, cleanup } = await live({ address: gone, stepTimeoutMs: 20_000 });
    for (const id of ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']) {
      expect(verdicts[id]?.status, id).toBe('error');
      expect(verdicts[id]?.message, id).toContain(`containerd at ${gone} did not answer \`ctr namespaces ls\``);
      expect(verdicts[id]?.message, id).toMatch(/ctr: failed to dial|killed after/);
    }
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
    expect(namespaces()).toEqual(before);
  }, 60_000);

  it('sweeps the namespace of an expired earlier run, with its image, and leaves a young one alone', async () => {
    const old = 'nodegate-live-20200101t000000-abcdef';
    const young = `nodegate-live-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').toLowerCase()}-0a0b0c`;
    for (const ns of [old, young]) expect(ctrCmd('-n', ns, 'images', 'import', image).status).toBe(0);
    const { cleanup } = await live();
    expect(cleanup.swept).toEqual([old]);
    expect(namespaces()).not.toContain(old);
    expect(namespaces()).toContain(young);
    ctrCmd('-n', young, 'images', 'rm', '--sync', 'nodegate.local/live-busybox:latest');
    expect(ctrCmd('namespaces', 'rm', young).status).toBe(0);
  }, 120_000);

  it('SIGINT during the run: cleanup runs, exits 130, and the namespace is gone', async () => {
    const signals = new EventEmitter();
    let exitCode: number | undefined;
    let ns = '';
    const started = live({ signals, exit: (c) => (exitCode = c), log: () => {} });
    // Interrupt once the run's namespace exists (the image is being imported or a container runs).
    for (let i = 0; i < 200 && ns === ''; i++) {
      ns = namespaces().find((n) => n.startsWith('nodegate-live-') && !n.endsWith('-0a0b0c')) ?? '';
      if (ns === '') await sleep(50);
    }
    expect(ns).not.toBe('');
    signals.emit('SIGINT');
    const { verdicts, cleanup } = await started;
    for (let i = 0; i < 100 && exitCode === undefined; i++) await sleep(50);
    expect(exitCode).toBe(130);
    expect(cleanup.namespace).toBe(ns);
    expect(leftovers(ns)).toEqual([]);
    // Steps after the interrupt did not run: at least the last check is an error, never a pass.
    expect(verdicts['SEC-4.2.5']?.status).toBe('error');
  }, 120_000);
});
