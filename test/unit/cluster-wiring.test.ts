// How a run carries the cluster: one read per node beside its probe (also for a node that could not be probed),
// saved in format-3 snapshots and replayed from them (an edited cluster part refused), /configz layered under the
// node checks, and the verdicts for checks that have no cluster, run workloads, or are not built yet.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import type { LiveReport } from '../../src/evaluate/live/index.ts';
import type { Verdict } from '../../src/evaluate/verdict.ts';
import { evaluateNodeReady } from '../../src/evaluate/cluster/node-status.ts';
import { evaluateReadOnlyPort } from '../../src/evaluate/kubelet/settings.ts';
import { loadSnapshot, saveSnapshot } from '../../src/run/snapshot.ts';
import { buildProfile } from '../../src/profile/load.ts';
import type { ClusterState } from '../../src/run/cluster.ts';
import { observeNodes, type OpenTarget, type Observation, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { liveSkipReason, verdictFor, withConfigz } from '../../src/run/verdict-for.ts';
import type { Target } from '../../src/target/types.ts';
import { configz, configzDrift, healthy } from '../support/fake-apiserver-scenarios.ts';
import { gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';
import { kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = buildProfile([]);
let healthyFacts: ClusterFacts;
let driftFacts: ClusterFacts;
let dir: string;

beforeAll(async () => {
  healthyFacts = await gatherScenario(healthy());
  driftFacts = await gatherScenario(configzDrift());
  dir = await mkdtemp(join(tmpdir(), 'ng-cluster-wiring-'));
});

/** A transport whose probe prints nothing: each node is a named observation failure, quickly. */
const emptyProbe: OpenTarget = async (spec) => {
  const target: Target = { label: spec.kind, roundTrips: 0, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: async () => {} };
  return target;
};

/** A cluster reader that records its calls and answers each node with the healthy facts renamed. */
function recordingReader() {
  const calls: { node: string; replay: boolean }[] = [];
  const read: ReadCluster = async (_settings, replay, node) => {
    calls.push({ node, replay });
    return { kind: 'observed', facts: { ...healthyFacts, node } };
  };
  return { calls, read };
}

describe('observing the cluster beside the nodes', () => {
  test('one read per node, named by the node, attached even to a node whose probe failed; saved as format 3', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ng-wiring-live-'));
    const save = join(cwd, 'saved.json');
    const settings = await resolveSettings({ target: ['local', 'local'], node: ['a', 'b'], saveSnapshot: save }, {}, cwd);
    const { calls, read } = recordingReader();
    const observations = await observeNodes(settings, profile, emptyProbe, read);
    expect(calls).toEqual([{ node: 'a', replay: false }, { node: 'b', replay: false }]);
    expect(observations.map((o) => [o.node, 'failure' in o, o.cluster?.kind])).toEqual([['a', true, 'observed'], ['b', true, 'observed']]);
    const saved = JSON.parse(await readFile(save, 'utf8')) as { format: string; cluster: { node: string }[] };
    expect(saved.format).toBe('nodegate-snapshot/3');
    expect(saved.cluster.map((c) => c.node)).toEqual(['a', 'b']);
  });

  test('a run with no cluster still writes format 2, which older releases replay', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ng-wiring-none-'));
    const save = join(cwd, 'saved.json');
    const settings = await resolveSettings({ target: ['local'], node: ['a'], saveSnapshot: save }, {}, cwd);
    const none: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster configured: test' });
    const [o] = await observeNodes(settings, profile, emptyProbe, none);
    expect(o?.cluster).toEqual({ kind: 'none', reason: 'no cluster configured: test' });
    expect(JSON.parse(await readFile(save, 'utf8')).format).toBe('nodegate-snapshot/2');
  });

  test('a replay takes the recorded cluster facts without reading; an explicit kubeconfig reads them again', async () => {
    const file = join(dir, 'replay3.json');
    await saveSnapshot(file, [kubeletCompliantFacts()], [], [healthyFacts]);
    const { calls, read } = recordingReader();
    const replayed = await observeNodes(await resolveSettings({ snapshot: file }, {}, dir), profile, emptyProbe, read);
    expect(calls).toEqual([]);
    expect(replayed[0]?.cluster).toEqual({ kind: 'observed', facts: healthyFacts });
    await observeNodes(await resolveSettings({ snapshot: file, kubeconfig: join(dir, 'kc') }, {}, dir), profile, emptyProbe, read);
    expect(calls).toEqual([{ node: 'worker-01', replay: true }]);
  });
});

describe('--live beside the cluster', () => {
  const verdictsOf = (node: string): Record<string, Verdict> => ({ 'RES-6.2.1': { status: 'pass', expected: 'OOMKilled', actual: 'OOMKilled', source: node, message: '' } });
  // Only the fields the wiring reads; the harness's full report (every live ID) is G's to test.
  const report = (node: string): LiveReport => ({ verdicts: verdictsOf(node) as LiveReport['verdicts'], runId: 'r', namespace: `nodegate-r-${node}`, swept: undefined, cleanupFailures: [] });

  test('with --live and a cluster, the live run happens once per node and its verdicts travel with the observation', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ng-wiring-live-run-'));
    const settings = await resolveSettings({ target: ['local', 'local'], node: ['a', 'b'], live: true }, {}, cwd);
    const runs: string[] = [];
    const observations = await observeNodes(settings, profile, emptyProbe, recordingReader().read, async (_s, node) => {
      runs.push(node);
      return report(node);
    });
    expect(runs).toEqual(['a', 'b']);
    expect(observations.map((o) => o.live)).toEqual([
      { kind: 'ran', verdicts: verdictsOf('a'), namespace: 'nodegate-r-a', cleanupFailures: [] },
      { kind: 'ran', verdicts: verdictsOf('b'), namespace: 'nodegate-r-b', cleanupFailures: [] },
    ]);
  });

  test('without --live, or with --live and no cluster, nothing runs and the reason is kept', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ng-wiring-live-none-'));
    const runs: string[] = [];
    const runLive = async (_s: unknown, node: string) => {
      runs.push(node);
      return report(node);
    };
    const [off] = await observeNodes(await resolveSettings({ target: ['local'], node: ['a'] }, {}, cwd), profile, emptyProbe, recordingReader().read, runLive);
    expect(off?.live).toEqual({ kind: 'not-run', reason: 'live check: it runs workloads on the node, run with --live' });
    const none: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster configured: test' });
    const [noCluster] = await observeNodes(await resolveSettings({ target: ['local'], node: ['a'], live: true }, {}, cwd), profile, emptyProbe, none, runLive);
    expect(noCluster?.live).toEqual({ kind: 'not-run', reason: 'live check: it runs workloads through the cluster, and there is none (no cluster configured: test)' });
    expect(runs).toEqual([]);
  });
});

