// runNodeLiveChecks' orchestration without a node: a fake target answers each step with output recorded from a real
// containerd (fixtures/live/records), so the order of steps, the errors when a step cannot run, the sweep, the
// cleanup that always runs and the cluster-only skips are checked where root and containerd are not available.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { liveChecks } from '../../src/catalog/live.ts';
import { TargetError, UsageError } from '../../src/errors.ts';
import { expiredNamespaces, namespaceStartedAt, newLiveRunId } from '../../src/live-node/names.ts';
import { nodeLiveOptionsFromProfile } from '../../src/live-node/profile-options.ts';
import { notSelectedMessage, runNodeLiveChecks, type LiveNodeCleanup, type NodeLiveId } from '../../src/live-node/run.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { bombScript, cleanupScript, importScript, limitsScript, seccompScript, sweepScript, type StepContext } from '../../src/live-node/scripts.ts';
import type { ExecOptions, ExecResult, Target } from '../../src/target/index.ts';

const dir = fileURLToPath(new URL('../../fixtures/live/', import.meta.url));
const recorded = (name: string): string => readFileSync(`${dir}records/${name}.txt`, 'utf8');
const work = mkdtempSync(join(tmpdir(), 'nodegate-livenode-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const image = join(work, 'image.tar');
writeFileSync(image, 'not really a tarball: the fake target never unpacks it');
const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });

type Step = 'sweep' | 'import' | 'bomb' | 'limits' | 'profile' | 'seccomp' | 'cleanup';
/** Which step a script is, from what only that step's script contains. */
function stepOf(script: string): Step {
  if (script.includes('@@ ls-exit')) return 'sweep';
  if (script.includes('NODEGATE_LIVE_IMAGE')) return 'import';
  if (script.includes('bs=500M')) return 'bomb';
  if (script.includes('--cpus')) return 'limits';
  if (script.startsWith('cat ')) return 'profile';
  if (script.includes('--seccomp-profile')) return 'seccomp';
  if (script.includes('namespaces rm')) return 'cleanup';
  throw new Error(`unknown step: ${script.slice(0, 80)}`);
}

function fakeTarget(answer: (step: Step, script: string) => ExecResult | Promise<ExecResult>): Target & { steps: Step[]; scripts: string[] } {
  const steps: Step[] = [];
  const scripts: string[] = [];
  return {
    label: 'fake', roundTrips: 0, steps, scripts,
    async exec(_command: string, o: ExecOptions) {
      const script = o.stdin ?? '';
      const step = stepOf(script);
      steps.push(step);
      scripts.push(script);
      return answer(step, script);
    },
    async close() {},
  };
}

// The limits and seccomp steps as runNodeLiveChecks' onStep printed them on this cgroup v1 host (private containerd
// 1.6.20, runc 1.1.5, 2026-11-30), after the limits container got the CRI's cgroup mount and the seccomp workload
// its HTTP probe; the records under fixtures/live/records predate both.
const limitsV1 = '@@ cgroup v1\n@@ run-exit 0\n@@ in-cgroup-dir /sys/fs/cgroup/memory\n@@ in-memory.limit_in_bytes 134217728\n' +
  '@@ in-cgroup-dir /sys/fs/cgroup/cpu\n@@ in-cpu.cfs_quota_us 20000\n@@ in-cpu.cfs_period_us 100000\n';
const seccompWithHttp = '@@ profile present\n@@ control-run-exit 0\n@@ control-nc-exit 0\n@@ control-http-status HTTP/1.1 200 OK\n' +
  '@@ control-http-body ours\n@@ control-unshare-exit 0\n@@ profiled-run-exit 0\n@@ profiled-started\n@@ profiled-seccomp-mode 2\n' +
  '@@ profiled-nc-exit 0\n@@ profiled-http-status HTTP/1.1 200 OK\n@@ profiled-http-body ours\n@@ profiled-unshare-exit 1\n' +
  '@@ profiled-unshare-err unshare: unshare(0x10000000): Operation not permitted\n';

const compliant = (step: Step): ExecResult => {
  switch (step) {
    case 'sweep': return ok('@@ ls-exit 0\n@@ ns default\n');
    case 'import': return ok('@@ decode-exit 0\n@@ import-exit 0\n@@ import-out unpacking nodegate.local/live-busybox:latest...done\n@@ image nodegate.local/live-busybox:latest\n');
    case 'bomb': return ok(recorded('compliant-memory-bomb'));
    case 'limits': return ok(limitsV1);
    case 'profile': return ok(readFileSync(`${dir}web-app.json`, 'utf8'));
    case 'seccomp': return ok(seccompWithHttp);
    case 'cleanup': return ok('@@ namespace-rm-exit 0\n@@ namespace gone\n');
  }
};

