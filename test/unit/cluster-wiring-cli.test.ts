// The cluster checks end to end: the real CLI (and plain `vitest run suites/resources`) replays the guide's node
// from a snapshot and reads the fixture API server through a kubeconfig, once per run, and the gate, the console
// and the JUnit file carry what the cluster said: healthy passes, a 403 is an error, reservations that never
// reached the kubelet fail RES-6.1.1 with the sum, a /configz that disagrees with the file is named with both.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusterEvaluators } from '../../src/evaluate/cluster/index.ts';
import { loadSnapshot, saveSnapshot } from '../../src/run/snapshot.ts';
import { runCli, runVitestSuites } from '../support/cli.ts';
import { drift, file } from '../support/facts.ts';
import { gatherScenario, nodeWithCapacity } from '../support/fake-apiserver-facts.ts';
import { configzDrift, forbiddenPods, healthy, reservationsNotApplied } from '../support/fake-apiserver-scenarios.ts';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type Scenario } from '../support/fake-apiserver.ts';
import { readJUnit, type JUnitCase } from '../support/junit-read.ts';
import { startKubeletNamedProcess } from '../support/kubelet-process.ts';
import { hardenedKubelet, startFakeKubelet } from '../support/fake-apiserver-kubelet.ts';
import { liveScenario } from '../support/fake-apiserver-live.ts';
import { liveCheckIds } from '../../src/evaluate/live/index.ts';

