// NET-5.1.2 and NET-5.1.3 failing carry containerd's CNI lines from the node's journal (the guide's "CNI plugin
// failure" mode), or say why the journal could not be read; passing verdicts carry none.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts, PodSummary } from '../../src/cluster/types.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { evaluateCiliumAgent, evaluateCiliumHealth } from '../../src/evaluate/cluster/cilium.ts';
import { compliantFacts, drift, ran } from '../support/facts.ts';
import { healthy } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';

const profile = clusterProfile();
let ok: ClusterFacts;

beforeAll(async () => {
  ok = await gatherScenario(healthy());
});

const withAgent = (change: (p: PodSummary) => PodSummary | undefined): ClusterFacts =>
  withFacts(ok, (f) => {
    if (f.systemPods.ok) f.systemPods = { ...f.systemPods, value: f.systemPods.value.flatMap((p) => (p.name === 'cilium-x7k2p' ? (change(p) ?? []) : [p])) };
  });
const crashLooping = (): ClusterFacts =>
  withAgent((p) => ({ ...p, ready: false, containerStatuses: [{ name: 'cilium-agent', ready: false, restartCount: 7, state: 'waiting', reason: 'CrashLoopBackOff' }] }));
const notReady = (): ClusterFacts => withAgent((p) => ({ ...p, ready: false, containerStatuses: [{ name: 'cilium-agent', ready: false, restartCount: 0, state: 'running' }] }));

// containerd's CRI plugin logs this when /etc/cni/net.d is empty (containerd internal/cri/server/service.go,
// "failed to load cni during init"); the second line is unrelated and must not be shown as a CNI error.
const containerdJournal = [
  '2026-11-30T05:11:51+0000 worker-01 containerd[611]: time="2026-11-30T05:11:51Z" level=error msg="failed to load cni during init, please check CRI plugin status before setting up network for pods" error="cni config load failed: no network config found in /etc/cni/net.d: cni plugin not initialized: failed to load cni config"',
  '2026-11-30T05:11:52+0000 worker-01 containerd[611]: time="2026-11-30T05:11:52Z" level=info msg="containerd successfully booted in 0.041s"',
].join('\n');
const node = (): NodeFacts => drift(compliantFacts(), { commands: { 'containerd-journal': ran(containerdJournal) } });
const cniBlock = 'containerd journal, CNI errors (1 of the last 2 lines via test:compliant):\n2026-11-30T05:11:51+0000 worker-01 containerd[611]: time="2026-11-30T05:11:51Z" level=error msg="failed to load cni during init';
const notObserved = '(containerd journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node\'s line); run `journalctl -u containerd` on the node)';

describe('NET-5.1.2 agent failures carry containerd\'s CNI lines', () => {
  test('no agent on this node, node observed', () => {
    const v = evaluateCiliumAgent(node(), withAgent(() => undefined), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain(cniBlock);
    expect(v.message).not.toContain('successfully booted');
  });
  test('agent not Ready, node not observed: says why there is no journal', () => {
    const v = evaluateCiliumAgent(undefined, notReady(), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^the Cilium agent on this node is not Running and Ready: kube-system\/cilium-x7k2p Running, not Ready\./);
    expect(v.message).toContain(notObserved);
  });
  test('agent Ready: pass, no journal attached', () => {
    const v = evaluateCiliumAgent(node(), ok, profile);
    expect(v.status).toBe('pass');
    expect(v.message ?? '').not.toContain('journal');
  });
});

describe('NET-5.1.3 health failures carry containerd\'s CNI lines', () => {
  test('crash-looping, node observed', () => {
    const v = evaluateCiliumHealth(node(), crashLooping(), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^the agent is crash-looping \(kube-system\/cilium-x7k2p cilium-agent CrashLoopBackOff\)/);
    expect(v.message).toContain(cniBlock);
  });
  test('crash-looping, node not observed', () => {
    expect(evaluateCiliumHealth(undefined, crashLooping(), profile).message).toContain(notObserved);
  });
  test('readiness failing, node observed', () => {
    const v = evaluateCiliumHealth(node(), notReady(), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain(cniBlock);
  });
  test('readiness failing, node observed, no CNI line in containerd\'s journal: says so', () => {
    const quiet = drift(compliantFacts(), { commands: { 'containerd-journal': ran(`${containerdJournal.split('\n')[1] ?? ''}\n`) } });
    expect(evaluateCiliumHealth(quiet, notReady(), profile).message).toContain('(the last 1 containerd journal lines read through test:compliant name no CNI errors)');
  });
});