describe('format-3 snapshots', () => {
  test('an edited cluster part is refused naming the field', async () => {
    const file = join(dir, 'edited.json');
    await saveSnapshot(file, [kubeletCompliantFacts()], [], [healthyFacts]);
    const data = JSON.parse(await readFile(file, 'utf8')) as { cluster: { nodeObject: { ok: unknown } }[] };
    const first = data.cluster[0];
    if (!first) throw new Error('saved snapshot has no cluster entry');
    first.nodeObject.ok = 'yes';
    await writeFile(file, JSON.stringify(data));
    await expect(loadSnapshot(file)).rejects.toThrow(/cluster\[0\]: cluster facts field "nodeObject/);
  });

  test('cluster facts of one node recorded twice are refused', async () => {
    const file = join(dir, 'twice.json');
    await saveSnapshot(file, [kubeletCompliantFacts()], [], [healthyFacts, healthyFacts]);
    await expect(loadSnapshot(file)).rejects.toThrow('cluster facts of node "worker-01" are recorded twice');
  });

  test('a format-3 file without its cluster list is not a snapshot', async () => {
    const file = join(dir, 'no-list.json');
    await writeFile(file, JSON.stringify({ format: 'nodegate-snapshot/3', nodes: [kubeletCompliantFacts()], unobserved: [] }));
    await expect(loadSnapshot(file)).rejects.toThrow(/is not a nodegate snapshot/);
  });

  test('format 2 still loads, with no cluster facts', async () => {
    const file = join(dir, 'two.json');
    await writeFile(file, JSON.stringify({ format: 'nodegate-snapshot/2', nodes: [kubeletCompliantFacts()], unobserved: [] }));
    const s = await loadSnapshot(file);
    expect(s.cluster).toEqual([]);
    expect(s.nodes.map((n) => n.node)).toEqual(['worker-01']);
  });
});

const observed = (cluster?: ClusterState): Observation => ({ node: 'worker-01', target: 'test', facts: kubeletCompliantFacts(), ...(cluster ? { cluster } : {}) });

describe('verdicts with the cluster', () => {
  test('/configz is the top layer of the node checks: a drift the file hides fails, naming both layers', () => {
    expect(verdictFor('TEST-1', { kind: 'node', evaluate: evaluateReadOnlyPort }, observed(), profile).status).toBe('pass');
    const v = verdictFor('TEST-1', { kind: 'node', evaluate: evaluateReadOnlyPort }, observed({ kind: 'observed', facts: driftFacts }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/configz: readOnlyPort: 10255 ← wins/);
    expect(v.message).toMatch(/readOnlyPort: 0/);
    // And in the words of the drift: the running value, the file's, and why they differ.
    expect(v.message).toContain('readOnlyPort: running 10255 from /configz, file says 0: the kubelet was not restarted after the change.');
  });

  test('a /configz that agrees with the file adds no drift note', () => {
    const v = verdictFor('TEST-1', { kind: 'node', evaluate: evaluateReadOnlyPort }, observed({ kind: 'observed', facts: healthyFacts }), profile);
    expect(v.status).toBe('pass');
    expect(v.message).not.toMatch(/not restarted/);
  });

  test('a /configz that could not be read leaves the node facts as they are (one layered copy per facts object)', () => {
    const facts = kubeletCompliantFacts();
    const refused = withFacts(healthyFacts, (m) => {
      m.configz = { ok: false, attempts: 1, failure: { kind: 'forbidden', status: 403, request: 'get nodes/proxy (core) worker-01', message: 'forbidden: get nodes/proxy' } };
    });
    expect(withConfigz(facts, refused)).toBe(facts);
    expect(withConfigz(facts, undefined)).toBe(facts);
    const layered = withConfigz(facts, healthyFacts);
    expect(layered.configz).toEqual(configz());
    expect(withConfigz(facts, healthyFacts)).toBe(layered);
  });

  test('a cluster check with no cluster skips with the run\'s reason, never a pass', () => {
    const v = verdictFor('TEST-1', { kind: 'cluster', evaluate: evaluateNodeReady }, observed({ kind: 'none', reason: 'no cluster configured: nothing set' }), profile);
    expect(v.status).toBe('skip');
    expect(v.message).toBe('this check reads the Kubernetes API: no cluster configured: nothing set');
  });

  test('a cluster check still judges when the node itself could not be observed', () => {
    const unobservable: Observation = { node: 'worker-01', target: 'ssh://x', failure: 'unreachable', message: 'ssh://x: unreachable', cluster: { kind: 'observed', facts: healthyFacts } };
    expect(verdictFor('TEST-1', { kind: 'cluster', evaluate: evaluateNodeReady }, unobservable, profile).status).toBe('pass');
    expect(verdictFor('TEST-1', { kind: 'node', evaluate: evaluateReadOnlyPort }, unobservable, profile)).toMatchObject({ status: 'error', actual: 'not observed (unreachable)' });
  });

  test('live checks: skip without --live (or with the reason the run gave), else the live run\'s verdict for the ID', () => {
    expect(verdictFor('RES-6.2.1', { kind: 'live' }, observed(), profile)).toMatchObject({ status: 'skip', message: liveSkipReason });
    const notRun: Observation = { ...observed(), live: { kind: 'not-run', reason: 'live check: no cluster' } };
    expect(verdictFor('RES-6.2.1', { kind: 'live' }, notRun, profile)).toMatchObject({ status: 'skip', message: 'live check: no cluster' });
    const bomb = { status: 'fail', expected: 'OOMKilled', actual: 'Completed', source: 'pod nodegate-x/bomb', message: 'the memory limit was not enforced' } as const;
    const ran: Observation = { ...observed(), live: { kind: 'ran', verdicts: { 'RES-6.2.1': bomb }, namespace: 'nodegate-x', cleanupFailures: [] } };
    expect(verdictFor('RES-6.2.1', { kind: 'live' }, ran, profile)).toEqual(bomb);
    // An ID the live run did not answer is an error, never a pass.
    expect(verdictFor('RES-6.2.2', { kind: 'live' }, ran, profile)).toMatchObject({ status: 'error', message: 'the live run gave no verdict for RES-6.2.2' });
    expect(verdictFor('KUBELET-3.5.2', { kind: 'pending', reason: 'needs X' }, observed(), profile)).toMatchObject({ status: 'skip', message: 'needs X' });
  });
});