const clusterIds = Object.keys(clusterEvaluators).sort();
let dir: string;
let snapshot: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-cluster-cli-'));
  // The guide's node (compliant kubelet, capacity evidence, the seccomp profile its pods reference), as a replay.
  const profileJson = readFileSync(new URL('../../fixtures/guide/web-app.json', import.meta.url), 'utf8');
  const node = drift(nodeWithCapacity(), { files: { '/var/lib/kubelet/seccomp/profiles/web-app.json': file(profileJson) } });
  snapshot = join(dir, 'node.json');
  await saveSnapshot(snapshot, [node]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One CLI run against a fresh fixture server playing `scenario`; the server is closed afterwards. */
async function audit(scenario: Scenario, args: readonly string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string; cases: JUnitCase[]; api: FakeApiServer }> {
  const api = await startFakeApiServer(scenario);
  try {
    const kubeconfig = writeKubeconfig(join(dir, `kc-${scenario.name.replace(/\W+/g, '-')}`), api);
    const junit = join(dir, `${scenario.name.replace(/\W+/g, '-')}.xml`);
    const r = await runCli(['--snapshot', snapshot, '--kubeconfig', kubeconfig, '--junit', junit, ...args], { timeoutMs: 90_000 });
    const cases = readJUnit(await readFile(junit, 'utf8').catch(() => ''));
    return { ...r, cases, api };
  } finally {
    await api.close();
  }
}

const statusOf = (cases: readonly JUnitCase[], id: string): string | undefined => cases.find((c) => c.id === id)?.status;

describe('nodegate --kubeconfig against the fixture API server', () => {
  test('healthy cluster: every cluster check passes and the gate is 0; each read is made once', async () => {
    const r = await audit(healthy(), ['--only', clusterIds.join(',')]);
    expect(r.cases.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message}`)).toEqual([]);
    expect(r.cases.map((c) => c.id).sort()).toEqual(clusterIds);
    expect(r.exitCode).toBe(0);
    // Every check shares one gathering: the Node, the pods on it and /configz are each requested once.
    const count = (re: RegExp) => r.api.requests.filter((q) => re.test(q.path)).length;
    expect(count(/^\/api\/v1\/nodes\/worker-01$/)).toBe(1);
    expect(count(/^\/api\/v1\/pods$/)).toBe(1);
    expect(count(/^\/api\/v1\/nodes\/worker-01\/proxy\/configz$/)).toBe(1);
  }, 120_000);

  test('403 on pods: the checks that read them are errors naming the grant, the gate is not 0', async () => {
    const r = await audit(forbiddenPods(), ['--only', clusterIds.join(',')]);
    const errors = r.cases.filter((c) => c.status === 'error').map((c) => c.id).sort();
    expect(errors).toEqual(expect.arrayContaining(['RT-2.3.3', 'SEC-4.3.6']));
    for (const id of errors) expect(r.cases.find((c) => c.id === id)?.message, id).toMatch(/forbidden: list pods/);
    expect(r.cases.filter((c) => c.status === 'pass').map((c) => c.id)).not.toContain('RT-2.3.3');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/GATE FAILED/);
  }, 120_000);

  test('reservations not applied: RES-6.1.1 fails with the arithmetic in the JUnit message', async () => {
    const r = await audit(reservationsNotApplied(), ['--only', 'RES-6.1.1']);
    expect(statusOf(r.cases, 'RES-6.1.1')).toBe('fail');
    const message = r.cases.find((c) => c.id === 'RES-6.1.1')?.message ?? '';
    // capacity − the reservations /configz shows (none) − its eviction threshold: the sum is spelled out.
    expect(message).toMatch(/16384Mi − .*= /);
    expect(message).toMatch(/14Gi/);
    expect(r.exitCode).toBe(1);
  }, 120_000);

  test('/configz disagreeing with the file: the kubelet verdict names both layers', async () => {
    const r = await audit(configzDrift(), ['--only', 'KUBELET-3.3.1']);
    expect(statusOf(r.cases, 'KUBELET-3.3.1')).toBe('fail');
    const message = r.cases.find((c) => c.id === 'KUBELET-3.3.1')?.message ?? '';
    expect(message).toMatch(/configz: readOnlyPort: 10255 ← wins/);
    expect(message).toMatch(/file:[^;]*readOnlyPort: 0/);
    expect(message).toContain('running 10255 from /configz, file says 0: the kubelet was not restarted after the change');
    expect(r.exitCode).toBe(1);
  }, 120_000);

  test('without the cluster, the same KUBELET-3.3.1 passes on the file alone (the drift is only visible through /configz)', async () => {
    const r = await runCli(['--snapshot', snapshot, '--only', 'KUBELET-3.3.1'], { timeoutMs: 90_000 });
    expect(r.stdout).toMatch(/PASS\s+KUBELET-3\.3\.1/);
    expect(r.exitCode).toBe(0);
  }, 120_000);
});

describe('no kubeconfig', () => {
  test('a replay with no kubeconfig skips every cluster check with the reason, even with KUBECONFIG set', async () => {
    const junit = join(dir, 'none.xml');
    const r = await runCli(['--snapshot', snapshot, '--only', clusterIds.filter((id) => !id.startsWith('RES-6.1.')).join(','), '--junit', junit], {
      timeoutMs: 90_000,
      env: { KUBECONFIG: join(dir, 'some-ambient-kubeconfig') },
    });
    const cases = readJUnit(await readFile(junit, 'utf8'));
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(c.status, c.id).toBe('skip');
      expect(c.message, c.id).toMatch(/reads the Kubernetes API: the snapshot recorded no cluster facts, and a replay reads a cluster only with --kubeconfig/);
    }
    // Every selected check skipped: nothing was proven, so the gate is not 0.
    expect(r.exitCode).toBe(1);
  }, 120_000);

  test('a kubeconfig that does not exist is exit 2 before anything runs', async () => {
    const missing = join(dir, 'missing-kubeconfig');
    const r = await runCli(['--snapshot', snapshot, '--kubeconfig', missing], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`nodegate: kubeconfig ${missing} (from --kubeconfig) does not exist — pass a readable kubeconfig with --kubeconfig (and an existing --context), or unset KUBECONFIG to run without the cluster checks`]);
  }, 90_000);
});

describe('snapshots keep the cluster', () => {
  test('cluster facts saved in a format-3 snapshot replay with no server: the healthy verdicts come back', async () => {
    const node = (await loadSnapshot(snapshot)).nodes;
    const facts = await gatherScenario(healthy());
    const file3 = join(dir, 'with-cluster.json');
    await saveSnapshot(file3, node, [], [facts]);
    expect(JSON.parse(await readFile(file3, 'utf8')).format).toBe('nodegate-snapshot/3');
    const junit = join(dir, 'replay3.xml');
    const r = await runCli(['--snapshot', file3, '--only', clusterIds.join(','), '--junit', junit], { timeoutMs: 90_000 });
    const cases = readJUnit(await readFile(junit, 'utf8'));
    expect(cases.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
  }, 120_000);
});

describe('--live', () => {
  test('a replay runs no workloads: with --live the live checks skip saying so, the rest judge', async () => {
    const junit = join(dir, 'live.xml');
    const r = await runCli(['--snapshot', snapshot, '--live', '--only', 'RES-6.2.1,NET-5.4.1,RES-6.1.4', '--junit', junit], { timeoutMs: 90_000 });
    const cases = readJUnit(await readFile(junit, 'utf8'));
    for (const id of ['RES-6.2.1', 'NET-5.4.1']) {
      expect(statusOf(cases, id), id).toBe('skip');
      expect(cases.find((c) => c.id === id)?.message, id).toMatch(/a snapshot replay runs no workloads/);
    }
    expect(statusOf(cases, 'RES-6.1.4')).toBe('pass');
    expect(r.exitCode).toBe(0);
    const help = await runCli(['--help'], { timeoutMs: 30_000 });
    for (const flag of ['--kubeconfig FILE', '--context NAME', '--live']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toMatch(/--live +also run the checks that run workloads/);
  }, 150_000);
});

describe('--live against the fixture API server', () => {
  test('a live local audit runs every live check once through the cluster, reports its verdicts and leaves nothing behind', async () => {
    const kubelet = await startFakeKubelet(hardenedKubelet);
    const base = liveScenario('healthy');
    // The Node's kubelet endpoint is the fixture kubelet on loopback, so KUBELET-3.5.2/3.5.3 never leave this machine.
    const port = Number(new URL(kubelet.url).port);
    const nodes = (base.objects['nodes'] ?? []).map((n) => {
      const status = { ...(n['status'] as Record<string, unknown>), addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } };
      return { ...n, status };
    });
    const api = await startFakeApiServer({ ...base, objects: { ...base.objects, nodes } });
    try {
      const kubeconfig = writeKubeconfig(join(dir, 'kc-live'), api);
      const junit = join(dir, 'live-run.xml');
      const r = await runCli(['--target', 'local', '--node', 'worker-01', '--kubeconfig', kubeconfig, '--live', '--only', liveCheckIds.join(','), '--junit', junit], { timeoutMs: 150_000 });
      const cases = readJUnit(await readFile(junit, 'utf8'));
      expect(cases.map((c) => c.id).sort()).toEqual([...liveCheckIds].sort());
      expect(cases.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message}`)).toEqual([]);
      expect(r.exitCode).toBe(0);
      // One run namespace was made, and nothing of it is left in the store.
      expect(api.requests.filter((q) => q.method === 'POST' && q.path === '/api/v1/namespaces')).toHaveLength(1);
      expect(api.objects('namespaces').filter((n) => String(n.metadata?.['name']).startsWith('nodegate-'))).toEqual([]);
      expect(api.objects('pods').filter((p) => String(p.metadata?.['namespace']).startsWith('nodegate-'))).toEqual([]);
    } finally {
      await api.close();
      await kubelet.close();
    }
  }, 200_000);
});

