// How --live --live-image reaches the run: its settings and usage errors, the node-local live run on each node's own
// open target after its probe (only without a cluster), and its verdicts becoming those of the three live IDs.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { liveChecks } from '../../src/catalog/live.ts';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { TargetError, UsageError } from '../../src/errors.ts';
import { error, fail, pass, type Verdict } from '../../src/evaluate/verdict.ts';
import type { NodeLiveOptions } from '../../src/live-node/run.ts';
import { buildProfile } from '../../src/profile/load.ts';
import type { RunNodeLive } from '../../src/run/live.ts';
import { observeNodes, type OpenTarget, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { verdictFor } from '../../src/run/verdict-for.ts';
import { openTarget } from '../../src/target/index.ts';
import type { Target } from '../../src/target/types.ts';

const profile = buildProfile([]);
let dir: string;
let image: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-live-node-wiring-'));
  image = join(dir, 'busybox.tar');
  await writeFile(image, 'a tarball the stub never unpacks');
});

describe('--live-image settings', () => {
  test('flag, NODEGATE_LIVE_IMAGE and liveImage: resolve to an absolute path, only with --live', async () => {
    expect((await resolveSettings({ live: true, liveImage: 'busybox.tar' }, {}, dir)).cluster.liveImage).toBe(image);
    expect((await resolveSettings({}, { NODEGATE_LIVE: '1', NODEGATE_LIVE_IMAGE: image }, dir)).cluster.liveImage).toBe(image);
    const config = join(dir, 'with-image.yaml');
    await writeFile(config, 'live: true\nliveImage: busybox.tar\n');
    expect((await resolveSettings({ config }, {}, dir)).cluster.liveImage).toBe(image);
    expect((await resolveSettings({ live: true }, {}, dir)).cluster.liveImage).toBeUndefined();
  });

  test('without --live it is a usage error saying so', async () => {
    const r = resolveSettings({ liveImage: image }, {}, dir);
    await expect(r).rejects.toBeInstanceOf(UsageError);
    await expect(r).rejects.toThrow(/--live-image .* is only used by --live/);
  });

  test('a missing file or a directory is a usage error naming it and how to build one', async () => {
    const missing = resolveSettings({ live: true, liveImage: 'nope.tar' }, {}, dir);
    await expect(missing).rejects.toBeInstanceOf(UsageError);
    await expect(missing).rejects.toThrow(/--live-image .*nope\.tar: ENOENT/);
    await mkdir(join(dir, 'a-dir'), { recursive: true });
    await expect(resolveSettings({ live: true, liveImage: 'a-dir' }, {}, dir)).rejects.toThrow(/a-dir: not a file/);
    const err = await resolveSettings({ live: true, liveImage: 'nope.tar' }, {}, dir).catch((e: unknown) => e);
    expect(err instanceof UsageError && err.hint).toMatch(/fixtures\/live\/busybox-image\.sh/);
  });
});

/**
 * The real local transport (the probe must succeed for the live run to follow it), labelled per node and recording
 * whether it was closed before the live run.
 */
function recordingOpen(): { open: OpenTarget; targets: (Target & { closed: boolean })[] } {
  const targets: (Target & { closed: boolean })[] = [];
  const open: OpenTarget = async (spec, options) => {
    const real = await openTarget(spec, options);
    const t = { label: `${spec.kind}-${targets.length}`, roundTrips: 0, closed: false, exec: real.exec.bind(real), close: async () => { t.closed = true; await real.close(); } };
    targets.push(t);
    return t;
  };
  return { open, targets };
}

const none: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster configured: test' });
const src = { expected: 'x', actual: 'y', source: 'stub' };
const stubVerdicts: Record<string, Verdict> = { 'RES-6.2.1': pass(src, 'bomb OOMKilled'), 'RES-6.2.3': fail(src, 'memory.max is max'), 'SEC-4.2.5': error(src, 'seccomp step could not run') };

