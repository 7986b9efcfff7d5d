// --live honours --only/--skip: the live run does only what the selected checks need (their positive controls
// included), a control that was not selected is not reported as a verdict, and with no live check selected
// nothing is created at all — counted on the fixture API server's own request log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { noNamespace, runLiveChecks, type LiveCheckOptions, type LiveReport } from '../../src/evaluate/live/index.ts';
import { liveCheckIds, livePlan, type LiveCheckId } from '../../src/evaluate/live/plan.ts';
import type { Verdict } from '../../src/evaluate/verdict.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { liveStateOf, nodeLiveState, noLiveSelected, type RunLive, type RunNodeLive } from '../../src/run/live.ts';
import { observeNodes, type OpenTarget, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { openTarget } from '../../src/target/index.ts';
import type { Target } from '../../src/target/types.ts';
import { type FakeApiServer, type Scenario } from '../support/fake-apiserver.ts';
import { gatherScenario } from '../support/fake-apiserver-facts.ts';
import { type FakeKubelet } from '../support/fake-apiserver-kubelet.ts';
import { liveScenario } from '../support/fake-apiserver-live.ts';
import { liveTestOptions, useFakeCluster } from '../support/fake-live.ts';
import { healthy, nodeName } from '../support/fake-apiserver-scenarios.ts';

const profile = profileSchema.parse(defaultProfile);
const startCluster = useFakeCluster('nodegate-live-selection-');

/** The names of the pods the server created (its lifecycle hook sees each one as it is stored). */
let created: string[] = [];

async function live(selected: readonly LiveCheckId[], s: Scenario = liveScenario('healthy'), over: Partial<LiveCheckOptions> = {}): Promise<{ report: LiveReport; api: FakeApiServer; kubelet: FakeKubelet | undefined; ms: number }> {
  created = [];
  const lifecycle = s.podLifecycle;
  const { api, kubelet, kc } = await startCluster({
    ...s,
    podLifecycle: (pod, store) => {
      created.push(String(pod.metadata?.['name']));
      return lifecycle?.(pod, store) ?? [];
    },
  });
  const t0 = performance.now();
  const report = await runLiveChecks(kc, { ...liveTestOptions, kubeletUrl: kubelet?.url, selected, ...over });
  return { report, api, kubelet, ms: performance.now() - t0 };
}

/** The probe pods the run created, by name; every pod POST the server answered is one of them. */
function podsCreated(a: FakeApiServer): string[] {
  const posts = a.requests.filter((r) => r.method === 'POST' && /\/namespaces\/nodegate-[^/]+\/pods$/.test(r.path) && r.status === 201);
  expect(posts.length).toBe(created.length);
  return [...created].sort();
}
const namespacePosts = (a: FakeApiServer): number => a.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces').length;
const statusOf = (r: LiveReport): Record<string, Verdict['status']> => Object.fromEntries(liveCheckIds.map((id) => [id, r.verdicts[id].status]));

describe('the plan: each live ID\'s steps and controls, as data', () => {
  test('NET-5.4.1 needs NET-5.3.2 (server, Service, client) first; NET-5.4.2 needs both before it', () => {
    const p = livePlan(['NET-5.4.1']);
    expect([...p.judged].sort()).toEqual(['NET-5.3.2', 'NET-5.4.1']);
    expect([...p.steps].sort()).toEqual(['blocked', 'client', 'service', 'web']);
    const q = livePlan(['NET-5.4.2']);
    expect([...q.judged].sort()).toEqual(['NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2']);
    expect([...q.steps].sort()).toEqual(['blocked', 'client', 'restored', 'service', 'web']);
  });

  test('admission dry-runs and the anonymous kubelet request need no run namespace; nothing selected needs nothing', () => {
    expect(livePlan(['SEC-4.3.4', 'SEC-4.3.5', 'KUBELET-3.5.2']).needsNamespace).toBe(false);
    expect(livePlan(['KUBELET-3.5.3']).needsNamespace).toBe(true); // its ServiceAccount lives in the run namespace
    expect(livePlan([])).toMatchObject({ needsNamespace: false });
    expect(livePlan([]).steps.size).toBe(0);
  });
});

describe('runLiveChecks with a selection, on the fixture API server', () => {
  test('--only NET-5.4.1: the server, the control\'s client and the denied probe, nothing else; the control is not reported', async () => {
    const { report, api: a, kubelet, ms } = await live(['NET-5.4.1']);
    expect(podsCreated(a)).toEqual(['blocked', 'client', 'web']);
    expect(namespacePosts(a)).toBe(1);
    expect(report.verdicts['NET-5.4.1']).toMatchObject({ status: 'pass', actual: '1 attempt(s), last timed out' });
    // NET-5.3.2 ran as the control only: a skip that says so and how it ended, not a verdict of its own.
    expect(report.verdicts['NET-5.3.2']).toMatchObject({ status: 'skip', actual: 'ran as a control: pass', message: 'not selected: it ran only as the positive control of NET-5.4.1 (pass)' });
    const others = liveCheckIds.filter((id) => id !== 'NET-5.4.1' && id !== 'NET-5.3.2');
    expect(others.map((id) => [id, report.verdicts[id].status, report.verdicts[id].message])).toEqual(others.map((id) => [id, 'skip', 'not selected (--only/--skip): not run']));
    // No Service account token, no dry-run, no kubelet request for checks nobody asked for.
    expect(a.requests.filter((r) => /serviceaccounts/.test(r.path) || /dryRun/.test(r.query)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(kubelet?.authorizations ?? []).toEqual([]);
    console.info(`--only NET-5.4.1 on the fixture server: ${podsCreated(a).length} pods in ${ms.toFixed(0)} ms`);
  });

  test('--only NET-5.4.1 with no pod connectivity: the control fails, so NET-5.4.1 is an error and no denied probe runs', async () => {
    const { report, api: a } = await live(['NET-5.4.1'], liveScenario('no connectivity', { podConnectivity: false }));
    expect(podsCreated(a)).toEqual(['client', 'web']);
    expect(report.verdicts['NET-5.4.1'].status).toBe('error');
    expect(report.verdicts['NET-5.4.1'].message).toMatch(/^The positive control NET-5.3.2 did not pass \(fail\)/);
    expect(report.verdicts['NET-5.3.2'].message).toBe('not selected: it ran only as the positive control of NET-5.4.1 (fail)');
  });

  test('a selected control is reported as itself: --only NET-5.3.2,NET-5.4.2 runs through the restored probe', async () => {
    const { report, api: a } = await live(['NET-5.3.2', 'NET-5.4.2']);
    expect(podsCreated(a)).toEqual(['blocked', 'client', 'restored', 'web']);
    expect(statusOf(report)).toMatchObject({ 'NET-5.3.2': 'pass', 'NET-5.4.1': 'skip', 'NET-5.4.2': 'pass' });
    expect(report.verdicts['NET-5.4.1'].message).toBe('not selected: it ran only as the positive control of NET-5.4.2 (pass)');
  });

  test('--only SEC-4.3.3 (no live ID): no request reaches the API server, no namespace', async () => {
    const { report, api: a } = await live([]);
    expect(a.requests).toEqual([]);
    expect(report.namespace).toBe(noNamespace);
    expect(Object.values(statusOf(report))).toEqual(liveCheckIds.map(() => 'skip'));
  });

  test('--only SEC-4.3.4,KUBELET-3.5.2: dry-runs and the kubelet request, no run namespace and no pod', async () => {
    const { report, api: a } = await live(['SEC-4.3.4', 'KUBELET-3.5.2']);
    expect(namespacePosts(a)).toBe(0);
    expect(podsCreated(a)).toEqual([]);
    expect(report.namespace).toBe(noNamespace);
    expect(statusOf(report)).toMatchObject({ 'SEC-4.3.4': 'pass', 'SEC-4.3.5': 'skip', 'KUBELET-3.5.2': 'pass' });
  });

  test('--only RES-6.2.3: the limits pod only', async () => {
    const { report, api: a } = await live(['RES-6.2.3']);
    expect(podsCreated(a)).toEqual(['limits']);
    expect(report.verdicts['RES-6.2.3'].status).toBe('pass');
  });

  test('--only KUBELET-3.5.4: the server pod whose log it reads, not the client', async () => {
    const { report, api: a } = await live(['KUBELET-3.5.4']);
    expect(podsCreated(a)).toEqual(['web']);
    expect(report.verdicts['KUBELET-3.5.4'].status).toBe('pass');
  });

  test('the namespace cannot be created: only the selected checks are errors', async () => {
    const { report } = await live(['RES-6.2.1', 'SEC-4.3.4'], liveScenario('no namespaces', {}, { forbidden: ['create namespaces'] }));
    expect(statusOf(report)).toMatchObject({ 'RES-6.2.1': 'error', 'SEC-4.3.4': 'error', 'RES-6.2.2': 'skip', 'NET-5.3.2': 'skip' });
  });
});

describe('the run passes --only/--skip to the live run', () => {
  const emptyProbe: OpenTarget = async (spec) => ({ label: spec.kind, roundTrips: 0, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: async () => {} });
  const reportOf = (selected: readonly LiveCheckId[]): LiveReport => ({ verdicts: {} as LiveReport['verdicts'], runId: 'r', namespace: `selected ${selected.join(',')}`, swept: undefined, cleanupFailures: [] });

  test('observeNodes: --only SEC-4.3.3 runs no live run; --only NET-5.4 and --skip NET-5.4.2 hand over exactly NET-5.4.1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nodegate-live-selection-observe-'));
    try {
      const facts = await gatherScenario(healthy());
      const read: ReadCluster = async (_s, _r, node) => ({ kind: 'observed', facts: { ...facts, node } });
      const calls: (readonly LiveCheckId[])[] = [];
      const runLive: RunLive = async (_s, _n, _p, _i, selected) => {
        calls.push(selected);
        return reportOf(selected);
      };
      const [none] = await observeNodes(await resolveSettings({ target: ['local'], node: ['a'], live: true, only: 'SEC-4.3.3' }, {}, cwd), profile, emptyProbe, read, runLive);
      expect(calls).toEqual([]);
      expect(none?.live).toEqual({ kind: 'not-run', reason: noLiveSelected });
      await observeNodes(await resolveSettings({ target: ['local'], node: ['a'], live: true, only: 'NET-5.4', skip: 'NET-5.4.2' }, {}, cwd), profile, emptyProbe, read, runLive);
      expect(calls).toEqual([['NET-5.4.1']]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('liveStateOf with no selection hands every live ID over', async () => {
    const calls: (readonly LiveCheckId[])[] = [];
    await liveStateOf({ live: true, env: {} }, undefined, nodeName, profile, async (_s, _n, _p, _i, selected) => {
      calls.push(selected);
      return reportOf(selected);
    });
    expect(calls).toEqual([[...liveCheckIds]]);
  });

  test('the node-local run (--live-image) is not started when none of its three rows is selected', async () => {
    const target: Target = { label: 'fake', roundTrips: 0, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: async () => {} };
    let runs = 0;
    const runNodeLive: RunNodeLive = async () => {
      runs++;
      return {};
    };
    expect(await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive, { only: ['HOST-1.2.2', 'NET-5.4.1'], skip: [] })).toEqual({ kind: 'not-run', reason: noLiveSelected });
    expect(await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive, { only: [], skip: ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5'] })).toEqual({ kind: 'not-run', reason: noLiveSelected });
    expect(runs).toBe(0);
    await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive, { only: ['SEC-4.2.5'], skip: [] });
    expect(runs).toBe(1);
  });

  test('the node-local run is handed exactly the selected subset of its three rows', async () => {
    const target: Target = { label: 'fake', roundTrips: 0, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: async () => {} };
    const handed: string[][] = [];
    const runNodeLive: RunNodeLive = async (_t, options) => {
      handed.push(options.selected === undefined ? ['(all, unset)'] : [...options.selected].sort());
      return {};
    };
    await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive, { only: ['RES-6.2.3'], skip: [] });
    await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive, { only: [], skip: ['RES-6.2.1'] });
    await nodeLiveState(target, '/dev/null', profile, 1000, runNodeLive);
    expect(handed).toEqual([['RES-6.2.3'], ['RES-6.2.3', 'SEC-4.2.5'], ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5']]);
  });

  test('observeNodes with --live-image and no cluster: the node-local run follows the probe only when one of its rows is selected', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nodegate-live-selection-node-'));
    try {
      const image = join(cwd, 'busybox.tar');
      writeFileSync(image, 'a tarball the stub never unpacks');
      const none: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster configured: test' });
      const runs: string[] = [];
      const runNodeLive: RunNodeLive = async (target) => {
        runs.push(target.label);
        return {};
      };
      // The real local transport: the probe must succeed for the node-local run to follow it.
      const settings = async (only: string) => resolveSettings({ target: ['local'], node: ['a'], live: true, liveImage: image, only }, {}, cwd);
      const [skipped] = await observeNodes(await settings('HOST-1.2.2'), profile, openTarget, none, undefined, runNodeLive);
      expect(runs).toEqual([]);
      expect(skipped?.live).toEqual({ kind: 'not-run', reason: noLiveSelected });
      await observeNodes(await settings('SEC-4.2.5'), profile, openTarget, none, undefined, runNodeLive);
      expect(runs).toHaveLength(1);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