describe('--save-snapshot keeps what the cluster said', () => {
  test('a live local audit with --kubeconfig and its replay (server gone, no kubeconfig) agree verdict for verdict', async () => {
    const api = await startFakeApiServer(healthy());
    const saved = join(dir, 'live-local.json');
    const only = ['--only', [...clusterIds, 'HOST-1.1.3'].join(',')];
    let live: JUnitCase[];
    // This machine is the node: KUBELET-3.1.4 joins the Node's Ready with the probe's kubelet process.
    const kubelet = await startKubeletNamedProcess(dir);
    try {
      const kubeconfig = writeKubeconfig(join(dir, 'kc-live-local'), api);
      const junit = join(dir, 'live-local.xml');
      // This machine is the node, named worker-01 so the fixture server knows it.
      await runCli(['--target', 'local', '--node', 'worker-01', '--kubeconfig', kubeconfig, '--save-snapshot', saved, '--junit', junit, ...only], { timeoutMs: 90_000 });
      live = readJUnit(await readFile(junit, 'utf8'));
      expect(api.requests.filter((q) => q.path === '/api/v1/nodes/worker-01')).toHaveLength(1);
    } finally {
      kubelet.kill();
      await api.close();
    }
    expect(JSON.parse(await readFile(saved, 'utf8')).format).toBe('nodegate-snapshot/3');
    const junit = join(dir, 'replay-local.xml');
    await runCli(['--snapshot', saved, '--junit', junit, ...only], { timeoutMs: 90_000 });
    const replay = readJUnit(await readFile(junit, 'utf8'));
    const verdicts = (cases: readonly JUnitCase[]) => cases.map((c) => `${c.id} ${c.status} ${c.message}`).sort();
    expect(live.length).toBe(clusterIds.length + 1);
    expect(verdicts(replay)).toEqual(verdicts(live));
    // The cluster was read, not skipped: the Node's Ready condition passes in both.
    expect(statusOf(replay, 'KUBELET-3.1.4')).toBe('pass');
  }, 200_000);
});

describe('npx vitest run suites/resources', () => {
  test('NODEGATE_KUBECONFIG and NODEGATE_SNAPSHOT: the resources suite reads the cluster and fails the unapplied reservations', async () => {
    const api = await startFakeApiServer(reservationsNotApplied());
    try {
      const kubeconfig = writeKubeconfig(join(dir, 'kc-vitest'), api);
      const junit = join(dir, 'vitest-resources.xml');
      const r = await runVitestSuites(['suites/resources'], { timeoutMs: 120_000, env: { NODEGATE_KUBECONFIG: kubeconfig, NODEGATE_SNAPSHOT: snapshot, NODEGATE_JUNIT: junit } });
      const cases = readJUnit(await readFile(junit, 'utf8'));
      expect(statusOf(cases, 'RES-6.1.1')).toBe('fail');
      expect(statusOf(cases, 'RES-6.3.1')).toBe('pass');
      expect(statusOf(cases, 'RES-6.2.1')).toBe('skip');
      expect(cases.find((c) => c.id === 'RES-6.2.1')?.message).toMatch(/live check: it runs workloads on the node, run with --live/);
      expect(r.exitCode).toBe(1);
    } finally {
      await api.close();
    }
  }, 150_000);
});
