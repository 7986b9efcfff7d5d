// KUBELET-3.1.4 on a dead kubelet: the Node keeps Ready=True for up to the node-monitor grace period after the
// kubelet stopped (seen on the real cluster lab, docs/cluster-lab.md "Finding (KUBELET-3.1.4 with the kubelet
// stopped)"); the same run's probe already knows no kubelet runs, so the verdict must not pass.
import { beforeAll, describe, expect, test } from 'vitest';
import { parseClusterFacts } from '../../src/cluster/facts-schema.ts';
import type { ClusterFacts, Condition } from '../../src/cluster/types.ts';
import { heartbeatOf, heartbeatWords, kubeletDown } from '../../src/evaluate/cluster/kubelet-liveness.ts';
import { evaluateNodeReady } from '../../src/evaluate/cluster/node-status.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { drift, ran } from '../support/facts.ts';
import { clusterProfile, gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';
import { cond2, healthy, node, scenario } from '../support/fake-apiserver-scenarios.ts';
import { cmdlineOutput, kubeletCompliantFacts } from '../support/kubelet-facts.ts';

const profile = clusterProfile();
let ok: ClusterFacts;
beforeAll(async () => {
  ok = await gatherScenario(healthy());
});

const readAt = '2026-11-30T10:00:47.000Z';
/** The Ready condition as the API serves it, lastHeartbeatTime included (what the projection keeps once it copies it). */
const ready = (lastHeartbeatTime?: string): Condition =>
  Object.assign({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }, lastHeartbeatTime ? { lastHeartbeatTime } : {});
const clusterWith = (c: Condition): ClusterFacts =>
  withFacts(ok, (f) => {
    f.gatheredAt = readAt;
    if (f.nodeObject.ok) f.nodeObject = { ...f.nodeObject, value: { ...f.nodeObject.value, conditions: [...f.nodeObject.value.conditions.filter((x) => x.type !== 'Ready'), c] } };
  });

/** The lab's kernel-defaults-unset run: the kubelet exited at start, the probe's /proc scan found none. */
const deadKubelet = (): NodeFacts =>
  drift(kubeletCompliantFacts(), {
    commands: {
      'kubelet-cmdline': ran('# pid: none\n'),
      'kubelet-is-active': ran('failed\n', 3),
      'kubelet-journal': ran('2026-11-30T10:00:05+0000 worker-01 kubelet[901]: E1130 10:00:05.1 901 kubelet.go:1703] "Failed to start ContainerManager" err="[invalid kernel flag: vm/overcommit_memory, expected value: 1, actual value: 0]"\n'),
    },
  });

describe('what the probe says about the kubelet', () => {
  test('no process: down, with the unit state beside it', () => {
    expect(kubeletDown(deadKubelet(), 'worker-01')?.evidence).toBe('no kubelet process (no /proc/*/comm is "kubelet"); `systemctl is-active kubelet`: failed');
  });

  test('a running process outside kubelet.service (the cluster lab\'s worker) is up, whatever systemd says', () => {
    const f = drift(kubeletCompliantFacts(), { commands: { 'kubelet-cmdline': ran(cmdlineOutput(['/usr/bin/kubelet'])), 'kubelet-is-active': ran('inactive\n', 3) } });
    expect(kubeletDown(f, 'worker-01')).toBeUndefined();
  });

  test('the process scan not read: the unit\'s state decides; no evidence at all: cannot say', () => {
    const { ['kubelet-cmdline']: _gone, ...commands } = kubeletCompliantFacts().commands;
    const noScan: NodeFacts = { ...kubeletCompliantFacts(), commands: { ...commands, 'kubelet-is-active': ran('activating\n', 3) } };
    expect(kubeletDown(noScan, 'worker-01')?.evidence).toBe('kubelet.service is activating (`systemctl is-active kubelet`; the process scan: the probe did not look for a kubelet process)');
    const nothing: NodeFacts = { ...kubeletCompliantFacts(), commands: {} };
    expect(kubeletDown(nothing, 'worker-01')).toBeUndefined();
  });

  test('facts of another node are never used for this Node', () => {
    expect(kubeletDown({ ...deadKubelet(), node: 'worker-02' }, 'worker-01')).toBeUndefined();
  });

  test('the heartbeat and its age at the read; a heartbeat after the read names the clock difference', () => {
    expect(heartbeatWords(heartbeatOf(ready('2026-11-30T10:00:00Z'), readAt))).toBe('lastHeartbeatTime 2026-11-30T10:00:00Z, 47 s before the Node was read');
    expect(heartbeatWords(heartbeatOf(ready('2026-11-30T10:00:50Z'), readAt))).toBe('lastHeartbeatTime 2026-11-30T10:00:50Z, 3 s after the Node was read (the clocks differ)');
    expect(heartbeatWords(heartbeatOf(ready(), readAt))).toBe('lastHeartbeatTime not recorded in the cluster facts');
  });
});

describe('KUBELET-3.1.4 with the node\'s facts', () => {
  test('Ready=True while the probe found no kubelet: fails as stale, naming the heartbeat, its age and the probe\'s evidence', () => {
    const v = evaluateNodeReady(deadKubelet(), clusterWith(ready('2026-11-30T10:00:00Z')), profile);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('Ready=True (KubeletReady: kubelet is posting ready status), lastHeartbeatTime 2026-11-30T10:00:00Z, 47 s before the Node was read; the node: no kubelet process (no /proc/*/comm is "kubelet"); `systemctl is-active kubelet`: failed');
    expect(v.source).toMatch(/^GET \/api\/v1\/nodes\/worker-01; the probe of .+ at /);
    expect(v.message).toMatch(/^the Node says Ready=True, but the probe of .+ found no kubelet process .* — the Ready condition is stale \(lastHeartbeatTime 2026-11-30T10:00:00Z, 47 s before the Node was read; the Node was read at 2026-11-30T10:00:47.000Z\)\./);
    // Why it can be stale, in the kubelet's and the controller's own terms.
    expect(v.message).toContain('nodeStatusReportFrequency (5m by default)');
    expect(v.message).toContain('renewing its Lease in kube-node-lease');
    expect(v.message).toContain('node-monitor-grace-period (40–50 s)');
    // And why the kubelet stopped, from its journal.
    expect(v.message).toContain('"Failed to start ContainerManager" err="[invalid kernel flag: vm/overcommit_memory');
  });

  test('without a recorded heartbeat (a snapshot written before the projection kept it) it still fails, saying the heartbeat was not recorded', () => {
    const v = evaluateNodeReady(deadKubelet(), clusterWith(ready()), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the Ready condition is stale (lastHeartbeatTime not recorded in the cluster facts');
  });

  test('a running kubelet: passes, the heartbeat named in the message', () => {
    const v = evaluateNodeReady(kubeletCompliantFacts(), clusterWith(ready('2026-11-30T10:00:00Z')), profile);
    expect(v).toMatchObject({ status: 'pass', actual: 'Ready=True (KubeletReady: kubelet is posting ready status)', message: 'Ready=True, lastHeartbeatTime 2026-11-30T10:00:00Z, 47 s before the Node was read.' });
  });

  test('NotReady is judged as before: the probe\'s finding does not turn a failure into anything else', () => {
    const v = evaluateNodeReady(deadKubelet(), clusterWith({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^the Node is not Ready: Ready=Unknown/);
  });
});

describe('KUBELET-3.1.4 in a cluster-only run', () => {
  test('judged from the Node as before, the heartbeat\'s age named and the blind spot said', () => {
    const v = evaluateNodeReady(undefined, clusterWith(ready('2026-11-30T10:00:00Z')), profile);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('Ready=True, lastHeartbeatTime 2026-11-30T10:00:00Z, 47 s before the Node was read. The node itself was not probed in this run, so a kubelet that stopped within the grace period would not be noticed.');
  });
});

describe('lastHeartbeatTime in the cluster facts', () => {
  /** Now less two minutes, at whole seconds as the API serves metav1.Time. */
  const twoMinutesAgo = (): string => new Date(Math.floor(Date.now() / 1000) * 1000 - 120_000).toISOString().replace('.000Z', 'Z');
  /** The healthy Node with its Ready condition's heartbeat at `at`, the other conditions as served. */
  const heartbeatAt = (at: string) =>
    scenario('Ready heartbeat 2 min old', (s) => ({
      objects: {
        ...s.objects,
        nodes: [node({ conditions: [cond2('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), { ...cond2('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'), lastHeartbeatTime: at }] })],
      },
    }));

  test('the projection keeps it as the API wrote it (RFC 3339, whole seconds), on every condition', () => {
    const conditions = ok.nodeObject.ok ? ok.nodeObject.value.conditions : [];
    expect(conditions.map((c) => [c.type, c.lastHeartbeatTime])).toEqual([
      ['NetworkUnavailable', '2026-11-30T05:00:00Z'],
      ['MemoryPressure', '2026-11-30T05:00:00Z'],
      ['DiskPressure', '2026-11-30T05:00:00Z'],
      ['PIDPressure', '2026-11-30T05:00:00Z'],
      ['Ready', '2026-11-30T05:00:00Z'],
    ]);
  });

  test('gathered from a Node whose Ready heartbeat is 2 min old: the stale-Ready failure and the pass both name it and its age', async () => {
    const at = twoMinutesAgo();
    const facts = await gatherScenario(heartbeatAt(at));
    const readyNow = facts.nodeObject.ok ? facts.nodeObject.value.conditions.find((c) => c.type === 'Ready') : undefined;
    expect(readyNow?.lastHeartbeatTime).toBe(at);
    // The age is counted to when the gatherer started its reads, a moment after `at` was taken.
    const age = Math.round((Date.parse(facts.gatheredAt) - Date.parse(at)) / 1000);
    expect(age).toBeGreaterThanOrEqual(120);
    expect(age).toBeLessThanOrEqual(125);
    const stale = evaluateNodeReady(deadKubelet(), facts, profile);
    expect(stale.status).toBe('fail');
    expect(stale.message).toContain(`the Ready condition is stale (lastHeartbeatTime ${at}, ${age} s before the Node was read; the Node was read at ${facts.gatheredAt})`);
    expect(stale.actual).toContain(`lastHeartbeatTime ${at}, ${age} s before the Node was read; the node: no kubelet process`);
    const up = evaluateNodeReady(kubeletCompliantFacts(), facts, profile);
    expect(up).toMatchObject({ status: 'pass', message: `Ready=True, lastHeartbeatTime ${at}, ${age} s before the Node was read.` });
  });

  test('a snapshot keeps it through the schema; one written before it (no lastHeartbeatTime) still loads; a non-string is refused naming the field', () => {
    expect(parseClusterFacts(JSON.parse(JSON.stringify(ok)), 'snap.json')).toEqual({ ok: true, facts: ok });
    const old = withFacts(ok, (f) => {
      if (f.nodeObject.ok) f.nodeObject = { ...f.nodeObject, value: { ...f.nodeObject.value, conditions: f.nodeObject.value.conditions.map(({ lastHeartbeatTime: _dropped, ...c }) => c) } };
    });
    const parsed = parseClusterFacts(JSON.parse(JSON.stringify(old)), 'old.json');
    expect(parsed.ok).toBe(true);
    const readyOld = parsed.ok && parsed.facts.nodeObject.ok ? parsed.facts.nodeObject.value.conditions.find((c) => c.type === 'Ready') : undefined;
    expect(readyOld).toEqual({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    const edited = JSON.parse(JSON.stringify(ok)) as { nodeObject: { value: { conditions: { lastHeartbeatTime: unknown }[] } } };
    const firstCondition = edited.nodeObject.value.conditions[0];
    if (firstCondition) firstCondition.lastHeartbeatTime = 1_764_486_000;
    expect(parseClusterFacts(edited, 'edited.json')).toEqual({ ok: false, error: 'edited.json: cluster facts field "nodeObject.value.conditions[0].lastHeartbeatTime": Invalid input: expected string, received number' });
  });
});