async function run(target: Target, extra: { now?: () => Date; selected?: ReadonlySet<NodeLiveId> } = {}) {
  let cleanup: LiveNodeCleanup | undefined;
  const logs: string[] = [];
  const verdicts = await runNodeLiveChecks(target, {
    imageFile: image, runId: '20261130t060000-abcdef', signals: new EventEmitter(), exit: () => {},
    log: (m) => logs.push(m), onCleanup: (c) => (cleanup = c), ...extra,
  });
  return { verdicts, cleanup: cleanup!, logs };
}

describe('runNodeLiveChecks', () => {
  it('runs sweep, import, the three checks and cleanup in order, and skips the rows that need the cluster', async () => {
    const target = fakeTarget(compliant);
    const { verdicts, cleanup } = await run(target);
    expect(target.steps).toEqual(['sweep', 'import', 'bomb', 'limits', 'profile', 'seccomp', 'cleanup']);
    expect(verdicts['RES-6.2.1']?.status).toBe('pass');
    expect(verdicts['RES-6.2.3']).toMatchObject({ status: 'pass', actual: 'memory.limit_in_bytes 134217728, cpu.cfs_quota_us 20000, cpu.cfs_period_us 100000' });
    expect(verdicts['SEC-4.2.5']?.status).toBe('pass');
    const skipped = liveChecks.filter((c) => verdicts[c.id]?.status === 'skip').map((c) => c.id);
    // KUBELET-3.5.2/3.5.3 too: the kubelet endpoint comes from the Node object and the token from a ServiceAccount.
    expect(skipped).toEqual(['KUBELET-3.5.2', 'KUBELET-3.5.3', 'KUBELET-3.5.4', 'SEC-4.3.1', 'SEC-4.3.2', 'SEC-4.3.4', 'SEC-4.3.5', 'NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2', 'RES-6.2.2']);
    expect(cleanup).toEqual({ namespace: 'nodegate-live-20261130t060000-abcdef', removed: true, swept: [], problems: [] });
    // Every name the run creates carries its run ID.
    expect(target.scripts[2]).toContain("name='ng-20261130t060000-abcdef-bomb'");
    expect(target.scripts[1]).toContain('mktemp -d /tmp/nodegate-live-20261130t060000-abcdef.XXXXXX');
  });

  it('a failed import makes all three checks errors, never passes, and still cleans up', async () => {
    const target = fakeTarget((s) => (s === 'import' ? ok('@@ decode-exit 0\n@@ import-exit 1\n@@ import-out ctr: unrecognized image format\n@@ image \n') : compliant(s)));
    const { verdicts, cleanup } = await run(target);
    for (const id of ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']) {
      expect(verdicts[id]?.status).toBe('error');
      expect(verdicts[id]?.message).toContain('ctr: unrecognized image format');
    }
    expect(target.steps.at(-1)).toBe('cleanup');
    expect(cleanup.removed).toBe(true);
  });

  it('a step that times out is that check\'s error; the others still run', async () => {
    const target = fakeTarget((s) => {
      if (s === 'bomb') throw new TargetError('timeout', 'fake', 'command did not finish within 60000 ms', 'raise it');
      return compliant(s);
    });
    const { verdicts } = await run(target);
    expect(verdicts['RES-6.2.1']).toMatchObject({ status: 'error' });
    expect(verdicts['RES-6.2.1']?.message).toContain('memory bomb: fake: command did not finish within 60000 ms');
    expect(verdicts['SEC-4.2.5']?.status).toBe('pass');
  });

  it('sudo asking for a password is named in every verdict', async () => {
    const target = fakeTarget(() => ({ stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 }));
    const { verdicts, cleanup } = await run(target);
    expect(verdicts['RES-6.2.1']?.message).toContain('sudo wants a password');
    // Refused at the sweep, the run created nothing, so there is nothing to clean up.
    expect(target.steps).toEqual(['sweep']);
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
  });

  it('sudo refusing after the import: the cleanup that cannot run is a problem, the namespace not claimed removed', async () => {
    const target = fakeTarget((s) => (s === 'sweep' || s === 'import' ? compliant(s) : { stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 }));
    const { verdicts, cleanup } = await run(target);
    expect(verdicts['SEC-4.2.5']?.message).toContain('sudo wants a password');
    expect(cleanup.removed).toBe(false);
    expect(cleanup.problems[0]).toContain('cleanup: fake: sudo wants a password');
  });

  it('a namespace left after cleanup is reported as a problem, with ctr\'s words', async () => {
    const target = fakeTarget((s) => (s === 'cleanup' ? ok('@@ namespace-rm-exit 1\n@@ namespace-rm-out ctr: namespace "x" must be empty\n@@ namespace present\n@@ cgroup-left /sys/fs/cgroup/x\n') : compliant(s)));
    const { cleanup, logs } = await run(target);
    expect(cleanup.removed).toBe(false);
    expect(cleanup.problems).toEqual(['namespace nodegate-live-20261130t060000-abcdef is still there: ctr: namespace "x" must be empty', 'cgroup /sys/fs/cgroup/x is still there']);
    expect(logs).toHaveLength(2);
  });

  it('sweeps expired run namespaces of earlier runs, not young ones nor others', async () => {
    const target = fakeTarget((s) => (s === 'sweep' ? ok('@@ ls-exit 0\n@@ ns default\n@@ ns k8s.io\n@@ ns nodegate-live-20261130t050000-111111\n@@ ns nodegate-live-20261130t055500-222222\n') : compliant(s)));
    const { cleanup } = await run(target, { now: () => new Date('2026-11-30T06:00:00Z') });
    expect(cleanup.swept).toEqual(['nodegate-live-20261130t050000-111111']);
    expect(target.steps.slice(0, 3)).toEqual(['sweep', 'cleanup', 'import']);
    expect(target.scripts[1]).toContain("NS='nodegate-live-20261130t050000-111111'");
    expect(target.scripts[1]).toContain('rm -rf /tmp/nodegate-live-20261130t050000-111111.*');
  });

  it('a containerd that does not answer the sweep: every check is an error naming its socket, and nothing else runs', async () => {
    // What ctr 1.6 prints when nothing listens on the socket (this host, `ctr --address /tmp/x.sock namespaces ls -q`).
    const refused = '@@ ls-exit 1\n@@ ls-out ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded: connection error: desc = "transport: error while dialing: dial unix:///run/containerd/containerd.sock: timeout"\n';
    const target = fakeTarget((s) => (s === 'sweep' ? ok(refused) : compliant(s)));
    const { verdicts, cleanup } = await run(target);
    for (const id of ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']) {
      expect(verdicts[id]?.status, id).toBe('error');
      expect(verdicts[id]?.message, id).toMatch(/^containerd at \/run\/containerd\/containerd\.sock did not answer `ctr namespaces ls` \(exit 1\): ctr: failed to dial/);
    }
    // No import, no containers, and no cleanup round trip: the run created nothing.
    expect(target.steps).toEqual(['sweep']);
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
  });

  it('a ctr killed at its bound during the sweep says so', async () => {
    const target = fakeTarget((s) => (s === 'sweep' ? ok('@@ ls-exit 137\n@@ ls-out \n') : compliant(s)));
    const { verdicts } = await run(target);
    expect(verdicts['RES-6.2.1']?.message).toContain('(exit 137 (killed after 55 s)): no output; is containerd running');
  });

  it('refuses a missing or oversized --live-image before touching the node', async () => {
    const target = fakeTarget(compliant);
    await expect(runNodeLiveChecks(target, { imageFile: join(work, 'absent.tar') })).rejects.toBeInstanceOf(UsageError);
    await expect(runNodeLiveChecks(target, { imageFile: work })).rejects.toThrow('not a file');
    expect(target.steps).toEqual([]);
  });

  it('SIGINT: cleanup runs and the run exits 130', async () => {
    const signals = new EventEmitter();
    let code: number | undefined;
    const target = fakeTarget(async (s) => {
      if (s === 'bomb') signals.emit('SIGINT');
      return compliant(s);
    });
    const verdicts = await runNodeLiveChecks(target, { imageFile: image, signals, exit: (c) => (code = c), log: () => {} });
    await new Promise((r) => setTimeout(r, 10));
    expect(code).toBe(130);
    expect(target.steps.filter((s) => s === 'cleanup')).toHaveLength(1);
    expect(target.steps).not.toContain('seccomp');
    expect(target.steps).not.toContain('profile');
    expect(verdicts['SEC-4.2.5']).toMatchObject({ status: 'error' });
  });
});