describe('the node-local live run in observeNodes', () => {
  test('without a cluster it runs once per node on that node\'s still-open target, with the profile\'s socket and seccomp profile', async () => {
    const { open, targets } = recordingOpen();
    const calls: { label: string; closed: boolean; options: NodeLiveOptions }[] = [];
    const runNodeLive: RunNodeLive = async (target, options) => {
      calls.push({ label: target.label, closed: (target as Target & { closed: boolean }).closed, options });
      options.onCleanup?.({ namespace: `nodegate-live-${target.label}`, removed: true, swept: [], problems: [] });
      return stubVerdicts;
    };
    const settings = await resolveSettings({ target: ['local', 'local'], node: ['a', 'b'], live: true, liveImage: image, commandTimeout: '7' }, {}, dir);
    const observations = await observeNodes(settings, profile, open, none, async () => { throw new Error('the cluster live run must not be used'); }, runNodeLive);
    expect(observations.map((o) => ('facts' in o ? 'observed' : o.message))).toEqual(['observed', 'observed']);
    expect(calls.map((c) => c.label).sort()).toEqual(['local-0', 'local-1']);
    expect(calls.every((c) => !c.closed)).toBe(true);
    expect(targets.every((t) => t.closed)).toBe(true);
    const options = calls[0]?.options;
    expect(options?.imageFile).toBe(image);
    expect(options?.address).toBe(profile.containerd.socket.path);
    expect(options?.seccompProfile).toBe(`${profile.seccomp.root}/${profile.seccomp.profiles[0]}`);
    expect(options?.stepTimeoutMs).toBe(7000);
    for (const o of observations) {
      expect(o.live?.kind).toBe('ran');
      // The run's verdicts are the verdicts of the three IDs, each as it came (pass, fail, error).
      for (const id of ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']) expect(verdictFor(id, { kind: 'live' }, o, profile)).toEqual(stubVerdicts[id]);
      // An ID the run did not answer is an error naming the namespace, never a pass.
      const missing = verdictFor('NET-5.3.2', { kind: 'live' }, o, profile);
      expect(missing.status).toBe('error');
      expect(missing.source).toMatch(/containerd namespace nodegate-live-local-\d/);
    }
  }, 60_000);

  test('with a cluster the node-local run is not used: the cluster live run answers', async () => {
    const { open } = recordingOpen();
    let nodeLocal = 0;
    // Only what liveStateOf reads of the cluster facts since e8fcdd7 (the kubelet's /configz for clusterDomain): here
    // unread, so the cluster live run falls back to the node's files.
    const configz: ClusterFacts['configz'] = { ok: false, failure: { kind: 'forbidden', status: 403, request: 'get nodes/proxy (core) a', message: 'test: /configz not read' }, attempts: 1 };
    const observed: ReadCluster = async () => ({ kind: 'observed', facts: { configz } as Partial<ClusterFacts> as ClusterFacts });
    const settings = await resolveSettings({ target: ['local'], node: ['a'], live: true, liveImage: image }, {}, dir);
    const [o] = await observeNodes(settings, profile, open, observed, async () => ({ verdicts: stubVerdicts as never, runId: 'r', namespace: 'nodegate-r', swept: undefined, cleanupFailures: [] }), async () => {
      nodeLocal++;
      return {};
    });
    expect(nodeLocal).toBe(0);
    expect(o?.live).toMatchObject({ kind: 'ran', namespace: 'nodegate-r' });
  });

  test('--live without a cluster and without --live-image: every live check skips naming --live-image and the build script', async () => {
    const { open } = recordingOpen();
    const [o] = await observeNodes(await resolveSettings({ target: ['local'], node: ['a'], live: true }, {}, dir), profile, open, none);
    if (!o) throw new Error('no observation');
    for (const c of liveChecks) {
      const v = verdictFor(c.id, { kind: 'live' }, o, profile);
      expect(v.status, c.id).toBe('skip');
      expect(v.message, c.id).toMatch(/no cluster configured: test.*--live-image FILE.*fixtures\/live\/busybox-image\.sh/);
    }
  });

  test('a node that could not be observed runs nothing, and its live checks say why', async () => {
    let ran = 0;
    const failing: OpenTarget = async () => { throw new TargetError('unreachable', 'local', 'connection refused', 'check the address'); };
    const settings = await resolveSettings({ target: ['local'], node: ['a'], live: true, liveImage: image }, {}, dir);
    const [o] = await observeNodes(settings, profile, failing, none, undefined, async () => { ran++; return {}; });
    expect(ran).toBe(0);
    expect(o?.live).toMatchObject({ kind: 'not-run', reason: expect.stringMatching(/could not be observed .*connection refused.*nothing ran/) });
  });

  test('a snapshot replay runs nothing on a node, saying so and naming both ways to run it', async () => {
    const { saveSnapshot } = await import('../../src/run/snapshot.ts');
    const { kubeletCompliantFacts } = await import('../support/kubelet-facts.ts');
    const file = join(dir, 'snap.json');
    await saveSnapshot(file, [kubeletCompliantFacts()]);
    const [o] = await observeNodes(await resolveSettings({ snapshot: file, live: true }, {}, dir), profile);
    if (!o) throw new Error('no observation');
    const v = verdictFor('RES-6.2.1', { kind: 'live' }, o, profile);
    expect(v.status).toBe('skip');
    expect(v.message).toMatch(/snapshot replay runs no workloads.*--live-image/);
  });
});