describe('runNodeLiveChecks with a selection (--only/--skip)', () => {
  const clusterOnly = ['KUBELET-3.5.2', 'KUBELET-3.5.3', 'KUBELET-3.5.4', 'SEC-4.3.1', 'SEC-4.3.2', 'SEC-4.3.4', 'SEC-4.3.5', 'NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2', 'RES-6.2.2'];

  it('--only RES-6.2.3: only the limits container runs; the bomb and the seccomp workload are skips saying they were not selected', async () => {
    const target = fakeTarget(compliant);
    const { verdicts, cleanup } = await run(target, { selected: new Set(['RES-6.2.3']) });
    // No bomb, no profile read, no seccomp containers: the sweep, the image the limits container needs, and cleanup.
    expect(target.steps).toEqual(['sweep', 'import', 'limits', 'cleanup']);
    expect(verdicts['RES-6.2.3']).toMatchObject({ status: 'pass', actual: 'memory.limit_in_bytes 134217728, cpu.cfs_quota_us 20000, cpu.cfs_period_us 100000' });
    for (const id of ['RES-6.2.1', 'SEC-4.2.5']) expect(verdicts[id], id).toMatchObject({ status: 'skip', actual: 'not run', message: notSelectedMessage, source: 'not selected, so nothing ran on fake' });
    expect(liveChecks.filter((c) => verdicts[c.id]?.message.startsWith('Needs the Kubernetes API')).map((c) => c.id)).toEqual(clusterOnly);
    expect(cleanup).toMatchObject({ removed: true, problems: [] });
  });

  it('--skip RES-6.2.1: the limits and seccomp steps run in order, the bomb does not', async () => {
    const target = fakeTarget(compliant);
    const { verdicts } = await run(target, { selected: new Set(['RES-6.2.3', 'SEC-4.2.5']) });
    expect(target.steps).toEqual(['sweep', 'import', 'limits', 'profile', 'seccomp', 'cleanup']);
    expect([verdicts['RES-6.2.1']?.status, verdicts['RES-6.2.3']?.status, verdicts['SEC-4.2.5']?.status]).toEqual(['skip', 'pass', 'pass']);
  });

  it('a failed import errors only the selected check; the unselected stay skips, never errors', async () => {
    const target = fakeTarget((s) => (s === 'import' ? ok('@@ decode-exit 0\n@@ import-exit 1\n@@ import-out ctr: unrecognized image format\n@@ image \n') : compliant(s)));
    const { verdicts } = await run(target, { selected: new Set(['RES-6.2.3']) });
    expect(verdicts['RES-6.2.3']).toMatchObject({ status: 'error', message: expect.stringContaining('ctr: unrecognized image format') as unknown });
    for (const id of ['RES-6.2.1', 'SEC-4.2.5']) expect(verdicts[id], id).toMatchObject({ status: 'skip', message: notSelectedMessage });
    expect(target.steps).toEqual(['sweep', 'import', 'cleanup']);
  });

  it('none selected: nothing reaches the node (no sweep, no import, no cleanup), every row a skip', async () => {
    const target = fakeTarget(compliant);
    const { verdicts, cleanup } = await run(target, { selected: new Set() });
    expect(target.steps).toEqual([]);
    expect(liveChecks.map((c) => verdicts[c.id]?.status)).toEqual(liveChecks.map(() => 'skip'));
    for (const id of ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']) expect(verdicts[id]?.message, id).toBe(notSelectedMessage);
    expect(cleanup).toEqual({ namespace: 'nodegate-live-20261130t060000-abcdef', removed: true, swept: [], problems: [] });
  });
});

describe('run names and the scripts', () => {
  it('run IDs sort by time and age namespaces; names nodegate did not make are never swept', () => {
    const id = newLiveRunId(new Date('2026-11-30T06:45:00.123Z'), () => 'a1b2c3');
    expect(id).toBe('20261130t064500-a1b2c3');
    expect(namespaceStartedAt(`nodegate-live-${id}`)?.toISOString()).toBe('2026-11-30T06:45:00.000Z');
    expect(namespaceStartedAt('nodegate-live-manual')).toBeUndefined();
    expect(expiredNamespaces(['nodegate-live-20261130t060000-aaaaaa', 'nodegate-live-x', 'k8s.io'], new Date('2026-11-30T07:00:00Z'), 15 * 60_000)).toEqual(['nodegate-live-20261130t060000-aaaaaa']);
  });

  it('every generated script is valid POSIX sh (dash -n), quotes included', () => {
    const ctx: StepContext = { ctr: "/opt/it's/ctr", address: '/run/containerd/containerd.sock', namespace: 'nodegate-live-x', runId: 'x', ctrTimeoutSeconds: 30 };
    const image = "registry.local/o'brien:1";
    for (const script of [importScript(ctx, 'aGVsbG8='), bombScript(ctx, image, 30), limitsScript(ctx, image), seccompScript(ctx, image, "/var/lib/kubelet/seccomp/it's.json"), cleanupScript(ctx), sweepScript(ctx)]) {
      const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
      expect(r.stderr, script).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

describe('options from the profile', () => {
  it('the guide\'s profile: containerd\'s default socket and localhost/profiles/web-app.json under the kubelet\'s seccomp root', () => {
    expect(nodeLiveOptionsFromProfile(profileSchema.parse(defaultProfile))).toEqual({
      address: '/run/containerd/containerd.sock',
      seccompProfile: '/var/lib/kubelet/seccomp/profiles/web-app.json',
    });
  });
});
